/**
 * The policy checks for the review screen: asks the session (src/aws) to
 * check the policy documents the plan writes with IAM Access Analyzer. The
 * screen renders at once and shows progress meanwhile; a plan that writes no
 * policy needs no call at all. The same documents are checked once, however
 * often the plan is rebuilt around them.
 */
import { useCallback, useMemo } from 'react';
import type { AwsSession } from '../aws/session.js';
import type { Plan } from '../plan/model/types.js';
import {
  nothingToCheck,
  type PolicyValidation,
  policiesToCheck,
} from '../plan/policy/validation.js';
import { useAsync } from './use-async.js';

export type ValidationState =
  | { readonly status: 'checking' }
  | { readonly status: 'done'; readonly value: PolicyValidation };

const NONE: ValidationState = { status: 'done', value: nothingToCheck() };

export function usePolicyValidation(
  session: AwsSession | undefined,
  plan: Plan | undefined,
  active: boolean,
): ValidationState {
  // What is checked, as one key: the plan object changes on every render of
  // the answers, the documents only when a policy does.
  const key = useMemo(() => (plan ? JSON.stringify(policiesToCheck(plan)) : '[]'), [plan]);
  const checks = key !== '[]';
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the plan's policies.
  const load = useCallback(
    () => (session as AwsSession).validatePolicies(plan as Plan),
    [session, key],
  );
  const state = useAsync(active && checks && session && plan ? load : null);
  if (!checks) return NONE;
  if (state.status === 'loading') return { status: 'checking' };
  if (state.status === 'error') {
    // validatePolicies never rejects; should it, the checks count as skipped.
    return {
      status: 'done',
      value: {
        checked: false,
        skippedReason: state.message,
        policies: policiesToCheck(plan as Plan).map((policy) => policy.change),
        findings: [],
      },
    };
  }
  return { status: 'done', value: state.value };
}
