/**
 * A policy's text, kept beside its document so that what s3-harden did not
 * write goes back to S3 byte for byte.
 *
 * JSON.parse loses what a policy's author wrote: `1.0` becomes 1, an integer
 * above 2^53 another integer, `\u0041` an A, and the layout goes. So a policy
 * read carries its text in the document under POLICY_TEXT (a key no policy
 * has: S3 allows only Version, Id and Statement at the top). Everything that
 * judges a policy reads the document; what is sent is the text:
 *
 * - A document whose text still says what it says (JSON.parse of the text is
 *   the document) is written as that text, exactly: the undo of a policy
 *   change restores the previous text as GetBucketPolicy returned it.
 * - A merge (composePolicy) writes its result's text by splicing the text it
 *   started from: each statement it kept is copied from its source span
 *   (./json-text.ts), the tool's new statements are JSON.stringify'd, and all
 *   around the Statement array stays as it was.
 * - A document without a text, or whose text no longer matches it, is
 *   written as JSON.stringify makes it: how every policy was written before.
 * - A text that JSON readers may read differently (a key twice) is not kept,
 *   nor one that JSON.stringify of its document writes anyway.
 *
 * The text travels in plan files and journals with the document, so a saved
 * plan writes the same bytes it was reviewed with; policyTextProblem is the
 * check that a text loaded from a file is one and says what its document says.
 */
import { deepEqual, isPlainObject } from '../model/deep-equal.js';
import {
  hasDuplicateKeys,
  type JsonNode,
  JsonTextError,
  sameJson,
  scanJson,
  sourceOf,
} from './json-text.js';

/** The document's key for its text; never sent, never a policy element. */
export const POLICY_TEXT = 's3-harden:text';

type Document = Readonly<Record<string, unknown>>;

export class PolicyTextError extends Error {
  override name = 'PolicyTextError';
}

/** The document without its text: the policy as JSON.parse reads it. */
export function withoutText(document: Document): Record<string, unknown> {
  const { [POLICY_TEXT]: _text, ...rest } = document;
  return rest;
}

function scanned(text: string): JsonNode | null {
  try {
    const root = scanJson(text);
    return root.kind === 'object' && !hasDuplicateKeys(root) ? root : null;
  } catch (error) {
    if (error instanceof JsonTextError) return null;
    throw error;
  }
}

/** Whether a text adds something to its document: JSON.stringify would not write it. */
function needed(text: string, document: Document): boolean {
  return text !== JSON.stringify(withoutText(document));
}

/**
 * The text it was read as, beside the document `JSON.parse(text)` made;
 * without it when it cannot be kept, or when JSON.stringify of the document
 * is that text already (a policy s3-harden wrote: plan files stay lean).
 */
export function withPolicyText(document: Document, text: string): Record<string, unknown> {
  if (Object.hasOwn(document, POLICY_TEXT)) {
    throw new PolicyTextError(
      `the policy has a top-level "${POLICY_TEXT}", which S3 does not allow`,
    );
  }
  return scanned(text) && needed(text, document)
    ? { ...document, [POLICY_TEXT]: text }
    : { ...document };
}

/** Whether `text` is JSON whose JSON.parse is `document` (its text left out). */
function says(text: string, document: Document): boolean {
  try {
    return deepEqual(JSON.parse(text), withoutText(document));
  } catch {
    return false;
  }
}

/** The document's text when it still says what the document says. */
export function verbatimText(document: Document): string | undefined {
  const text = document[POLICY_TEXT];
  return typeof text === 'string' && scanned(text) && says(text, document) ? text : undefined;
}

/** The JSON text that writes the document: its own text when it has a matching one. */
export function documentJson(document: Document): string {
  return verbatimText(document) ?? JSON.stringify(withoutText(document));
}

/**
 * Where a statement of a merge comes from: its index among the existing
 * statements, and whether it is that statement unchanged (its text is then
 * copied) or one put in its place; none for a statement appended.
 */
