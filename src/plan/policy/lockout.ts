/**
 * The lockout guard: before a plan is applied, every Deny statement in the
 * policies it writes (the bucket policy, the log target's policy, the access
 * point policy) is evaluated against the caller — their principal, whether
 * they connect over TLS, their source IP and VPC endpoint if they say so. A
 * Deny that would stop them from reading, writing or deleting the bucket
 * policy afterwards, or from running (or undoing) the rest of the plan, is a
 * finding. What the guard cannot decide (an unknown condition key or
 * operator, an IP condition without a known source IP) is "may deny".
 *
 * Pure: no I/O. The commands and the review screen show the findings and
 * refuse the plan unless the operator exempts their principal or overrides.
 *
 * Why one file of ~520 lines: a small IAM condition evaluator (operators,
 * keys, IfExists, principals) and the checks that use it, kept together so
 * every "may deny" comes from one place.
 */
import { iamActionFor } from '../model/operations.js';
import { asList, isObject, type PolicyDocument, statementsOf, wildcard } from './document.js';
import { partitionOf } from './statements.js';

export { exemptCondition } from './statements.js';

import type { Change, Plan } from '../model/types.js';
import type { Line } from '../render/render.js';
import { cidrContains } from './ip.js';

/** Who is applying the plan, and how their requests reach S3. */
export interface CallerContext {
  /** The caller's ARN (STS GetCallerIdentity). */
  readonly principalArn: string;
  /** Whether requests use TLS (aws:SecureTransport). */
  readonly secureTransport: boolean;
  /** The caller's public IP (aws:SourceIp), when known. */
  readonly sourceIp?: string;
  /** The VPC endpoint requests come through (aws:SourceVpce); absent = not through one. */
  readonly sourceVpce?: string;
  /** s3:TlsVersion over TLS; 1.2 unless known otherwise. */
  readonly tlsVersion?: number;
}

/**
 * A request an AWS service principal makes on its own (log delivery:
 * logging.s3.amazonaws.com), for the checks that a Deny does not cut off
 * what a bucket must keep receiving. aws:PrincipalIsAWSService is true.
 */
export interface ServiceRequest {
  /** The service principal, e.g. logging.s3.amazonaws.com. */
  readonly service: string;
  readonly secureTransport: boolean;
  /**
   * The request's other condition keys by lower-case name: a value, or null
   * when the request does not carry the key. A key not listed is unknown.
   */
  readonly keys: Readonly<Record<string, string | null>>;
}

/** Who a Deny is judged against: a principal with credentials, or an AWS service. */
export type Requester = CallerContext | ServiceRequest;

function isService(requester: Requester): requester is ServiceRequest {
  return 'service' in requester;
}

export type LockoutCertainty = 'denies' | 'may deny';

export interface LockoutFinding {
  /** Which policy: the bucket's, the log target's or the access point's. */
  readonly policy: 'bucket' | 'log target' | 'access point';
  /** The statement's position in the policy (0-based). */
  readonly index: number;
  readonly sid?: string;
  /** One line: what is denied, and why the condition holds. */
  readonly reason: string;
  /** What is denied, without the why: "denies you s3:GetBucketPolicy on arn:…". */
  readonly denied: string;
  /** Why the Deny applies, one item each (empty: unconditionally). */
  readonly because: readonly string[];
  readonly certainty: LockoutCertainty;
}

/** What the operator needs on a bucket after any plan: to manage its policy. */
export const POLICY_ACTIONS: readonly string[] = [
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
];

function accountOf(arn: string): string {
  return /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? '';
}

/**
 * The ARN policies see as aws:PrincipalArn: for an assumed-role session, the
 * role (arn:aws:iam::111122223333:role/Name), otherwise the caller's ARN.
 */
export function principalArnFor(callerArn: string): string {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : callerArn;
}

type Tri = true | false | 'unknown';

/** Whether a Principal element names the requester: exactly, through their account/role, or not. */
function principalMatch(principal: unknown, requester: Requester): 'exact' | 'broad' | 'no' {
  if (principal === '*') return 'broad';
  if (!isObject(principal)) return 'no';
  const names = asList(principal.AWS);
  if (names.includes('*')) return 'broad';
  if (isService(requester)) {
    const service = requester.service.toLowerCase();
    return asList(principal.Service).some((name) => name.toLowerCase() === service)
      ? 'exact'
      : 'no';
  }
  const caller = requester.principalArn;
  const role = principalArnFor(caller);
  const account = accountOf(caller);
  if (names.includes(caller)) return 'exact';
  if (names.includes(role)) return 'exact';
  if (
    account &&
    names.some(
      (name) => name === account || (accountOf(name) === account && name.endsWith(':root')),
    )
  ) {
    return 'broad';
  }
  return 'no';
}

