import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type PutBucketLifecycleConfigurationCommandInput,
} from '@aws-sdk/client-s3';
import type { LifecycleConfiguration, LifecycleRule } from '../../plan/resources/lifecycle.js';
import type { AwsFamily } from './family.js';

/** A Date the SDK parsed, as the ISO string a plan file holds (and back). */
function mapDates(rule: Record<string, unknown>, convert: (value: unknown) => unknown) {
  const out: Record<string, unknown> = { ...rule };
  const expiration = out.Expiration as Record<string, unknown> | undefined;
  if (expiration && 'Date' in expiration) {
    out.Expiration = { ...expiration, Date: convert(expiration.Date) };
  }
  if (Array.isArray(out.Transitions)) {
    out.Transitions = (out.Transitions as Record<string, unknown>[]).map((transition) =>
      'Date' in transition ? { ...transition, Date: convert(transition.Date) } : transition,
    );
  }
  return out;
}

const toIso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
const toDate = (value: unknown) => (typeof value === 'string' ? new Date(value) : value);

/** Every rule as S3 returned it (dates as ISO strings); no configuration reads as null. */
export function lifecycle(output: Record<string, unknown>): LifecycleConfiguration | null {
  const rules = output.Rules as Record<string, unknown>[] | undefined;
  if (!Array.isArray(rules) || rules.length === 0) return null;
  const size = output.TransitionDefaultMinimumObjectSize;
  return {
    Rules: rules.map((rule) => mapDates(rule, toIso) as LifecycleRule),
    ...(typeof size === 'string' ? { TransitionDefaultMinimumObjectSize: size } : {}),
  };
}

/** The put, with the plan's ISO dates given to the SDK as the dates it serialises. */
class PutLifecycleCommand extends PutBucketLifecycleConfigurationCommand {
  constructor(input: PutBucketLifecycleConfigurationCommandInput) {
    const rules = input.LifecycleConfiguration?.Rules ?? [];
    super({
      ...input,
      LifecycleConfiguration: {
        Rules: rules.map((rule) =>
          mapDates(rule as unknown as Record<string, unknown>, toDate),
        ) as never,
      },
    });
  }
}

export const lifecycleAws: AwsFamily = {
  commands: {
    s3: {
      GetBucketLifecycleConfiguration: GetBucketLifecycleConfigurationCommand,
      PutBucketLifecycleConfiguration: PutLifecycleCommand,
      DeleteBucketLifecycle: DeleteBucketLifecycleCommand,
    },
  },
  readers: {
    'bucket.lifecycle': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketLifecycleConfiguration',
        input: { Bucket: bucket },
      }),
      extract: lifecycle,
    },
  },
};
