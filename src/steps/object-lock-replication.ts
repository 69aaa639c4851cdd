/**
 * The Object Lock step and replication: S3 replicates locked objects only
 * into a destination that has Object Lock too (otherwise each fails with
 * DstBucketObjectLockConfigMissing), and the replication role then also
 * reads each object's retention and legal hold. Turning Object Lock on is
 * refused while a destination is known to lack it — it cannot be undone —
 * and warned of when a destination cannot be read (another account's).
 */
import type { Change, Posture } from '../plan/model/types.js';
import {
  destinationLockCommand,
  lockDestinations,
  roleLockCommand,
  unknownList,
} from '../plan/policy/replication.js';
import { enabledRules } from '../plan/resources/replication.js';

const RESOURCE = 'bucket.objectLock';

/** The replication destinations known to lack Object Lock, and those not known. */
function destinations(posture: Posture) {
  return lockDestinations(
    posture.values['bucket.replication'],
    posture.values['bucket.replicationTargets'],
    posture.unreadable['bucket.replicationTargets'],
  );
}

/**
 * Why Object Lock cannot be turned on without breaking replication (a
 * destination without it), with the fix; null when nothing stands in the way.
 */
export function replicationBlocksLock(posture: Posture): string | null {
  const { missing } = destinations(posture);
  if (missing.length === 0) return null;
  const commands = missing.map(destinationLockCommand).join('; ');
  return `replication destination ${missing.join(', ')} has no Object Lock: S3 cannot replicate locked objects into it; turn Object Lock on there first (${commands}), then plan again`;
}

/** What turning Object Lock on means for the bucket's replication: one warning each. */
export function replicationWarnings(posture: Posture): string[] {
  const unread = posture.unreadable['bucket.replication'];
  if (unread) {
    return [
      `the replication configuration could not be read (${unread}): if the bucket replicates, every destination needs Object Lock too, or locked objects fail to replicate`,
    ];
  }
  const value = posture.values['bucket.replication'];
  if (!value || enabledRules(value).length === 0) return [];
  const warnings: string[] = [];
  const { unknown } = destinations(posture);
  if (unknown.length > 0) {
    warnings.push(
      `the Object Lock of replication destination ${unknownList(unknown)} could not be read: make sure it has Object Lock (${unknown.map((item) => destinationLockCommand(item.bucket)).join('; ')}), or locked objects fail to replicate`,
    );
  }
  warnings.push(
    `the replication role ${value.Role} needs s3:GetObjectRetention and s3:GetObjectLegalHold on the objects to replicate locked ones: ${roleLockCommand(value.Role, posture)}`,
  );
  return warnings;
}

/**
 * Turning Object Lock on while a replication destination lacks it: refused
 * (it cannot be undone, and locked objects would stop replicating). Null
 * when the plan does not turn it on, or nothing stands in the way.
 */
export function replicationPrerequisite(
  changes: readonly Change[],
  posture: Posture,
): string | null {
  const enabling = changes.some((change) => change.resource === RESOURCE && change.before === null);
  if (!enabling) return null;
  const blocked = replicationBlocksLock(posture);
  return blocked ? `Object Lock: ${blocked}` : null;
}
