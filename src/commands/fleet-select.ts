/**
 * Which buckets `plan` covers: one name, a comma-separated list, every bucket
 * of the account, or the ones a glob matches. Parsed and checked before any
 * AWS call; kept small because src/cli.ts loads it to parse the flags.
 */
export type BucketSelection =
  | { readonly kind: 'list'; readonly buckets: readonly string[] }
  | { readonly kind: 'all' }
  | { readonly kind: 'match'; readonly pattern: string };

/** Why `pattern` is not a bucket glob (letters, digits, . and - with * and ?), or null. */
export function globProblem(pattern: string): string | null {
  if (pattern === '') return 'the pattern is empty';
  if (pattern.length > 255) return 'the pattern is longer than 255 characters';
  if (!/^[a-z0-9.\-*?]+$/.test(pattern)) {
    return `"${pattern}" may hold only lowercase letters, digits, ".", "-", and the wildcards * and ?`;
  }
  return null;
}

/** `logs-*` matches every name starting with "logs-"; `?` matches one character. */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.-]/, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}

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
