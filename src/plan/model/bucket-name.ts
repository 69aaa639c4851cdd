/**
 * S3 general purpose bucket naming rules, each failure with the reason an
 * operator can act on. Returns null for a valid name.
 */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function bucketNameProblem(name: string): string | null {
  if (name.length === 0) return 'enter a bucket name';
  if (name.length < 3 || name.length > 63) {
    return `a bucket name is 3 to 63 characters long (this one has ${name.length})`;
  }
  const bad = name.match(/[^a-z0-9.-]/);
  if (bad) {
    // JSON quoting keeps an unprintable character visible and on one line.
    return `a bucket name may contain only lowercase letters, digits, dots and hyphens (found ${JSON.stringify(bad[0])})`;
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'a bucket name must begin and end with a letter or digit';
  }
  if (name.includes('..')) return 'a bucket name must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a bucket name must not look like an IP address';
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) return `a bucket name must not start with the reserved prefix "${prefix}"`;
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) return `a bucket name must not end with the reserved suffix "${suffix}"`;
  return null;
}