export type StatementSource = { readonly index: number; readonly verbatim: boolean } | undefined;

/**
 * The text of `composed`, a merge of `existing` (composePolicy): the text
 * existing carries with only its Statement list edited — each statement
 * kept copied from its span with the separator that stood before it, one
 * replaced written in its place, one removed cut with its separator, new
 * ones appended with the list's own separator. So removing what was added
 * gives back the text as it was. Undefined when existing has no text to
 * keep, or when the result is what JSON.stringify writes anyway.
 */
export function splicedText(
  existing: Document,
  composed: Document,
  statements: readonly unknown[],
  sources: readonly StatementSource[],
): string | undefined {
  const base = verbatimText(existing);
  const root = base === undefined ? null : scanned(base);
  if (base === undefined || root?.kind !== 'object') return undefined;
  const member = root.members.find((candidate) => candidate.key === 'Statement');
  const list = member?.value.kind === 'array' ? member.value : undefined;
  const spans = !member ? [] : list ? list.items : [member.value];
  const itemText = (index: number) => {
    const source = sources[index];
    const span = source?.verbatim ? spans[source.index] : undefined;
    return span ? sourceOf(base, span) : JSON.stringify(statements[index]);
  };
  let array: string;
  const first = spans[0];
  const last = spans.at(-1);
  if (list && first && last) {
    const before = (index: number) =>
      base.slice((spans[index - 1] as JsonNode).end, (spans[index] as JsonNode).start);
    const appended =
      spans.length > 1 ? before(spans.length - 1) : `,${base.slice(list.start + 1, first.start)}`;
    array = base.slice(list.start, first.start);
    statements.forEach((_, index) => {
      const at = sources[index]?.index;
      if (index > 0) array += at !== undefined && at > 0 ? before(at) : appended;
      array += itemText(index);
    });
    array += base.slice(last.end, list.end);
  } else {
    array = `[${statements.map((_, index) => itemText(index)).join(',')}]`;
  }
  let text: string;
  if (member) {
    text = base.slice(0, member.value.start) + array + base.slice(member.value.end);
  } else {
    const close = root.end - 1;
    const comma = root.members.length > 0 ? ',' : '';
    text = `${base.slice(0, close)}${comma}"Statement":${array}${base.slice(close)}`;
  }
  // Never a text that says something else than the document it is sent for.
  return says(text, composed) && needed(text, composed) ? text : undefined;
}

/**
 * Two policies (null: none) mean the same, numbers by exact value: layout,
 * key order and escapes aside, for verification, rollback and drift. A
 * foreign number that changed is a change, even where JSON.parse reads both
 * as one double (9007199254740993 and 9007199254740992).
 */
export function samePolicy(a: Document | null, b: Document | null): boolean {
  if (a === null || b === null) return a === b;
  const [aText, bText] = [documentJson(a), documentJson(b)];
  try {
    return sameJson(scanJson(aText), aText, scanJson(bText), bText);
  } catch (error) {
    // Deeper than the scanner goes (no policy S3 takes): as JSON.parse reads them.
    if (error instanceof JsonTextError) return deepEqual(withoutText(a), withoutText(b));
    throw error;
  }
}

/** Why a document's text is not one it may carry (loaded from a plan file), or null. */
export function policyTextProblem(document: Document): string | null {
  if (!Object.hasOwn(document, POLICY_TEXT)) return null;
  const text = document[POLICY_TEXT];
  if (typeof text !== 'string') return `"${POLICY_TEXT}" must be the policy's JSON text`;
  if (!scanned(text)) {
    return `"${POLICY_TEXT}" is not a JSON object without repeated keys`;
  }
  const parsed: unknown = JSON.parse(text);
  if (isPlainObject(parsed) && Object.hasOwn(parsed, POLICY_TEXT)) {
    return `"${POLICY_TEXT}" may not hold a "${POLICY_TEXT}" of its own`;
  }
  if (!says(text, document)) return `"${POLICY_TEXT}" does not say what the document says`;
  return null;
}
