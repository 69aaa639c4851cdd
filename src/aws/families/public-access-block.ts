import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand as DeleteAccountPublicAccessBlockCommand,
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
} from '@aws-sdk/client-s3-control';
import type { PublicAccessBlock } from '../../plan/model/types.js';
import type { AwsFamily } from './family.js';

/** Missing flags read as false, as S3 enforces them. */
function publicAccessBlock(output: Record<string, unknown>): PublicAccessBlock | null {
  const raw = output.PublicAccessBlockConfiguration as Partial<PublicAccessBlock> | undefined;
  if (!raw) return null;
  return {
    BlockPublicAcls: raw.BlockPublicAcls === true,
    IgnorePublicAcls: raw.IgnorePublicAcls === true,
    BlockPublicPolicy: raw.BlockPublicPolicy === true,
    RestrictPublicBuckets: raw.RestrictPublicBuckets === true,
  };
}

export const publicAccessBlockAws: AwsFamily = {
  commands: {
    s3: {
      GetPublicAccessBlock: GetPublicAccessBlockCommand,
      PutPublicAccessBlock: PutPublicAccessBlockCommand,
      DeletePublicAccessBlock: DeletePublicAccessBlockCommand,
    },
    s3control: {
      GetPublicAccessBlock: GetAccountPublicAccessBlockCommand,
      PutPublicAccessBlock: PutAccountPublicAccessBlockCommand,
      DeletePublicAccessBlock: DeleteAccountPublicAccessBlockCommand,
    },
  },
  readers: {
    'bucket.publicAccessBlock': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetPublicAccessBlock',
        input: { Bucket: bucket },
      }),
      extract: publicAccessBlock,
    },
    'account.publicAccessBlock': {
      call: ({ accountId }) => ({
        service: 's3control',
        operation: 'GetPublicAccessBlock',
        input: { AccountId: accountId },
      }),
      extract: publicAccessBlock,
    },
  },
};
