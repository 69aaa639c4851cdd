// Sample buckets for the demo and the benchmarks, in the states an operator
// meets in a real account: wide open, half done, and already hardened.
import {
  CreateBucketCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export async function seedDemo(endpoint) {
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  });
  const buckets = [
    {
      name: 'demo-public-assets',
      state: 'no Block Public Access, public-read ACL',
      async seed(Bucket) {
        await s3.send(
          new PutBucketOwnershipControlsCommand({
            Bucket,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
          }),
        );
        await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' }));
      },
    },
    {
      name: 'demo-app-logs',
      state: 'Block Public Access half on',
      async seed(Bucket) {
        await s3.send(
          new PutPublicAccessBlockCommand({
            Bucket,
            PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true },
          }),
        );
      },
    },
    {
      name: 'demo-hardened',
      state: 'Block Public Access all on',
      async seed(Bucket) {
        await s3.send(
          new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: ALL_ON }),
        );
      },
    },
  ];
  try {
    for (const bucket of buckets) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket.name,
          Key: 'readme.txt',
          Body: `sample object in ${bucket.name}\n`,
        }),
      );
      await bucket.seed(bucket.name);
    }
  } finally {
    s3.destroy();
  }
  return buckets.map(({ name, state }) => ({ name, state }));
}
