/**
 * The independent judge of policy semantics: @cloud-copilot/iam-simulate, an
 * IAM policy evaluator (identity, resource, SCP/RCP and VPC endpoint
 * policies, S3 Block Public Access). The emulator stores policies but never
 * evaluates them, so this is how the suite tells what a written policy
 * allows on real AWS.
 *
 * The simulator is AGPL-3.0: it is a devDependency imported from this file
 * only, and nothing under src/ may import it (test/unit/licences.test.ts).
 *
 * Strict on its inputs: a request the simulator rejects (an unknown action,
 * a resource of the wrong type) or a context key it would ignore (one the
 * action does not take, or a typo) throws, so a row cannot pass because its
 * request was never evaluated as written.
 */
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** A policy document as the simulator takes it. */
export type SimPolicy = Readonly<Record<string, unknown>>;

export interface SimRequest {
  /** A principal ARN, a service principal (logging.s3.amazonaws.com), or an unsigned request. */
  readonly principal: string | 'anonymous';
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  /** Condition keys as the request carries them; a key left out is absent. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** The principal's own IAM policies (none for service principals and anonymous callers). */
  readonly identityPolicies?: readonly SimPolicy[];
  /** The bucket, access point or key policy; null = none. */
  readonly resourcePolicy?: SimPolicy | null;
  /** The effective S3 RestrictPublicBuckets setting (bucket or account). */
  readonly restrictPublicBuckets?: boolean;
}

export class SimulatorInputError extends Error {
  override name = 'SimulatorInputError';
}

/** The decision IAM would make on one request. */
export async function decide(request: SimRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal === 'anonymous' ? anonymousPrincipal : request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: Object.fromEntries(
          Object.entries(request.context).map(([key, value]) => [
            key,
            typeof value === 'string' ? value : [...value],
          ]),
        ),
      },
      identityPolicies: (request.identityPolicies ?? []).map((policy, index) => ({
        name: `identity${index + 1}`,
        policy,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
      ...(request.restrictPublicBuckets !== undefined
        ? { additionalSettings: { s3: { blockPublicAccess: request.restrictPublicBuckets } } }
        : {}),
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new SimulatorInputError(
      `the simulator refused ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  if (result.resultType !== 'single') {
    throw new SimulatorInputError(`expected one resource, got ${result.resultType}`);
  }
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new SimulatorInputError(
      `${request.action} takes no context key ${ignored.join(', ')}: the row would not be evaluated as written`,
    );
  }
  return result.overallResult as Decision;
}

/** An identity policy that allows everything: the principal's own permissions are not the question. */
export const ALLOW_ALL: SimPolicy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
