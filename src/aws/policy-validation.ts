/**
 * Policy validation with IAM Access Analyzer: every policy document a plan
 * writes ('bucket.policy', 'logTarget.policy', 'bucket.accessPointPolicy') is
 * checked with ValidatePolicy (a resource policy of AWS::S3::Bucket, or
 * AWS::S3::AccessPoint for the access point's) and CheckNoPublicAccess, before
 * review and again before apply. The answers become plain findings
 * (../plan/policy/validation.ts).
 *
 * An endpoint without Access Analyzer (the local emulator, LocalStack's free
 * edition, MinIO) answers with an HTML error page, a 404 or a 501: that is
 * detected on the first call and remembered for the validator's life (one per
 * session, so once per run); the checks are then skipped with the reason, as
 * they are when the caller may not run them. Nothing here throws.
 */
import type { ApiCall, Plan } from '../plan/model/types.js';
import {
  type FindingSeverity,
  jsonPath,
  nothingToCheck,
  type PathStep,
  type PolicyFinding,
  type PolicyToCheck,
  type PolicyValidation,
  policiesToCheck,
  sortFindings,
} from '../plan/policy/validation.js';
import { deferredCommand } from './clients.js';
import { AwsError, normaliseError } from './errors.js';
import type { AwsFamily } from './families/family.js';

/**
 * Sends one Access Analyzer call. The SDK's own error must reach the
 * validator un-normalised: telling "no such service here" from a denial
 * needs the HTTP status and whether the body was Access Analyzer's JSON.
 */
export type AnalyzerSend = (call: ApiCall) => Promise<Record<string, unknown>>;

export interface PolicyValidator {
  /** Checks the policies `plan` writes. Never rejects: failures become `skippedReason`. */
  validate(plan: Plan): Promise<PolicyValidation>;
  /**
   * Why Access Analyzer cannot be used in this run (not available at this
   * endpoint, access denied…), once a call has shown it; undefined otherwise.
   */
  readonly unavailable: string | undefined;
}

/**
 * The two Access Analyzer operations the checks send, deferred: the SDK
 * module (./access-analyzer.ts) loads only when a policy is first checked.
 */
export const policyValidationAws: AwsFamily = {
  commands: {
    accessanalyzer: {
      ValidatePolicy: deferredCommand('ValidatePolicy'),
      CheckNoPublicAccess: deferredCommand('CheckNoPublicAccess'),
    },
  },
  readers: {},
};

export const NOT_AVAILABLE = 'IAM Access Analyzer is not available at this endpoint';

/** A runaway paginator stops here (ValidatePolicy returns far fewer pages). */
const MAX_PAGES = 50;

const NOT_AVAILABLE_CODES = new Set([
  'UnknownOperationException',
  'UnknownOperation',
  'NotImplemented',
  'NotImplementedException',
  'InvalidAction',
  'UnsupportedOperation',
  'UnsupportedOperationException',
]);

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
}

/** Why a check did not run; `lasting` ones are remembered for the rest of the run. */
interface Failure {
  readonly reason: string;
  readonly lasting: boolean;
}

/**
 * True when the endpoint does not implement Access Analyzer: its answer was
 * not Access Analyzer's JSON (an HTML error page: the SDK cannot deserialise
 * it), a 404 or 501, or an error saying the operation is unknown.
 */
export function isNotAvailable(raw: unknown): boolean {
  // Already recognised (the Access Analyzer client checks the raw response;
  // normaliseError knows an undeserialisable answer).
  if (raw instanceof AwsError) {
    return raw.kind === 'not-available' || NOT_AVAILABLE_CODES.has(raw.code ?? '');
  }
  const error = (raw ?? {}) as SdkError;
  const code = error.Code ?? error.name ?? '';
  const status = error.$metadata?.httpStatusCode;
  const message = error.message ?? '';
  if (code === 'SyntaxError' || /Deserialization error/i.test(message)) return true;
  if (status === 404 || status === 501) return true;
  if (NOT_AVAILABLE_CODES.has(code)) return true;
  return /not (yet )?implemented|unknown operation|no such (service|operation)|pro feature/i.test(
    message,
  );
}