function actionsCovered(statement: Record<string, unknown>, needed: readonly string[]): string[] {
  if ('NotAction' in statement) {
    const excluded = asList(statement.NotAction);
    return needed.filter((action) => !excluded.some((pattern) => wildcard(pattern, action, true)));
  }
  const patterns = asList(statement.Action);
  return needed.filter((action) => patterns.some((pattern) => wildcard(pattern, action, true)));
}

function resourceCovered(statement: Record<string, unknown>, arn: string): boolean {
  if ('NotResource' in statement) {
    return !asList(statement.NotResource).some((pattern) => wildcard(pattern, arn));
  }
  return asList(statement.Resource).some((pattern) => wildcard(pattern, arn));
}

/** The requester's condition keys; undefined = absent from the request, 'unknown' = not known. */
function contextValue(key: string, requester: Requester): string | undefined | 'unknown' {
  const name = key.toLowerCase();
  if (name === 'aws:securetransport') return String(requester.secureTransport);
  if (isService(requester)) {
    if (name === 'aws:principalisawsservice') return 'true';
    if (name === 's3:tlsversion' && requester.secureTransport) return '1.2';
    if (!(name in requester.keys)) return 'unknown';
    return requester.keys[name] ?? undefined;
  }
  return callerValue(name, requester);
}

function callerValue(name: string, caller: CallerContext): string | undefined | 'unknown' {
  switch (name) {
    case 'aws:sourceip':
      return caller.sourceIp ?? 'unknown';
    case 'aws:sourcevpce':
      return caller.sourceVpce;
    case 'aws:principalarn':
      return principalArnFor(caller.principalArn);
    case 'aws:principalaccount':
      return accountOf(caller.principalArn) || 'unknown';
    case 's3:tlsversion':
      return caller.secureTransport ? (caller.tlsVersion ?? 1.2).toFixed(1) : undefined;
    // The caller signs their own requests: not a service, not through one.
    case 'aws:principalisawsservice':
    case 'aws:viaawsservice':
      return 'false';
    default:
      return 'unknown';
  }
}

const NUMERIC: Record<string, (a: number, b: number) => boolean> = {
  NumericEquals: (a, b) => a === b,
  NumericNotEquals: (a, b) => a !== b,
  NumericLessThan: (a, b) => a < b,
  NumericLessThanEquals: (a, b) => a <= b,
  NumericGreaterThan: (a, b) => a > b,
  NumericGreaterThanEquals: (a, b) => a >= b,
};

/** Does one value match one condition value under the (non-negated) operator? null = unsupported. */
function matchOne(base: string, actual: string, expected: string): boolean | null {
  switch (base) {
    case 'StringEquals':
      return actual === expected;
    case 'StringEqualsIgnoreCase':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'StringLike':
    case 'ArnEquals':
    case 'ArnLike':
      return wildcard(expected, actual);
    case 'Bool':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'IpAddress':
      return cidrContains(expected, actual);
    default:
      if (base in NUMERIC) {
        const a = Number(actual);
        const b = Number(expected);
        return Number.isNaN(a) || Number.isNaN(b)
          ? null
          : (NUMERIC[base] as (typeof NUMERIC)[string])(a, b);
      }
      return null;
  }
}

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  NotIpAddress: 'IpAddress',
};

const KNOWN_BASES = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
  'Bool',
  'IpAddress',
  ...Object.keys(NUMERIC),
]);

/** Whether one operator/key pair of a Condition holds for the caller. */
function conditionHolds(
  operator: string,
  key: string,
  expected: unknown,
  requester: Requester,
): Tri {
  const actual = contextValue(key, requester);
  const values = asList(expected);
  if (operator === 'Null') {
    if (actual === 'unknown') return 'unknown';
    const absent = actual === undefined;
    return values.some((value) => (value.toLowerCase() === 'true') === absent);
  }
  const ifExists = operator.endsWith('IfExists');
  const name = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const negatedBase = NEGATED[name];
  const base = negatedBase ?? name;
  if (!KNOWN_BASES.has(base)) return 'unknown';
  if (actual === 'unknown') return 'unknown';
  // A key absent from the request: IfExists holds, a negated operator holds, others do not.
  if (actual === undefined) return ifExists || negatedBase !== undefined;
  let any: boolean | 'unknown' = false;
  for (const value of values) {
    const result = matchOne(base, actual, value);
    if (result === null) any = 'unknown';
    else if (result) {
      any = true;
      break;
    }
  }
  if (any === 'unknown') return 'unknown';
  return negatedBase ? !any : any;
}

