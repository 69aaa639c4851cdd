/**
 * The bucket-policy composer: merges the statements s3-harden writes into the
 * bucket's existing policy document without touching anything else.
 *
 * - The tool wrote exactly the statements whose Sid starts with TOOL_SID_PREFIX.
 *   Every other statement (another Sid, no Sid, even a malformed one) is
 *   foreign: kept, in its order, as the very same value, and written as the
 *   very same text: a document read carries its text (./policy-text.ts), the
 *   merge splices each kept statement's text from it, and policyJson sends
 *   that text, so `1.0` stays `1.0` and 2^53 + 1 stays 2^53 + 1.
 * - Several steps write tool statements into one document: the bucket-policy
 *   step its protections and grants, the logging step a log-delivery grant per
 *   source bucket into the log bucket's policy. So each writer composes with
 *   the Sids it owns (a SidOwner); a tool statement another step wrote is kept
 *   exactly like a foreign one, in place. Without an owner the writer owns
 *   every tool Sid — right only for a document no other step writes (an
 *   access point policy).
 * - A wanted tool statement replaces the owned statement with its Sid where it
 *   stands; a new one is appended; an owned statement no longer wanted (or a
 *   duplicate of its Sid) is removed. Composing again with the same
 *   statements therefore yields a deep-equal document: no duplicates.
 * - Only what the tool writes is normalised: a single Statement object
 *   becomes an array only when a tool statement must be added beside it, a
 *   missing Version stays missing (the tool's statements use no policy
 *   variables, so they mean the same under either version), other top-level
 *   keys (Id…) keep their place.
 * - No statement left means no policy: the result is null (DeleteBucketPolicy).
 *
 * Pure and synchronous, so a later lockout guard can evaluate its result.
 */
import { deepEqual } from '../model/deep-equal.js';
import { formatJson, JsonTextError } from './json-text.js';
import {
  documentJson,
  POLICY_TEXT,
  type StatementSource,
  splicedText,
  withoutText,
} from './policy-text.js';

/** Every Sid that starts with this is s3-harden's; nothing else is. */
export const TOOL_SID_PREFIX = 'S3Harden';

/** S3's limit on a bucket policy, in bytes of the JSON as sent. */
export const MAX_POLICY_BYTES = 20_480;

export const POLICY_VERSION = '2012-10-17';

/** A policy document as read: any JSON object; only `Statement` is looked into. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement?: unknown;
  readonly [key: string]: unknown;
}

export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | string[]>>>>;

/** A statement as s3-harden writes it: always a Sid, arrays for Action and Resource. */
export interface ToolStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: '*' | { readonly AWS: string } | { readonly Service: string };
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

/** A JSON object (not null, not an array): how policy elements are told apart. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A policy element that is one string or a list of them, as a list (other values dropped). */
export function asList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item): item is string => typeof item === 'string');
}

/** IAM's wildcard match of actions and resources: `*` any run, `?` one character. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  const regex = new RegExp(
    `^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
    ignoreCase ? 'is' : 's',
  );
  return regex.test(value);
}

/** The Sid of a statement, when it has a string one. */
export function sidOf(statement: unknown): string | undefined {
  return isObject(statement) && typeof statement.Sid === 'string' ? statement.Sid : undefined;
}

export function isToolSid(sid: string | undefined): sid is string {
  return sid?.startsWith(TOOL_SID_PREFIX) === true;
}

export function isToolStatement(statement: unknown): boolean {
  return isToolSid(sidOf(statement));
}

/** The statements of a document as a list, whatever its shape (absent, one object, an array). */
export function statementsOf(document: PolicyDocument | null): readonly unknown[] {
  if (!document || !('Statement' in document) || document.Statement === undefined) return [];
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

/** The statements s3-harden did not write, as they are. */
export function foreignStatements(document: PolicyDocument | null): readonly unknown[] {
  return statementsOf(document).filter((statement) => !isToolStatement(statement));
}

/**
 * Which of the tool's Sids one writer manages in a document: it replaces and
 * removes those, and keeps every other statement as it is.
 */
export type SidOwner = (sid: string) => boolean;

/** Every tool Sid: for a document only one step writes. */
export const EVERY_TOOL_SID: SidOwner = isToolSid;

function ownedSid(statement: unknown, owns: SidOwner): string | undefined {
  const sid = sidOf(statement);
  return isToolSid(sid) && owns(sid) ? sid : undefined;
}

/** The statements a writer owning `owns` keeps as they are: foreign ones and other steps' ones. */
export function statementsNotOwned(
  document: PolicyDocument | null,
  owns: SidOwner,
): readonly unknown[] {
  return statementsOf(document).filter((statement) => ownedSid(statement, owns) === undefined);
}

/** The tool's statements in a document, by Sid (the first of each Sid). */
export function toolStatements(document: PolicyDocument | null): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const statement of statementsOf(document)) {
    const sid = sidOf(statement);
    if (isToolSid(sid) && !found.has(sid)) found.set(sid, statement);
  }
  return found;
}

