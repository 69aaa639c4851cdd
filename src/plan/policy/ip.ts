/**
 * IP addresses and CIDR ranges as IAM compares them (aws:SourceIp), with no
 * dependencies: the command line checks --source-ip before anything loads.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  let value = 0n;
  for (const part of match.slice(1)) {
    const byte = Number(part);
    if (byte > 255) return null;
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return null;
  let body = text;
  const groups: number[] = [];
  // An embedded IPv4 tail (::ffff:192.0.2.1) is two groups.
  const tail = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(body);
  let tailGroups: number[] = [];
  if (tail) {
    const v4 = parseIpv4(tail[1] as string);
    if (v4 === null) return null;
    tailGroups = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    body = body.slice(0, -(tail[1] as string).length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const [head, rest] = body.split('::');
  const left = parse(head ?? '');
  const right = rest === undefined ? [] : parse(rest);
  if (!left || !right) return null;
  const known = left.length + right.length + tailGroups.length;
  if (rest === undefined ? known !== 8 : known > 7) return null;
  groups.push(...left, ...new Array(8 - known).fill(0), ...right, ...tailGroups);
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** An address as (family bits, value), or null when it is not one. */
export function parseIp(text: string): { bits: 32 | 128; value: bigint } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { bits: 32, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  return v6 === null ? null : { bits: 128, value: v6 };
}

/** Whether `ip` is inside `cidr` (a bare address is a /32 or /128); null when either is malformed. */
export function cidrContains(cidr: string, ip: string): boolean | null {
  const [base, lengthText] = cidr.split('/');
  const network = parseIp(base ?? '');
  const address = parseIp(ip);
  if (!network || !address) return null;
  const length = lengthText === undefined ? network.bits : Number(lengthText);
  if (!Number.isInteger(length) || length < 0 || length > network.bits) return null;
  if (network.bits !== address.bits) return false;
  const shift = BigInt(network.bits - length);
  return network.value >> shift === address.value >> shift;
}

/** A source IP as the operator typed it: null when valid, else a one-line problem. */
export function sourceIpProblem(ip: string): string | null {
  return parseIp(ip) ? null : `"${ip}" is not an IPv4 or IPv6 address`;
}