function describeActual(key: string, requester: Requester): string {
  const actual = contextValue(key, requester);
  if (actual === 'unknown')
    return key.toLowerCase() === 'aws:sourceip'
      ? 'your IP is not known (--source-ip)'
      : 'not known';
  if (actual === undefined)
    return key.toLowerCase() === 'aws:sourcevpce'
      ? 'you are not in a VPC endpoint (--vpce)'
      : 'absent';
  return `yours is ${actual}`;
}

/** Whether a Condition element holds for the requester, and the one-line reason. */
function evaluateCondition(
  condition: unknown,
  requester: Requester,
): { holds: Tri; why: string[] } {
  if (condition === undefined) return { holds: true, why: [] };
  if (!isObject(condition)) return { holds: 'unknown', why: ['the Condition is not an object'] };
  const why: string[] = [];
  let holds: Tri = true;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) return { holds: 'unknown', why: [`${operator} is not an object`] };
    for (const [key, expected] of Object.entries(block)) {
      const result = operator.includes(':')
        ? 'unknown'
        : conditionHolds(operator, key, expected, requester);
      if (result === false) return { holds: false, why: [] };
      const shown = `${operator} ${key} ${asList(expected).join(',')}`;
      if (result === 'unknown') {
        holds = 'unknown';
        why.push(
          `${shown} cannot be evaluated (${knownKey(key, requester) ? describeActual(key, requester) : 'unknown key or operator'})`,
        );
      } else why.push(`${shown} holds (${describeActual(key, requester)})`);
    }
  }
  return { holds, why };
}

const KNOWN_KEYS = new Set([
  'aws:securetransport',
  'aws:sourceip',
  'aws:sourcevpce',
  'aws:principalarn',
  'aws:principalaccount',
  's3:tlsversion',
  'aws:principalisawsservice',
  'aws:viaawsservice',
]);

/** Whether the evaluator knows what `key` is for this requester (its value may still be unknown). */
function knownKey(key: string, requester: Requester): boolean {
  const name = key.toLowerCase();
  return KNOWN_KEYS.has(name) || (isService(requester) && name in requester.keys);
}

/**
 * Whether one statement would deny the caller one of `needed` on `resourceArn`:
 * null when it does not (not a Deny, another principal, action or resource,
 * or a condition that does not hold).
 */
export function evaluateDeny(
  statement: unknown,
  requester: Requester,
  needed: readonly string[],
  resourceArn: string,
): Pick<LockoutFinding, 'certainty' | 'reason' | 'denied' | 'because'> | null {
  if (!isObject(statement) || statement.Effect !== 'Deny') return null;
  let certain = true;
  const notes: string[] = [];
  const who = isService(requester) ? requester.service : 'you';
  if ('NotPrincipal' in statement) {
    const match = principalMatch(statement.NotPrincipal, requester);
    if (match === 'exact') return null;
    // An account in NotPrincipal does not exempt its users and roles with Deny.
    if (match === 'broad') {
      certain = false;
      notes.push('NotPrincipal names your account, not you');
    } else notes.push(`NotPrincipal does not name ${who}`);
  } else {
    const match = principalMatch(statement.Principal, requester);
    if (match === 'no') return null;
  }
  const actions = actionsCovered(statement, needed);
  if (actions.length === 0) return null;
  if (!resourceCovered(statement, resourceArn)) return null;
  const { holds, why } = evaluateCondition(statement.Condition, requester);
  if (holds === false) return null;
  if (holds === 'unknown') certain = false;
  const shownActions =
    actions.length > 3
      ? `${actions.slice(0, 3).join(', ')} and ${actions.length - 3} more`
      : actions.join(', ');
  const because = [...notes, ...why];
  const denied = `${certain ? 'denies' : 'may deny'} ${who} ${shownActions} on ${resourceArn}`;
  return {
    certainty: certain ? 'denies' : 'may deny',
    reason: `${denied}${because.length > 0 ? `: ${because.join('; ')}` : ' unconditionally'}`,
    denied,
    because,
  };
}

/** Every Deny in a document that would deny the caller, one finding each. */
export function lockoutFindingsFor(
  policy: LockoutFinding['policy'],
  document: PolicyDocument | null,
  caller: Requester,
  needed: readonly string[],
  resourceArn: string,
): LockoutFinding[] {
  const findings: LockoutFinding[] = [];
  statementsOf(document).forEach((statement, index) => {
    const verdict = evaluateDeny(statement, caller, needed, resourceArn);
    if (!verdict) return;
    const sid =
      isObject(statement) && typeof statement.Sid === 'string' ? statement.Sid : undefined;
    findings.push({ policy, index, ...(sid ? { sid } : {}), ...verdict });
  });
  return findings;
}

