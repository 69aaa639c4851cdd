/**
 * Checks of what an operator types into the bucket-policy step: VPC endpoint
 * IDs, CIDR ranges, role ARNs, account IDs, KMS key ARNs. Each returns null
 * when the value is valid, else one line that says what is wrong and, where
 * it can, what to write instead.
 */

const VPCE = /^vpce-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export function vpceProblem(id: string): string | null {
  if (VPCE.test(id)) return null;
  if (VPCE.test(id.toLowerCase()))
    return `${id}: VPC endpoint IDs are lowercase (${id.toLowerCase()})`;
  if (/^vpc-/.test(id)) return `${id} is a VPC ID; give the VPC endpoint's ID (vpce-…)`;
  return `${id} is not a VPC endpoint ID (vpce- followed by 8 or 17 hex digits)`;
}

// ---------------------------------------------------------------- CIDR ranges

function parseIpv4(text: string): number[] | string {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part))) return 'malformed';
  if (parts.some((part) => part.length > 1 && part.startsWith('0'))) {
    return 'a number has a leading zero';
  }
  const octets = parts.map(Number);
  const big = octets.find((octet) => octet > 255);
  if (big !== undefined) return `${big} is over 255`;
  return octets;
}

/** Eight 16-bit groups, or why not. */
function parseIpv6(text: string): number[] | string {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return 'malformed';
  const halves = text.split('::');
  if (halves.length > 2) return ':: appears more than once';
  const groupsOf = (half: string): number[] | string => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (piece.includes('.')) {
        if (index !== pieces.length - 1) return 'malformed';
        const v4 = parseIpv4(piece);
        if (typeof v4 === 'string') return v4;
        out.push(((v4[0] as number) << 8) | (v4[1] as number));
        out.push(((v4[2] as number) << 8) | (v4[3] as number));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return 'malformed';
      }
    }
    return out;
  };
  const head = groupsOf(halves[0] as string);
  if (typeof head === 'string') return head;
  if (halves.length === 1) return head.length === 8 ? head : 'malformed';
  const tail = groupsOf(halves[1] as string);
  if (typeof tail === 'string') return tail;
  if (head.length + tail.length > 7) return 'malformed';
  if (halves[1]?.startsWith('.')) return 'malformed';
  return [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952 text of eight groups: lowercase, no leading zeros, longest zero run as "::". */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function toBigInt(groups: readonly number[], bits: number): bigint {
  return groups.reduce((value, group) => (value << BigInt(bits)) | BigInt(group), 0n);
}

function fromBigInt(value: bigint, count: number, bits: number): number[] {
  const mask = (1n << BigInt(bits)) - 1n;
  const out: number[] = [];
  for (let index = count - 1; index >= 0; index--) {
    out.push(Number((value >> BigInt(index * bits)) & mask));
  }
  return out;
}

/** A CIDR range for aws:SourceIp: IPv4 or IPv6, with a prefix length and no host bits set. */
export function cidrProblem(cidr: string): string | null {
  const [address = '', prefixText, ...extra] = cidr.split('/');
  const v6 = address.includes(':');
  const family = v6 ? 'IPv6' : 'IPv4';
  const parsed = v6 ? parseIpv6(address) : parseIpv4(address);
  const example = v6 ? '2001:db8::/32' : '203.0.113.0/24';
  if (extra.length > 0 || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) {
    return `${cidr} is not a CIDR range (e.g. ${example})`;
  }
  if (typeof parsed === 'string') {
    if (!v6 && !/^[\d.]+$/.test(address)) {
      return `${cidr} is not an IPv4 or IPv6 CIDR range (e.g. 203.0.113.0/24 or 2001:db8::/32)`;
    }
    return `${cidr} is not a valid ${family} range: ${parsed === 'malformed' ? `the address is malformed (e.g. ${example})` : parsed}`;
  }
  const width = v6 ? 128 : 32;
  if (prefixText === undefined) {
    return `${cidr} has no prefix length: write ${address}/${width} for a single address`;
  }
  const prefix = Number(prefixText);
  if (prefix > width) return `${cidr}: an ${family} prefix length is at most /${width}`;
  const bits = v6 ? 16 : 8;
  const count = v6 ? 8 : 4;
  const value = toBigInt(parsed, bits);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = fromBigInt(value & ~hostMask, count, bits);
    const text = v6 ? formatIpv6(network) : network.join('.');
    return `${cidr} has host bits set: the range starts at ${text}/${prefix}`;
  }
  return null;
}

// ------------------------------------------------------------- ARNs and IDs

const PARTITION = '(?:aws|aws-cn|aws-us-gov)';
const ROLE_ARN = new RegExp(
  `^arn:${PARTITION}:iam::\\d{12}:role/(?:[\\x21-\\x7e]+/)?[\\w+=,.@-]{1,64}$`,
);

export function roleArnProblem(arn: string): string | null {
  if (ROLE_ARN.test(arn)) return null;
  const expected = 'arn:aws:iam::<12-digit account>:role/<name>';
  const parts = arn.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) {
    return `${arn} is not a role ARN (expected ${expected})`;
  }
  if (parts[2] === 'sts' && parts[5]?.startsWith('assumed-role/')) {
    return `${arn} is a role session; give the role's own ARN (${expected})`;
  }
  if (parts[2] !== 'iam') return `${arn} is not an IAM ARN (expected ${expected})`;
  if (!/^\d{12}$/.test(parts[4] ?? '')) {
    return `${arn}: the account in a role ARN is 12 digits (expected ${expected})`;
  }
  const kind = (parts[5] ?? '').split('/')[0];
  if (kind !== 'role')
    return `${arn} names a ${kind || 'resource'}, not a role (expected ${expected})`;
  return `${arn} has an invalid role name or path (expected ${expected})`;
}

export function accountIdProblem(account: string): string | null {
  if (/^\d{12}$/.test(account)) return null;
  if (account.startsWith('arn:')) return `${account}: give the 12-digit account ID, not an ARN`;
  return `${account} is not an AWS account ID (12 digits)`;
}

const KMS_KEY_ARN = new RegExp(
  `^arn:${PARTITION}:kms:[a-z]{2}(?:-[a-z]+)+-\\d+:\\d{12}:key/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`,
);

export function kmsKeyArnProblem(arn: string): string | null {
  if (KMS_KEY_ARN.test(arn)) return null;
  const expected = 'arn:aws:kms:<region>:<account>:key/<key-id>';
  if (/^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(arn) || arn.startsWith('alias/')) {
    return `${arn} is an alias; the key-id condition matches only the key ARN (${expected})`;
  }
  if (/^(?:mrk-)?[0-9a-f-]{32,36}$/.test(arn)) {
    return `${arn} is a key ID; give the full key ARN (${expected})`;
  }
  return `${arn} is not a KMS key ARN (expected ${expected})`;
}
