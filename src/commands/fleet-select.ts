/**
 * Which buckets `plan` covers: one name, a comma-separated list, every bucket
 * of the account, or the ones a glob matches. Parsed and checked before any
 * AWS call; kept small because src/cli.ts loads it to parse the flags.
 */
import { globMatcher } from '../plan/model/bucket-glob.js';

export { globMatcher, globProblem } from '../plan/model/bucket-glob.js';

export type BucketSelection =
  | { readonly kind: 'list'; readonly buckets: readonly string[] }
  | { readonly kind: 'all' }
  | { readonly kind: 'match'; readonly pattern: string };

/** The buckets a selection names, given the account's bucket list (for --all and --match). */
export function selectBuckets(selection: BucketSelection, listed: readonly string[]): string[] {
  if (selection.kind === 'list') return [...selection.buckets];
  if (selection.kind === 'all') return [...listed];
  return listed.filter(globMatcher(selection.pattern));
}

export function describeSelection(selection: BucketSelection): string {
  if (selection.kind === 'list') return selection.buckets.join(', ');
  if (selection.kind === 'all') return 'every bucket';
  return `buckets matching ${selection.pattern}`;
}
