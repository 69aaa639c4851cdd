/**
 * The lockout guard: before a plan is applied, every Deny statement in the
 * policies it writes (the bucket policy, the log target's policy, the access
 * point policy) is evaluated against the caller — their principal, whether
 * they connect over TLS, their source IP and VPC endpoint if they say so. A
 * Deny that would stop them from reading, writing or deleting the bucket
 * policy afterwards, or from running (or undoing) the rest of the plan, is a
 * finding — and so is a Deny of a read the tool makes on the bucket (the
 * drift check, the read-back after each write and each undo), without which
 * it could not verify or undo the plan. What the guard cannot decide (an
 * unknown condition key or operator, an IP condition without a known source
 * IP, an aws:PrincipalArn condition that turns on a role path it does not
 * know) is "may deny", never "does not apply".
 *
 * Condition values are compared as IAM compares them, as text: a JSON
 * number or boolean (`"Bool": {"aws:SecureTransport": false}`) counts as its
 * string. An assumed-role session's ARN never carries its role's path, so
 * unless the caller context gives the role's ARN, aws:PrincipalArn is the
 * role at any path (none included), and a condition holds, fails or is
 * undecided according as it does for all of them, none or some. ArnLike
 * matches the six ARN components each on its own (a `*` never spans a
 * colon); where reading the ARN as one string would decide otherwise, it is
 * undecided.
 *
 * Pure: no I/O. The commands and the review screen show the findings and
 * refuse the plan unless the operator exempts their principal or overrides.
 *
 * Why one file of ~920 lines: a small IAM condition evaluator (operators,
 * keys, IfExists, principals, role paths) and the checks that use it, kept
 * together so every "may deny" comes from one place.
 */
import { findOperation, iamActionFor } from '../model/operations.js';
import { RESOURCE_KEYS, RESOURCES } from '../resources/index.js';
import { asList, isObject, type PolicyDocument, statementsOf, wildcard } from './document.js';
import { READS } from './iam-policy.js';
import { partitionOf } from './statements.js';

export { exemptCondition } from './statements.js';

import type { OperationSpec } from '../model/call.js';
import type { Change, Plan, ResourceKey } from '../model/types.js';
import type { Line } from '../render/render.js';
import { cidrContains } from './ip.js';

/** Who is applying the plan, and how their requests reach S3. */
export interface CallerContext {
  /** The caller's ARN (STS GetCallerIdentity). */
  readonly principalArn: string;
  /**
   * For an assumed-role session, its role's IAM ARN with the role's path
   * (arn:aws:iam::111122223333:role/team/Name), when known: what policies
   * see as aws:PrincipalArn. The session ARN never carries the path, so
   * without it the role may be at any path. Ignored unless it is the
   * session's role (same partition, account and name).
   */
  readonly roleArn?: string;
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

const SESSION_ARN = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/**
 * The ARN policies see as aws:PrincipalArn: for an assumed-role session, the
 * role (arn:aws:iam::111122223333:role/Name), otherwise the caller's ARN.
 * The session ARN does not carry the role's path: for a role at a path
 * (role/team/Name) this is the ARN it would have without one. The guard
 * itself never assumes that (see sessionRole).
 */
export function principalArnFor(callerArn: string): string {
  const match = SESSION_ARN.exec(callerArn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : callerArn;
}

/** The role of an assumed-role session: its ARN is `prefix` + path + `name`. */
interface SessionRole {
  /** arn:aws:iam::111122223333:role/ */
  readonly prefix: string;
  readonly name: string;
  /** Its ARN with the path, when the caller context gives it. */
  readonly known?: string;
}

/** Whether `arn` names the role at some path, or at none (role/Name, role/a/b/Name). */
function atSomePath(arn: string, role: SessionRole): boolean {
  if (arn === role.prefix + role.name) return true;
  const tail = `/${role.name}`;
  return (
    arn.startsWith(role.prefix) &&
    arn.endsWith(tail) &&
    arn.length > role.prefix.length + tail.length
  );
}

/** The session's role, or null when the caller is not an assumed-role session. */
function sessionRole(caller: CallerContext): SessionRole | null {
  const match = SESSION_ARN.exec(caller.principalArn);
  if (!match) return null;
  const role = { prefix: `arn:${match[1]}:iam::${match[2]}:role/`, name: match[3] as string };
  const known = caller.roleArn;
  return known && atSomePath(known, role) ? { ...role, known } : role;
}

/** The role of an aws:PrincipalArn key whose path is not known, or null. */
function pathUnknown(key: string, requester: Requester): SessionRole | null {
  if (isService(requester) || key.toLowerCase() !== 'aws:principalarn') return null;
  const role = sessionRole(requester);
  return role && role.known === undefined ? role : null;
}

type Tri = true | false | 'unknown';

/** The names of a Principal element (an account ID may be a JSON number). */
function principalNames(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) =>
    typeof item === 'string' ? [item] : typeof item === 'number' ? [String(item)] : [],
  );
}