/** The one-line reason a check could not run, and whether it will last. */
export function failureOf(raw: unknown, call: ApiCall, endpoint?: string): Failure {
  if (isNotAvailable(raw)) return { reason: NOT_AVAILABLE, lasting: true };
  const error = normaliseError(raw, { call, ...(endpoint ? { endpoint } : {}) });
  switch (error.kind) {
    case 'not-available':
      return { reason: NOT_AVAILABLE, lasting: true };
    case 'access-denied':
      return { reason: `access denied: access-analyzer:${call.operation}`, lasting: true };
    case 'unreachable':
      return { reason: `cannot reach IAM Access Analyzer (${error.code})`, lasting: true };
    case 'credentials':
    case 'region':
      return { reason: error.message.replace(/\.$/, ''), lasting: true };
    case 'throttled':
      return {
        reason: `IAM Access Analyzer is throttling requests (${error.code}); try again shortly`,
        lasting: false,
      };
    default: {
      const detail = firstLine((raw as SdkError | undefined)?.message);
      const code = error.code ?? 'Error';
      return {
        reason: `IAM Access Analyzer refused ${call.operation} (${code}${detail && detail !== code ? `: ${detail}` : ''})`,
        lasting: false,
      };
    }
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.trim() ?? '';
}

/** Access Analyzer's text as one line. */
function oneLine(text: unknown): string {
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '';
}

const SEVERITY: Record<string, FindingSeverity> = {
  ERROR: 'error',
  SECURITY_WARNING: 'security-warning',
  WARNING: 'warning',
  SUGGESTION: 'suggestion',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A ValidatePolicy path element (a one-member union) as a path step; null when unknown. */
function pathStep(element: unknown): PathStep | null {
  if (!isRecord(element)) return null;
  if (typeof element.index === 'number') return { index: element.index };
  if (typeof element.key === 'string') return { key: element.key };
  if (typeof element.value === 'string') return { value: element.value };
  const substring = element.substring;
  if (
    isRecord(substring) &&
    typeof substring.start === 'number' &&
    typeof substring.length === 'number'
  ) {
    return { substring: { start: substring.start, length: substring.length } };
  }
  return null;
}

function locationsOf(finding: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const location of Array.isArray(finding.locations) ? finding.locations : []) {
    const elements = isRecord(location) && Array.isArray(location.path) ? location.path : [];
    const steps = elements.map(pathStep).filter((step): step is PathStep => step !== null);
    const path = jsonPath(steps);
    if (path && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

/** A finding's own fields, before it is tied to a change of the plan. */
type RawFinding = Omit<PolicyFinding, 'change' | 'policy'>;

export function validatePolicyFinding(finding: unknown): RawFinding | null {
  if (!isRecord(finding)) return null;
  const [location, ...alsoAt] = locationsOf(finding);
  const code = oneLine(finding.issueCode);
  const learnMore = oneLine(finding.learnMoreLink);
  return {
    severity: SEVERITY[String(finding.findingType)] ?? 'warning',
    message: oneLine(finding.findingDetails) || code || 'Access Analyzer reported an issue',
    ...(location ? { location } : {}),
    ...(alsoAt.length > 0 ? { alsoAt } : {}),
    check: 'ValidatePolicy',
    ...(code ? { code } : {}),
    ...(learnMore ? { learnMore } : {}),
  };
}

/** CheckNoPublicAccess's FAIL as security warnings, one per reason (statement). */
export function publicAccessFindings(
  output: Record<string, unknown>,
  document: string,
): RawFinding[] {
  if (output.result !== 'FAIL') return [];
  let statements: unknown;
  try {
    statements = (JSON.parse(document) as { Statement?: unknown }).Statement;
  } catch {
    statements = undefined;
  }
  const overall = oneLine(output.message) || 'the policy may allow public access';
  const reasons = (Array.isArray(output.reasons) ? output.reasons : []).filter(isRecord);
  if (reasons.length === 0) {
    return [{ severity: 'security-warning', message: overall, check: 'CheckNoPublicAccess' }];
  }
  return reasons.map((reason) => {
    const index = typeof reason.statementIndex === 'number' ? reason.statementIndex : undefined;
    const sid = oneLine(reason.statementId);
    const location =
      index === undefined
        ? undefined
        : Array.isArray(statements)
          ? `Statement[${index}]`
          : 'Statement';
    const description = oneLine(reason.description) || overall;
    return {
      severity: 'security-warning',
      message: `may allow public access${sid ? ` (Sid ${sid})` : ''}: ${description}`,
      ...(location ? { location } : {}),
      check: 'CheckNoPublicAccess',
    } satisfies RawFinding;
  });
}

/** The ValidatePolicy request for one document (first page). */
export function validatePolicyCall(
  policy: Pick<PolicyToCheck, 'document' | 'resourceType'>,
): ApiCall {
  return {
    service: 'accessanalyzer',
    operation: 'ValidatePolicy',
    input: {
      policyDocument: policy.document,
      policyType: 'RESOURCE_POLICY',
      validatePolicyResourceType: policy.resourceType,
    },
  };
}

export function checkNoPublicAccessCall(
  policy: Pick<PolicyToCheck, 'document' | 'resourceType'>,
): ApiCall {
  return {
    service: 'accessanalyzer',
    operation: 'CheckNoPublicAccess',
    input: { policyDocument: policy.document, resourceType: policy.resourceType },
  };
}

interface DocumentResult {
  readonly findings: readonly RawFinding[];
  readonly failure?: Failure;
}

export function createPolicyValidator(
  send: AnalyzerSend,
  options: { readonly endpoint?: string } = {},
): PolicyValidator {
  let unavailable: string | undefined;
  // One check per document and resource type for the validator's life; a
  // failure that may pass (throttling) is forgotten so the next check retries.
  const results = new Map<string, Promise<DocumentResult>>();

  const attempt = async (
    call: ApiCall,
  ): Promise<{ output: Record<string, unknown> } | { failure: Failure }> => {
    try {
      return { output: await send(call) };
    } catch (error) {
      const failure = failureOf(error, call, options.endpoint);
      if (failure.lasting) unavailable ??= failure.reason;
      return { failure };
    }
  };

  const checkDocument = async (policy: PolicyToCheck): Promise<DocumentResult> => {
    const findings: RawFinding[] = [];
    const first = validatePolicyCall(policy);
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const call = token ? { ...first, input: { ...first.input, nextToken: token } } : first;
      const answer = await attempt(call);
      if ('failure' in answer) return { findings, failure: answer.failure };
      const { output } = answer;
      for (const finding of Array.isArray(output.findings) ? output.findings : []) {
        const converted = validatePolicyFinding(finding);
        if (converted) findings.push(converted);
      }
      token =
        typeof output.nextToken === 'string' && output.nextToken !== ''
          ? output.nextToken
          : undefined;
      if (!token || seen.has(token)) break;
      seen.add(token);
    }
    const answer = await attempt(checkNoPublicAccessCall(policy));
    if ('failure' in answer) return { findings, failure: answer.failure };
    findings.push(...publicAccessFindings(answer.output, policy.document));
    return { findings };
  };

  const resultFor = (policy: PolicyToCheck): Promise<DocumentResult> => {
    const key = `${policy.resourceType}\n${policy.document}`;
    let result = results.get(key);
    if (!result) {
      result = checkDocument(policy);
      results.set(key, result);
      result.then((settled) => {
        if (settled.failure && !settled.failure.lasting) results.delete(key);
      });
    }
    return result;
  };

  return {
    get unavailable() {
      return unavailable;
    },
    async validate(plan) {
      const policies = policiesToCheck(plan);
      if (policies.length === 0) return nothingToCheck();
      const ids = policies.map((policy) => policy.change);
      const findings: PolicyFinding[] = [];
      let skippedReason: string | undefined;
      // The first policy alone: an endpoint without the service, or a caller
      // without the permission, is found once rather than once a policy. The
      // rest then go out together: one round trip before apply's first
      // write, not one a policy.
      const ask = (policy: PolicyToCheck) =>
        unavailable ? Promise.resolve(undefined) : resultFor(policy);
      const [head, ...rest] = policies as [PolicyToCheck, ...PolicyToCheck[]];
      const answers = [await ask(head)];
      answers.push(...(await Promise.all(rest.map(ask))));
      for (const [index, policy] of policies.entries()) {
        const result = answers[index];
        if (!result) {
          skippedReason ??= unavailable;
          continue;
        }
        for (const finding of result.findings) {
          findings.push({ ...finding, change: policy.change, policy: policy.label });
        }
        if (result.failure) skippedReason ??= result.failure.reason;
      }
      return {
        checked: skippedReason === undefined,
        ...(skippedReason ? { skippedReason } : {}),
        policies: ids,
        findings: sortFindings(findings),
      };
    },
  };
}
