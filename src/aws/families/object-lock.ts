import {
  GetObjectLockConfigurationCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import {
  type DefaultRetention,
  type ObjectLockConfiguration,
  RETENTION_MODES,
  type RetentionMode,
} from '../../plan/resources/object-lock.js';
import type { AwsFamily } from './family.js';

const positive = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/** Not enabled (or "not found") reads as null; a rule keeps only the period S3 reports. */
export function objectLock(output: Record<string, unknown>): ObjectLockConfiguration | null {
  const raw = output.ObjectLockConfiguration as
    | {
        ObjectLockEnabled?: string;
        Rule?: { DefaultRetention?: { Mode?: string; Days?: unknown; Years?: unknown } };
      }
    | undefined;
  if (raw?.ObjectLockEnabled !== 'Enabled') return null;
  const retention = raw.Rule?.DefaultRetention;
  if (!retention || !RETENTION_MODES.includes(retention.Mode as RetentionMode)) {
    return { ObjectLockEnabled: 'Enabled' };
  }
  const rule: DefaultRetention = {
    Mode: retention.Mode as RetentionMode,
    ...(positive(retention.Days) ? { Days: retention.Days } : {}),
    ...(positive(retention.Years) ? { Years: retention.Years } : {}),
  };
  return { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: rule } };
}

export const objectLockAws: AwsFamily = {
  commands: {
    s3: {
      GetObjectLockConfiguration: GetObjectLockConfigurationCommand,
      PutObjectLockConfiguration: PutObjectLockConfigurationCommand,
    },
  },
  readers: {
    'bucket.objectLock': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetObjectLockConfiguration',
        input: { Bucket: bucket },
      }),
      extract: objectLock,
    },
  },
};
