/**
 * Seeding other accounts of the emulator: an S3 client in a member account
 * (moto answers an assumed role's credentials as that account), and a bucket
 * created through it in a region.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { emulatorUrl } from './emulator.js';

/** An S3 client in `account` (an assumed role there), for seeding its buckets. */
export async function s3In(account: string): Promise<S3Client> {
  const sts = new STSClient({ endpoint: emulatorUrl(), region: 'us-east-1' });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/seed`,
      RoleSessionName: 'seed',
    }),
  );
  return new S3Client({
    endpoint: emulatorUrl(),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    },
  });
}

/** Creates `bucket` through `s3` in `region`. */
export async function createIn(s3: S3Client, bucket: string, region = 'us-east-1'): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }),
    }),
  );
}