/** Whether a Principal element names the requester: exactly, through their account/role, or not. */
function principalMatch(principal: unknown, requester: Requester): 'exact' | 'broad' | 'no' {
  if (principal === '*') return 'broad';
  if (!isObject(principal)) return 'no';
  const names = principalNames(principal.AWS);
  if (names.includes('*')) return 'broad';
  if (isService(requester)) {
    const service = requester.service.toLowerCase();
    return principalNames(principal.Service).some((name) => name.toLowerCase() === service)
      ? 'exact'
      : 'no';
  }
  const caller = requester.principalArn;
  const role = sessionRole(requester);
  const account = accountOf(caller);
  if (names.includes(caller)) return 'exact';
  // Unlike a condition, a Principal is resolved when the policy is written
  // (an ARN naming no role is refused), and role names are unique in an
  // account: a role ARN with the session's role name names their role,
  // whatever path it gives.
  if (role && names.some((name) => atSomePath(name, role))) return 'exact';
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
      // Without a known path, conditionHolds weighs every path (pathUnknown).
      return sessionRole(caller)?.known ?? principalArnFor(caller.principalArn);
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

/** An ARN's six colon-delimited components (the last keeps any further colons), or null. */
function arnParts(arn: string): string[] | null {
  const parts = arn.split(':');
  return parts.length < 6 ? null : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * ArnLike (and ArnEquals): IAM matches each of the six components on its
 * own, so a `*` never spans a colon. Where that and a match of the whole
 * string disagree (a pattern of fewer components, a `*` across a colon)
 * the result is null: the guard does not bet on either reading.
 */
function arnLike(pattern: string, arn: string): boolean | null {
  const whole = wildcard(pattern, arn);
  const patternParts = arnParts(pattern);
  const arnPartsOf = arnParts(arn);
  const byParts =
    patternParts !== null &&
    arnPartsOf !== null &&
    patternParts.every((part, index) => wildcard(part, arnPartsOf[index] as string));
  return whole === byParts ? whole : null;
}

/** Does one value match one condition value under the (non-negated) operator? null = unsupported. */
function matchOne(base: string, actual: string, expected: string): boolean | null {
  switch (base) {
    case 'StringEquals':
      return actual === expected;
    case 'StringEqualsIgnoreCase':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'StringLike':
      return wildcard(expected, actual);
    case 'ArnEquals':
    case 'ArnLike':
      return arnLike(expected, actual);
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

/**
 * A condition's values as IAM compares them: a string, or a JSON number or
 * boolean as its text (false → "false", 1.2 → "1.2"); null when one is
 * anything else (an object, null), which the guard cannot judge.
 */
function conditionValues(expected: unknown): string[] | null {
  const values: string[] = [];
  for (const item of Array.isArray(expected) ? expected : [expected]) {
    if (typeof item === 'string') values.push(item);
    else if (typeof item === 'number' || typeof item === 'boolean') values.push(String(item));
    else return null;
  }
  return values;
}

type Cover = 'all' | 'some' | 'none';

/** The pattern positions `states` stand for, with those a run of `*` (which may match nothing) reaches. */
function closure(tokens: readonly string[], states: Iterable<number>): number[] {
  const out = new Set<number>();
  for (const state of states) {
    let at = state;
    out.add(at);
    while (tokens[at] === '*') out.add(++at);
  }
  return [...out].sort((a, b) => a - b);
}

/** Past this many states the walk gives up: "some", which the guard reads as "may deny". */
const MAX_STATES = 20_000;

/**
 * Whether the wildcard `pattern` (as `wildcard` reads it: `*` any run, `?`
 * one character) matches every string head + S + tail, S any non-empty run,
 * some of them, or none. The pattern read as an automaton (sets of
 * positions) walks alongside those strings, over the characters that make
 * a difference (those of the pattern, head and tail, and one other).
 */
function globCover(pattern: string, head: string, tail: string): Cover {
  const tokens = pattern.split('');
  const end = tokens.length;
  const chars = new Set([
    ...tokens.filter((token) => token !== '*' && token !== '?'),
    ...head.split(''),
    ...tail.split(''),
  ]);
  let other = 1;
  while (chars.has(String.fromCharCode(other))) other++;
  const alphabet = [...chars, String.fromCharCode(other)];
  // The strings' positions: 0..head.length in head, then `run` (S has begun),
  // then run + j with j characters of tail read; accepted at run + tail.length.
  const run = head.length + 1;
  const accept = run + tail.length;
  const advance = (at: number, char: string): number[] => {
    if (at < head.length) return char === head[at] ? [at + 1] : [];
    if (at === head.length) return [run];
    if (at === run) return char === tail[0] ? [run, run + 1] : [run];
    return at < accept && char === tail[at - run] ? [at + 1] : [];
  };
  const step = (states: readonly number[], char: string): number[] =>
    closure(
      tokens,
      states.flatMap((state) => {
        if (state === end) return [];
        const token = tokens[state];
        return token === '*' ? [state] : token === '?' || token === char ? [state + 1] : [];
      }),
    );
  let matched = false;
  let missed = false;
  const queue: [number, number[]][] = [[0, closure(tokens, [0])]];
  const seen = new Set([`0:${queue[0]?.[1].join(',')}`]);
  for (let next = 0; next < queue.length; next++) {
    const [at, states] = queue[next] as [number, number[]];
    if (states.length === 0) missed = true;
    else if (at === accept) {
      if (states.includes(end)) matched = true;
      else missed = true;
    } else {
      for (const char of alphabet) {
        const after = step(states, char);
        for (const to of advance(at, char)) {
          const key = `${to}:${after.join(',')}`;
          if (seen.has(key)) continue;
          if (seen.size >= MAX_STATES) return 'some';
          seen.add(key);
          queue.push([to, after]);
        }
      }
    }
    if (matched && missed) return 'some';
  }
  return missed ? (matched ? 'some' : 'none') : 'all';
}

/**
 * Whether `value` matches, under `base`, the role at every path, at some or at
 * none (the role without a path is judged apart); null = not judged.
 */
function pathCover(base: string, value: string, role: SessionRole): Cover | null {
  const tail = `/${role.name}`;
  const literal = (text: string, head: string, end: string) =>
    text.startsWith(head) && text.endsWith(end) && text.length > head.length + end.length;
  switch (base) {
    case 'StringEquals':
      return literal(value, role.prefix, tail) ? 'some' : 'none';
    case 'StringEqualsIgnoreCase':
      return literal(value.toLowerCase(), role.prefix.toLowerCase(), tail.toLowerCase())
        ? 'some'
        : 'none';
    case 'StringLike':
      return globCover(value, role.prefix, tail);
    case 'ArnEquals':
    case 'ArnLike': {
      // As arnLike: component by component (the prefix holds the first
      // five, the path is in the sixth), and the whole string; both or "some".
      const whole = globCover(value, role.prefix, tail);
      const parts = arnParts(value);
      const fixed = arnParts(role.prefix) as string[];
      const byParts = parts
        ?.slice(0, 5)
        .every((part, index) => wildcard(part, fixed[index] as string))
        ? globCover(parts[5] as string, fixed[5] as string, tail)
        : 'none';
      return whole === byParts ? whole : 'some';
    }
    default:
      return null;
  }
}

/**
 * Whether one of `values` matches aws:PrincipalArn (non-negated `base`)
 * when it is the role at a path not known: true when it does for the role
 * without a path and at every path, false when for none, else unknown.
 */
function matchAnyPath(base: string, values: readonly string[], role: SessionRole): Tri {
  const bare = role.prefix + role.name;
  let bareMatches = false;
  let paths: Cover = 'none';
  for (const value of values) {
    const one = matchOne(base, bare, value);
    const cover = pathCover(base, value, role);
    if (one === null || cover === null) return 'unknown';
    if (one) bareMatches = true;
    if (cover === 'all' || (cover === 'some' && paths === 'none')) paths = cover;
  }
  if (bareMatches && paths === 'all') return true;
  if (!bareMatches && paths === 'none') return false;
  return 'unknown';
}

/** Whether one operator/key pair of a Condition holds for the caller. */
function conditionHolds(
  operator: string,
  key: string,
  expected: unknown,
  requester: Requester,
): Tri {
  const actual = contextValue(key, requester);
  const values = conditionValues(expected);
  if (values === null) return 'unknown';
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
  const role = pathUnknown(key, requester);
  if (role) {
    const any = matchAnyPath(base, values, role);
    return any === 'unknown' ? 'unknown' : negatedBase ? !any : any;
  }
  if (actual === 'unknown') return 'unknown';
  // A key absent from the request: IfExists holds, a negated operator
  // (NumericNotEquals too) holds, others do not.
  if (actual === undefined) {
    return ifExists || negatedBase !== undefined || base === 'NumericNotEquals';
  }
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
  const role = pathUnknown(key, requester);
  if (role) {
    return `yours is ${role.prefix}${role.name} or ${role.prefix}…/${role.name}: the path of your role is not known`;
  }
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
      const values = conditionValues(expected);
      const shown = `${operator} ${key} ${values ? values.join(',') : JSON.stringify(expected)}`;
      if (result === 'unknown') {
        holds = 'unknown';
        const cause = !values
          ? 'a value is not a string, number or boolean'
          : knownKey(key, requester)
            ? describeActual(key, requester)
            : 'unknown key or operator';
        why.push(`${shown} cannot be evaluated (${cause})`);
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

interface Judgement {
  readonly certain: boolean;
  /** Which of the needed actions the statement denies. */
  readonly actions: readonly string[];
  readonly because: readonly string[];
}

/** Whether one statement denies the requester any of `needed` on `resourceArn`, and why. */
function judgeDeny(
  statement: unknown,
  requester: Requester,
  needed: readonly string[],
  resourceArn: string,
): Judgement | null {
  if (!isObject(statement) || statement.Effect !== 'Deny') return null;
  let certain = true;
  const notes: string[] = [];
  if ('NotPrincipal' in statement) {
    const match = principalMatch(statement.NotPrincipal, requester);
    if (match === 'exact') return null;
    // An account in NotPrincipal does not exempt its users and roles with Deny.
    if (match === 'broad') {
      certain = false;
      notes.push('NotPrincipal names your account, not you');
    } else notes.push(`NotPrincipal does not name ${whoOf(requester)}`);
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
  return { certain, actions, because: [...notes, ...why] };
}

function whoOf(requester: Requester): string {
  return isService(requester) ? requester.service : 'you';
}

/** "a, b, c and 2 more". */
function shownList(items: readonly string[]): string {
  return items.length > 3
    ? `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`
    : items.join(', ');
}

const READS_NEEDED_FOR = 'the drift check, the read-back after each write and the rollback';

/** What denying the reads among `actions` breaks: empty when none is one of `reads`. */
function readsNote(actions: readonly string[], reads: readonly string[]): string {
  const denied = actions.filter((action) => reads.includes(action));
  if (denied.length === 0) return '';
  const one = denied.length === 1;
  const without = `(without ${one ? 'it' : 'them'} s3-harden could not verify or undo the plan)`;
  if (denied.length === actions.length) {
    return `, ${one ? 'a read' : 'reads'} s3-harden needs for ${READS_NEEDED_FOR} ${without}`;
  }
  return `, among them the read${one ? '' : 's'} ${shownList(denied)} that s3-harden needs for ${READS_NEEDED_FOR} ${without}`;
}

function verdictOf(
  judgement: Judgement,
  requester: Requester,
  resourceArn: string,
  reads: readonly string[] = [],
): Pick<LockoutFinding, 'certainty' | 'reason' | 'denied' | 'because'> {
  const { certain, actions, because } = judgement;
  const denied = `${certain ? 'denies' : 'may deny'} ${whoOf(requester)} ${shownList(actions)} on ${resourceArn}${readsNote(actions, reads)}`;
  return {
    certainty: certain ? 'denies' : 'may deny',
    reason: `${denied}${because.length > 0 ? `: ${because.join('; ')}` : ' unconditionally'}`,
    denied,
    because,
  };
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
  const judgement = judgeDeny(statement, requester, needed, resourceArn);
  return judgement && verdictOf(judgement, requester, resourceArn);
}

/**
 * Every Deny in a document that would deny the caller, one finding each:
 * of `needed`, or of `reads` (the reads the tool makes on the resource;
 * a finding says which of them it denies and what that breaks).
 */
export function lockoutFindingsFor(
  policy: LockoutFinding['policy'],
  document: PolicyDocument | null,
  caller: Requester,
  needed: readonly string[],
  resourceArn: string,
  reads: readonly string[] = [],
): LockoutFinding[] {
  const onlyReads = reads.filter((action) => !needed.includes(action));
  const all = [...needed, ...onlyReads];
  const findings: LockoutFinding[] = [];
  statementsOf(document).forEach((statement, index) => {
    const judgement = judgeDeny(statement, caller, all, resourceArn);
    if (!judgement) return;
    const sid =
      isObject(statement) && typeof statement.Sid === 'string' ? statement.Sid : undefined;
    findings.push({
      policy,
      index,
      ...(sid ? { sid } : {}),
      ...verdictOf(judgement, caller, resourceArn, onlyReads),
    });
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

/**
 * The resources applying (and rolling back) `plan` reads, as iamPolicyForPlan
 * (./iam-policy.ts) counts them: those it observed (the drift check), those
 * it writes (the read-back after each write and each undo), the bucket
 * itself (HeadBucket, for its region) and, with a log target, all of it.
 */
function resourcesRead(plan: Plan): ResourceKey[] {
  const read = new Set<ResourceKey>(Object.keys(plan.observed) as ResourceKey[]);
  for (const change of plan.changes) read.add(change.resource);
  if (plan.target.logBucket) {
    for (const resource of RESOURCE_KEYS) {
      if (RESOURCES[resource].scope === 'logTarget') read.add(resource);
    }
  }
  read.add('bucket.exists');
  return [...read];
}

/**
 * The IAM actions of the reads (READS, ./iam-policy.ts) of the resources
 * `plan` reads whose operation `wanted` picks, given the bucket the resource
 * is on.
 */
function readActions(
  plan: Plan,
  wanted: (spec: Pick<OperationSpec, 'service' | 'operation' | 'scope'>, on: string) => boolean,
): string[] {
  const actions = new Set<string>();
  for (const resource of resourcesRead(plan)) {
    const spec = RESOURCES[resource];
    if (!spec) continue;
    const on = spec.scope === 'logTarget' ? plan.target.logBucket : plan.target.bucket;
    for (const key of READS[resource] ?? []) {
      const service = key.slice(0, key.indexOf(':')) as OperationSpec['service'];
      const operation = key.slice(service.length + 1);
      // An operation the catalogue lacks is taken as a bucket one: the more it checks, the safer.
      const scope = findOperation(service, operation)?.scope ?? 'bucket';
      if (on !== undefined && wanted({ service, operation, scope }, on)) {
        actions.add(iamActionFor({ service, operation }));
      }
    }
  }
  return [...actions];
}

/** The reads apply and rollback make on `bucket`: its S3 bucket operations. */
function bucketReads(plan: Plan, bucket: string): string[] {
  return readActions(
    plan,
    (spec, on) => spec.service === 's3' && spec.scope === 'bucket' && on === bucket,
  );
}

/** The reads apply and rollback make on the access point. */
function accessPointReads(plan: Plan): string[] {
  return readActions(
    plan,
    (spec) => spec.service === 's3control' && /AccessPoint/.test(spec.operation),
  );
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
          bucketReads(plan, target.bucket),
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
          bucketReads(plan, target.logBucket),
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
          accessPointReads(plan),
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
  extra: {
    readonly sourceIp?: string;
    readonly sourceVpce?: string;
    /** An assumed-role caller's role ARN with its path (iam:GetRole), when known. */
    readonly roleArn?: string;
  } = {},
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
    ...(extra.roleArn ? { roleArn: extra.roleArn } : {}),
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
