/**
 * Bucket-name globs (`logs-*`, `site-?`): what `--match` takes and what an
 * exceptions file names buckets with, one syntax for both. Pure.
 */
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