/** The IAM actions the plan's calls and undos make on `bucket`, with the policy actions. */
export function neededActions(changes: readonly Change[], bucket: string): string[] {
  const actions = new Set(POLICY_ACTIONS);
  for (const change of changes) {
    for (const call of [change.call, change.undo]) {
      if (call && call.service === 's3' && call.input.Bucket === bucket)
        actions.add(iamActionFor(call));
    }
  }
  return [...actions];
}

/** The lockout findings of a plan: the policies it writes, evaluated against the caller. */
export function planLockout(plan: Plan, caller: CallerContext): LockoutFinding[] {
  const { target } = plan;
  const partition = partitionOf(target.region);
  const findings: LockoutFinding[] = [];
  for (const change of plan.changes) {
    const after = (change.after ?? null) as PolicyDocument | null;
    if (change.resource === 'bucket.policy') {
      findings.push(
        ...lockoutFindingsFor(
          'bucket',
          after,
          caller,
          neededActions(plan.changes, target.bucket),
          `arn:${partition}:s3:::${target.bucket}`,
        ),
      );
    } else if (change.resource === 'logTarget.policy' && target.logBucket) {
      findings.push(
        ...lockoutFindingsFor(
          'log target',
          after,
          caller,
          neededActions(plan.changes, target.logBucket),
          `arn:${partition}:s3:::${target.logBucket}`,
        ),
      );
    } else if (change.resource === 'bucket.accessPointPolicy') {
      const name = typeof change.call.input.Name === 'string' ? change.call.input.Name : '*';
      findings.push(
        ...lockoutFindingsFor(
          'access point',
          after,
          caller,
          [
            's3:GetAccessPointPolicy',
            's3:PutAccessPointPolicy',
            's3:DeleteAccessPointPolicy',
            's3:DeleteAccessPoint',
          ],
          `arn:${partition}:s3:${target.region}:${target.accountId}:accesspoint/${name}`,
        ),
      );
    }
  }
  return findings;
}

/**
 * The caller's context from their identity and endpoint. Plain HTTP counts
 * as insecure transport, except to a loopback address: a local emulator, or
 * a proxy on this machine that reaches S3 over TLS.
 */
export function callerContext(
  principalArn: string,
  endpoint: string | undefined,
  extra: { readonly sourceIp?: string; readonly sourceVpce?: string } = {},
): CallerContext {
  let secureTransport = true;
  if (endpoint?.toLowerCase().startsWith('http://')) {
    let host = '';
    try {
      host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    } catch {
      host = '';
    }
    secureTransport = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  }
  return {
    principalArn,
    secureTransport,
    tlsVersion: 1.2,
    ...(extra.sourceIp ? { sourceIp: extra.sourceIp } : {}),
    ...(extra.sourceVpce ? { sourceVpce: extra.sourceVpce } : {}),
  };
}

export { cidrContains, parseIp, sourceIpProblem } from './ip.js';

/** One line per finding, for the CLI and the review screen. */
export function lockoutLine(finding: LockoutFinding): string {
  const name = finding.sid ?? `statement ${finding.index + 1}`;
  return `${finding.certainty === 'denies' ? '✗' : '!'} ${finding.policy} policy ${name} ${finding.reason}`;
}

/** The refusal: the first finding's statement and reason, in one line. */
export function lockoutRefusal(findings: readonly LockoutFinding[]): string {
  const first = findings[0];
  if (!first) return '';
  const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : '';
  return `lockout: ${first.policy} policy ${first.sid ?? `statement ${first.index + 1}`} ${first.reason}${more}`;
}

/** The findings as rendered lines: a heading, then one line each (empty when none). */
export function lockoutLines(findings: readonly LockoutFinding[]): Line[] {
  if (findings.length === 0) return [];
  return [
    { kind: 'heading', text: 'Lockout check: Deny statements that apply to you' },
    // What is denied on one line, each reason on its own: a narrow terminal
    // cuts long lines, and the reason is what the operator acts on.
    ...findings.flatMap((finding): Line[] => {
      const kind = finding.certainty === 'denies' ? 'remove' : 'warning';
      const name = finding.sid ?? `statement ${finding.index + 1}`;
      const symbol = finding.certainty === 'denies' ? '✗' : '!';
      return [
        { kind, text: `  ${symbol} ${finding.policy} policy ${name} ${finding.denied}` },
        ...(finding.because.length > 0 ? finding.because : ['unconditionally']).map(
          (why): Line => ({ kind: 'note', text: `      ${why}` }),
        ),
      ];
    }),
  ];
}
