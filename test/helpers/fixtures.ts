/**
 * Seeds the emulator directly through the SDK (tests may; src/ never does
 * outside src/aws), so each test starts from a known bucket and account state.
 */
import { CreateBucketCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { PublicAccessBlock } from '../../src/plan/model/types.js';
import { emulatorUrl } from './emulator.js';

export const ACCOUNT = '123456789012';

export function rawClients(endpoint = emulatorUrl()) {
  const common = { endpoint, region: 'us-east-1' };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    s3control: new S3ControlClient({
      ...common,
      endpointProvider: () => ({ url: new URL(endpoint) }),
    }),
  };
}

export async function createBucket(
  bucket: string,
  options: { publicAccessBlock?: Partial<PublicAccessBlock> } = {},
): Promise<void> {
  const { s3 } = rawClients();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.publicAccessBlock) {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: options.publicAccessBlock,
      }),
    );
  }
}

export async function setAccountPublicAccessBlock(
  configuration: Partial<PublicAccessBlock> | null,
): Promise<void> {
  const { s3control } = rawClients();
  if (configuration === null) {
    await s3control.send(new DeletePublicAccessBlockCommand({ AccountId: ACCOUNT }));
  } else {
    await s3control.send(
      new PutAccountPublicAccessBlockCommand({
        AccountId: ACCOUNT,
        PublicAccessBlockConfiguration: configuration,
      }),
    );
  }
}
