#!/usr/bin/env node
// The floor for `audit --all` on an endpoint: the same per-bucket requests
// (its nine configuration reads and its tags; no HeadBucket, as ListBuckets
// says each bucket's region) sent by a bare @aws-sdk/client-s3 script, all
// of a bucket's together, `concurrency` buckets at a time, with nothing else
// loaded or computed. Given member accounts, each is entered through
// `roleName` (AssumeRole) and audited the same way, `accountConcurrency`
// accounts at once, as `audit --accounts` does. If the audit takes about as
// long, the endpoint or the SDK is the limit, not s3-harden.
// Usage: node bench/sdk-floor.mjs http://127.0.0.1:PORT [concurrency=8]
//          [ACCOUNT,ACCOUNT,… ROLE_NAME [accountConcurrency=4]]
// (against an emulator already seeded, e.g. by a run of bench/run.mjs).
import { performance } from 'node:perf_hooks';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { assumeIn, benchS3Client } from './fleet.mjs';
import { mapLimit } from './map-limit.mjs';

const READS = [
  GetPublicAccessBlockCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
];

const [endpoint, concurrencyArg = '8', accountsArg, roleName, accountConcurrencyArg = '4'] =
  process.argv.slice(2);
if (!endpoint?.startsWith('http://127.0.0.1:') || (accountsArg && !roleName)) {
  console.error(
    'usage: node bench/sdk-floor.mjs http://127.0.0.1:PORT [concurrency] [ACCOUNT,… ROLE_NAME [accountConcurrency]]',
  );
  process.exit(1);
}
const accounts = accountsArg ? accountsArg.split(',') : [undefined];
let calls = 0;
let buckets = 0;

/** One account: its bucket list, then each bucket's reads at once, `concurrency` buckets at a time. */
async function account(id) {
  let credentials;
  if (id) {
    credentials = await assumeIn(endpoint, id, roleName);
    calls++;
  }
  const s3 = benchS3Client(endpoint, credentials);
  try {
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({ MaxBuckets: 1000 }));
    calls++;
    buckets += Buckets.length;
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
  } finally {
    s3.destroy();
  }
}

const start = performance.now();
await mapLimit(accounts, Number(accountConcurrencyArg), account);
const cpu = process.cpuUsage();
console.log(
  `${buckets} buckets${accountsArg ? ` in ${accounts.length} accounts` : ''}, ${calls} calls in ${Math.round(performance.now() - start)} ms` +
    ` (concurrency ${concurrencyArg}${accountsArg ? `, ${Math.min(accounts.length, Number(accountConcurrencyArg))} accounts at once` : ''}; client CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms)`,
);
