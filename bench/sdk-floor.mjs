#!/usr/bin/env node
// The floor for `audit --all` on an endpoint: the same per-bucket reads
// (HeadBucket + the seven configuration reads) sent by a bare
// @aws-sdk/client-s3 script, all of a bucket's reads together, `concurrency`
// buckets at a time, with nothing else loaded or computed. If the audit takes
// about as long, the endpoint or the SDK is the limit, not s3-harden.
// Usage: node bench/sdk-floor.mjs http://127.0.0.1:PORT [concurrency=8]
// (against an emulator already seeded, e.g. by a run of bench/run.mjs).
import { performance } from 'node:perf_hooks';
import {
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { benchS3Client } from './fleet.mjs';
import { mapLimit } from './map-limit.mjs';

const READS = [
  HeadBucketCommand,
  GetPublicAccessBlockCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetBucketLoggingCommand,
];

const [endpoint, concurrencyArg = '8'] = process.argv.slice(2);
if (!endpoint?.startsWith('http://127.0.0.1:')) {
  console.error('usage: node bench/sdk-floor.mjs http://127.0.0.1:PORT [concurrency]');
  process.exit(1);
}
const s3 = benchS3Client(endpoint);
const start = performance.now();
const { Buckets = [] } = await s3.send(new ListBucketsCommand({ MaxBuckets: 1000 }));
let calls = 1;
await mapLimit(Buckets, Number(concurrencyArg), ({ Name }) =>
  Promise.all(
    READS.map((Command) =>
      s3
        .send(new Command({ Bucket: Name }))
        // "Not configured" is an answer here too.
        .catch(() => null)
        .finally(() => calls++),
    ),
  ),
);
const cpu = process.cpuUsage();
console.log(
  `${Buckets.length} buckets, ${calls} calls in ${Math.round(performance.now() - start)} ms` +
    ` (concurrency ${concurrencyArg}; client CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms)`,
);
s3.destroy();
