/**
 * A read-through memo for one run (an audit and the plans it feeds, a wizard
 * session's bucket): the same read with the same input, in the same region,
 * is sent once, whoever asks (two buckets' readers listing the account's KMS
 * keys, say). Any write through the view starts a new generation, so a read
 * after it goes to AWS again, and a read that was in flight during the write
 * is not kept.
 */
import type { ApiCall } from '../plan/model/types.js';

/** One call sent in a region (the region's clients); errors normalised, counted. */
export type RegionalSend = (call: ApiCall, region: string) => Promise<Record<string, unknown>>;

/**
 * Calls that are the account's whatever the region: they go to the
 * session's own region, so a run over many regions sends each once. STS,
 * Organizations, the bucket list and S3 Control's account Block Public
 * Access. Access points are not among them: each lives in a region (its
 * bucket's), and S3 Control finds it only there.
 */
const ACCOUNT_WIDE_SERVICES = new Set(['sts', 'organizations']);
const ACCOUNT_WIDE_OPERATIONS = new Set([
  's3:ListBuckets',
  's3control:GetPublicAccessBlock',
  's3control:PutPublicAccessBlock',
  's3control:DeletePublicAccessBlock',
]);
/**
 * Sent in the asking view's region (the bucket's, when known) but memoised
 * for every region: HeadBucket answers the same whichever region asks.
 */
const ANY_REGION_OPERATIONS = new Set(['s3:HeadBucket']);

/** The region `call` is sent in from a view of `viewRegion` (home: the session's own). */
export function routeRegion(call: ApiCall, viewRegion: string, home: string): string {
  if (ACCOUNT_WIDE_SERVICES.has(call.service)) return home;
  if (ACCOUNT_WIDE_OPERATIONS.has(`${call.service}:${call.operation}`)) return home;
  return viewRegion;
}

export interface ReadMemo {
  readonly read: RegionalSend;
  /** A write happened: nothing read before it is kept. */
  readonly forget: () => void;
  /** The run is done with `bucket`: its reads are dropped (memory follows the buckets in flight). */
  readonly release: (bucket: string) => void;
}

/** The bucket a call reads, when it names one. */
function bucketOf(call: ApiCall): string | undefined {
  const bucket = (call.input as { Bucket?: unknown } | undefined)?.Bucket;
  return typeof bucket === 'string' ? bucket : undefined;
}

export function readMemo(send: RegionalSend): ReadMemo {
  let generation = 0;
  const memo = new Map<string, Promise<Record<string, unknown>>>();
  // The keys of each bucket's reads, so a bucket done with is dropped whole.
  const keysOf = new Map<string, Set<string>>();
  return {
    read(apiCall, region) {
      const operation = `${apiCall.service}:${apiCall.operation}`;
      const where = ANY_REGION_OPERATIONS.has(operation) ? '*' : region;
      const key = `${where}|${operation}:${JSON.stringify(apiCall.input)}`;
      const cached = memo.get(key);
      if (cached) return cached;
      const started = generation;
      const pending = send(apiCall, region);
      memo.set(key, pending);
      const bucket = bucketOf(apiCall);
      if (bucket !== undefined) {
        const keys = keysOf.get(bucket) ?? new Set<string>();
        keys.add(key);
        keysOf.set(bucket, keys);
      }
      // A rejection is kept too (a denied read stays denied for the run); the
      // caller handles it, this only forgets a read a write overtook.
      const settle = () => {
        if (generation !== started && memo.get(key) === pending) memo.delete(key);
      };
      pending.then(settle, settle);
      return pending;
    },
    forget() {
      generation += 1;
      memo.clear();
      keysOf.clear();
    },
    release(bucket) {
      for (const key of keysOf.get(bucket) ?? []) memo.delete(key);
      keysOf.delete(bucket);
    },
  };
}