/**
 * The existing document with exactly `wanted` as the statements of the Sids
 * `owns` says are this writer's; every other statement stays as it is.
 * Returns `existing` itself when nothing changes, null when no statement is left.
 */
export function composePolicy(
  existing: PolicyDocument | null,
  wanted: readonly ToolStatement[],
  owns: SidOwner = EVERY_TOOL_SID,
): PolicyDocument | null {
  const bySid = new Map<string, ToolStatement>();
  for (const statement of wanted) {
    if (!isToolSid(statement.Sid)) {
      throw new Error(`statement Sid ${statement.Sid} does not start with ${TOOL_SID_PREFIX}`);
    }
    if (!owns(statement.Sid)) {
      throw new Error(`statement Sid ${statement.Sid} is not this writer's`);
    }
    if (bySid.has(statement.Sid)) throw new Error(`two statements share the Sid ${statement.Sid}`);
    bySid.set(statement.Sid, statement);
  }

  const before = statementsOf(existing);
  const placed = new Set<string>();
  const statements: unknown[] = [];
  // Where each statement comes from in `before`: a kept one's text is copied from there.
  const sources: StatementSource[] = [];
  before.forEach((statement, index) => {
    const sid = ownedSid(statement, owns);
    if (sid === undefined) {
      statements.push(statement);
      sources.push({ index, verbatim: true });
      return;
    }
    const replacement = bySid.get(sid);
    if (replacement && !placed.has(sid)) {
      placed.add(sid);
      // Keep the value read when it already says the same: nothing to rewrite.
      const same = deepEqual(statement, replacement);
      statements.push(same ? statement : replacement);
      sources.push({ index, verbatim: same });
    }
  });
  for (const statement of wanted) {
    if (!placed.has(statement.Sid)) {
      statements.push(statement);
      sources.push(undefined);
    }
  }

  if (statements.length === 0) return null;
  if (
    existing &&
    statements.length === before.length &&
    statements.every((statement, index) => statement === before[index])
  ) {
    return existing;
  }
  if (!existing) return { Version: POLICY_VERSION, Statement: statements };
  const document: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(existing)) {
    if (key !== POLICY_TEXT) document[key] = key === 'Statement' ? statements : value;
  }
  if (!('Statement' in document)) document.Statement = statements;
  const text = splicedText(existing, document, statements, sources);
  if (text !== undefined) document[POLICY_TEXT] = text;
  return document as PolicyDocument;
}

/**
 * The JSON text sent to PutBucketPolicy (and compared with S3's limit): the
 * document's own text when it carries one that still matches it, so a policy
 * read goes back byte for byte; else JSON.stringify of it.
 */
export function policyJson(document: PolicyDocument): string {
  return documentJson(document);
}

/** Size in bytes (UTF-8) of the document as sent. */
export function policyBytes(document: PolicyDocument | null): number {
  return document ? new TextEncoder().encode(policyJson(document)).length : 0;
}

/** The one-line refusal for an over-long policy, or null when it fits. */
export function policySizeProblem(document: PolicyDocument | null): string | null {
  const bytes = policyBytes(document);
  if (bytes <= MAX_POLICY_BYTES) return null;
  return (
    `the policy would be ${bytes.toLocaleString('en-US')} bytes, over S3's limit of ` +
    `${MAX_POLICY_BYTES.toLocaleString('en-US')} bytes (20 KB): remove statements or shorten the lists`
  );
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

function principalValues(principal: unknown): unknown[] {
  if (typeof principal === 'string') return [principal];
  if (!isObject(principal)) return [];
  return Object.values(principal).flatMap((value) => (Array.isArray(value) ? value : [value]));
}

/**
 * Whether a statement may grant public access as S3's Block Public Access
 * judges it: conservatively, any Allow to everyone ("*", {"AWS": "*"}) or
 * with NotPrincipal, whatever its conditions. The tool's own statements are
 * Denies or Allows to named roles and accounts, never public.
 */
export function mayGrantPublicAccess(statement: unknown): boolean {
  if (!isObject(statement) || statement.Effect !== 'Allow') return false;
  if ('NotPrincipal' in statement) return true;
  return principalValues(statement.Principal).includes('*');
}

/** How a reviewer finds a statement: its Sid, else its position. */
export function describeStatement(document: PolicyDocument | null, statement: unknown): string {
  const sid = sidOf(statement);
  if (sid !== undefined) return `Sid ${JSON.stringify(sid)}`;
  return `statement #${statementsOf(document).indexOf(statement) + 1} (no Sid)`;
}

/**
 * The document pretty-printed, as the review shows it whole: the text it
 * sends, re-indented, every number and string as written (a reviewer sees
 * `1.0` and 12345678901234567890, not what JSON.parse makes of them).
 */
export function formatPolicy(document: PolicyDocument): string {
  try {
    return formatJson(policyJson(document));
  } catch (error) {
    if (!(error instanceof JsonTextError)) throw error;
    // Deeper than the scanner goes (no policy S3 takes): as JSON.stringify shows it.
    return JSON.stringify(withoutText(document), null, 2);
  }
}
