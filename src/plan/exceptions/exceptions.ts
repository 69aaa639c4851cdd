/**
 * Intended exceptions: buckets and controls that are deliberately different
 * (a public website's Block Public Access), each with a reason and an
 * optional expiry. They come from an exceptions file (`.s3-harden.json`,
 * `--exceptions FILE`) or from bucket tags; this module parses both and
 * answers "is this control excepted on this bucket today". Pure: the file's
 * text and the tags are handed in, and so is the clock.
 *
 * An exception only stops the tool from failing and from changing a control;
 * nothing here can remove a protection a bucket already has.
 */
import * as z from 'zod';
import { type CisVersion, DEFAULT_CIS_VERSION } from '../audit/cis.js';
import type { ControlId } from '../audit/controls.js';
import { controlsNamed } from '../audit/fail-on.js';
import { globMatcher, globProblem } from '../model/bucket-glob.js';

export const EXCEPTIONS_FILE = '.s3-harden.json';
export const EXCEPTIONS_VERSION = 1;

/** `s3-harden:exception:S3.8` = `public website until 2027-06-30`. */
export const TAG_PREFIX = 's3-harden:exception:';

export interface Exception {
  /** The bucket glob (`site-*`), or the bucket's own name for a tag. */
  readonly bucket: string;
  readonly controls: readonly ControlId[];
  readonly reason: string;
  /** The last day it holds (YYYY-MM-DD, UTC), or none: it holds until removed. */
  readonly expires?: string;
  /** Where it was written: the file's name, or "tag <key>". */
  readonly source: string;
}

/** What an exception means for one control on one bucket today. */
export interface Excepted {
  readonly reason: string;
  readonly expires?: string;
  /** Past its expiry: not honoured, the control is judged again. */
  readonly expired: boolean;
  readonly source: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const isDate = (text: string) =>
  DATE.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);

const entrySchema = z.strictObject({
  bucket: z.string().refine((value) => globProblem(value) === null, {
    error: (issue) => globProblem(String(issue.input)) ?? 'not a bucket glob',
  }),
  controls: z.array(z.string().min(1)).min(1, { error: 'name at least one control' }),
  reason: z
    .string({ error: 'every exception needs a reason' })
    .trim()
    .min(1, { error: 'every exception needs a reason' }),
  expires: z.string().refine(isDate, { error: 'expires must be a date, YYYY-MM-DD' }).optional(),
});

const fileSchema = z.strictObject({
  version: z.literal(EXCEPTIONS_VERSION, { error: `version must be ${EXCEPTIONS_VERSION}` }),
  exceptions: z.array(entrySchema),
});

/** Thrown with a one-line message; the caller puts the file's name in front. */
export class ExceptionsError extends Error {
  override name = 'ExceptionsError';
}

/** The control IDs `written` names (as --fail-on takes them: tls, S3.8, 2.1.4), or an error. */
function resolveControls(written: readonly string[], where: string, version: CisVersion) {
  const ids: ControlId[] = [];
  for (const name of written) {
    const named = controlsNamed(name, version);
    if (named.length === 0) {
      throw new ExceptionsError(
        `${where}: "${name}" is not a control (use the IDs --fail-on takes, e.g. bpa-bucket, S3.8, tls)`,
      );
    }
    for (const id of named) if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** "exceptions[2].reason" from a zod issue path. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Parses an exceptions file's text; throws ExceptionsError with one line saying what is wrong. */
export function parseExceptions(
  text: string,
  source: string,
  version: CisVersion = DEFAULT_CIS_VERSION,
): Exception[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ExceptionsError(`not JSON (${(error as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const at = issue && issue.path.length > 0 ? `${pathText(issue.path)}: ` : '';
    throw new ExceptionsError(`${at}${issue?.message ?? 'not an exceptions file'}`);
  }
  return parsed.data.exceptions.map((entry, index) => ({
    bucket: entry.bucket,
    controls: resolveControls(entry.controls, `exceptions[${index}].controls`, version),
    reason: entry.reason,
    ...(entry.expires ? { expires: entry.expires } : {}),
    source,
  }));
}

/** "public website until 2027-06-30": the reason, and the expiry when it ends with one. */
const UNTIL = /^(.*\S)\s+until\s+(\d{4}-\d{2}-\d{2})$/;

/**
 * A bucket's exceptions from its tags: `s3-harden:exception:<CONTROL>` =
 * `<reason>[ until YYYY-MM-DD]`, CONTROL as --fail-on takes it. A tag that
 * names no control or gives no reason is reported as a problem (not
 * honoured), never an error that stops the audit.
 */
export function tagExceptions(
  bucket: string,
  tags: Readonly<Record<string, string>>,
  version: CisVersion = DEFAULT_CIS_VERSION,
): { exceptions: Exception[]; problems: string[] } {
  const exceptions: Exception[] = [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (!key.toLowerCase().startsWith(TAG_PREFIX)) continue;
    const name = key.slice(TAG_PREFIX.length);
    const controls = controlsNamed(name, version);
    const source = `tag ${key}`;
    if (controls.length === 0) {
      problems.push(`${source} on ${bucket}: "${name}" is not a control`);
      continue;
    }
    const until = UNTIL.exec(value.trim());
    const reason = (until?.[1] ?? value).trim();
    if (reason === '') {
      problems.push(`${source} on ${bucket}: every exception needs a reason`);
      continue;
    }
    if (until?.[2] && !isDate(until[2])) {
      problems.push(`${source} on ${bucket}: ${until[2]} is not a date`);
      continue;
    }
    exceptions.push({
      bucket,
      controls,
      reason,
      ...(until?.[2] ? { expires: until[2] } : {}),
      source,
    });
  }
  return { exceptions, problems };
}

/** Today as YYYY-MM-DD in UTC: an expiry date holds through its whole day. */
export function dayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * The exception for `control` on `bucket`, or null. An unexpired one wins
 * over an expired one (a renewed exception next to the old entry); among
 * several, the first written.
 */
export function exceptionFor(
  exceptions: readonly Exception[],
  bucket: string,
  control: ControlId,
  now: Date,
): Excepted | null {
  const today = dayOf(now);
  const found = exceptions
    .filter((entry) => entry.controls.includes(control) && globMatcher(entry.bucket)(bucket))
    .map((entry) => ({
      reason: entry.reason,
      ...(entry.expires ? { expires: entry.expires } : {}),
      expired: entry.expires !== undefined && entry.expires < today,
      source: entry.source,
    }));
  return found.find((entry) => !entry.expired) ?? found[0] ?? null;
}

/** "excepted (public website), until 2027-06-30" / "exception expired 2026-01-31 (public website)". */
export function exceptedText(excepted: Excepted): string {
  if (excepted.expired) return `exception expired ${excepted.expires} (${excepted.reason})`;
  return `excepted (${excepted.reason})${excepted.expires ? `, until ${excepted.expires}` : ''}`;
}
