import {
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
} from '@aws-sdk/client-s3';
import type {
  EncryptionConfiguration,
  EncryptionRule,
  SseAlgorithm,
} from '../../plan/resources/encryption.js';
import type { AwsFamily } from './family.js';

interface RawRule {
  ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string };
  BucketKeyEnabled?: boolean;
  BlockedEncryptionTypes?: { EncryptionType?: string[] };
}

function rule(raw: RawRule): EncryptionRule {
  const byDefault = raw.ApplyServerSideEncryptionByDefault;
  return {
    ...(byDefault?.SSEAlgorithm
      ? {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: byDefault.SSEAlgorithm as SseAlgorithm,
            ...(byDefault.KMSMasterKeyID ? { KMSMasterKeyID: byDefault.KMSMasterKeyID } : {}),
          },
        }
      : {}),
    // S3 reports false for "not set": only true is kept.
    ...(raw.BucketKeyEnabled === true ? { BucketKeyEnabled: true } : {}),
    // Kept as read (never dropped), so a rewrite carries the SSE-C block over.
    ...(raw.BlockedEncryptionTypes
      ? {
          BlockedEncryptionTypes: {
            EncryptionType: [...(raw.BlockedEncryptionTypes.EncryptionType ?? [])],
          },
        }
      : {}),
  };
}

/** The normalised configuration; null when none is set. */
export function extractEncryption(output: Record<string, unknown>): EncryptionConfiguration | null {
  const configuration = output.ServerSideEncryptionConfiguration as
    | { Rules?: RawRule[] }
    | undefined;
  const rules = configuration?.Rules ?? [];
  return rules.length > 0 ? { Rules: rules.map(rule) } : null;
}

export const encryptionAws: AwsFamily = {
  commands: {
    s3: {
      GetBucketEncryption: GetBucketEncryptionCommand,
      PutBucketEncryption: PutBucketEncryptionCommand,
      DeleteBucketEncryption: DeleteBucketEncryptionCommand,
    },
  },
  readers: {
    'bucket.encryption': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketEncryption',
        input: { Bucket: bucket },
      }),
      extract: extractEncryption,
    },
  },
};
