/**
 * Reading resources over one way of sending (a session's view): one
 * resource's value, one resource into a posture (a denial recorded, not
 * thrown), and the access-log target bucket's resources together.
 */
import type { RunIdentity } from '../plan/model/call.js';
import type { Posture, ResourceKey, Target } from '../plan/model/types.js';
import { RESOURCES } from '../plan/resources/index.js';
import { AwsError } from './errors.js';
import type { ReadSend } from './families/family.js';
import { READERS } from './families/index.js';

export type ReadInto = (
  target: Target,
  resource: ResourceKey,
  values: Record<string, unknown>,
  unreadable: Record<string, string>,
  optional?: boolean,
) => Promise<AwsError | undefined>;

export function resourceReads(readCall: ReadSend): {
  read(target: Target, resource: ResourceKey, identity?: RunIdentity): Promise<unknown>;
  readInto: ReadInto;
} {
  const read = async (
    target: Target,
    resource: ResourceKey,
    identity?: RunIdentity,
  ): Promise<unknown> => {
    const reader = READERS[resource];
    try {
      if ('query' in reader) return await reader.query(target, readCall, identity);
      return reader.extract(await readCall(reader.call(target)));
    } catch (error) {
      if ((error as { absent?: boolean }).absent) return null;
      throw error;
    }
  };

  /**
   * Reads one resource into a posture's values. A denied read is a fact
   * about the posture, not a crash: it goes to `unreadable` and the step
   * that needs it is skipped and says why. An optional read (a key or
   * endpoint listing) fails soft whatever the reason, e.g. an endpoint
   * without KMS or EC2: its step falls back to typed input. Returns the
   * failure, for a caller that did not confirm the bucket first.
   */
  const readInto: ReadInto = async (target, resource, values, unreadable, optional = false) => {
    try {
      values[resource] = await read(target, resource);
    } catch (error) {
      if (error instanceof AwsError && error.kind === 'access-denied')
        unreadable[resource] = error.message;
      else if (optional) unreadable[resource] = (error as Error).message;
      else throw error;
      return error instanceof AwsError ? error : undefined;
    }
    return undefined;
  };
  return { read, readInto };
}

/**
 * `posture` with the `logTarget.*` resources of `logBucket` read afresh.
 * Whether it exists first: a missing bucket (or one not ours to read) has
 * nothing else to read, and its other resources read as null. `together`:
 * the bucket is expected to exist (a plan saw it), so its other reads go out
 * beside that question — one round trip, not two — and are dropped if it is
 * gone after all.
 */
export async function readLogTarget(
  readInto: ReadInto,
  posture: Posture,
  logBucket: string,
  together = false,
): Promise<Posture> {
  const target = {
    accountId: posture.accountId,
    region: posture.region,
    bucket: posture.bucket,
    logBucket,
  };
  const values: Record<string, unknown> = { ...posture.values };
  const unreadable: Record<string, string> = { ...posture.unreadable };
  const resources = (Object.keys(RESOURCES) as ResourceKey[]).filter(
    (resource) => RESOURCES[resource].scope === 'logTarget',
  );
  for (const resource of resources) {
    delete values[resource];
    delete unreadable[resource];
  }
  const rest = resources.filter((resource) => resource !== 'logTarget.exists');
  const read: Record<string, unknown> = {};
  const refused: Record<string, string> = {};
  const readRest = () => rest.map((resource) => readInto(target, resource, read, refused));
  const [exists, ...others] = await Promise.allSettled([
    readInto(target, 'logTarget.exists', values, unreadable),
    ...(together ? readRest() : []),
  ]);
  if (exists?.status === 'rejected') throw exists.reason;
  if (values['logTarget.exists']) {
    const failed = (together ? others : await Promise.allSettled(readRest())).find(
      (other) => other.status === 'rejected',
    );
    if (failed) throw failed.reason;
    Object.assign(values, read);
    Object.assign(unreadable, refused);
  } else {
    for (const resource of resources) if (!(resource in values)) values[resource] = null;
  }
  return { ...posture, logBucket, values, unreadable };
}
