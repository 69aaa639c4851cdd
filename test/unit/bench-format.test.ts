/**
 * `npm run bench`'s pure parts: its arguments, how it prints durations and
 * ratios, the sample it times when told to scale, and the mapping from the
 * guide's commands to API operations it checks against a plan. No timing here
 * (the benchmark itself is not a test).
 */
import { describe, expect, it } from 'vitest';
import { dependencyDepth } from '../../bench/apply-critical-path.mjs';
import { spreadSample } from '../../bench/audit-vs-cli.mjs';
import { fleetNames, memberAccounts, splitNames } from '../../bench/fleet.mjs';
import { formatDuration, formatRatio, median, parseBenchArgs, table } from '../../bench/format.mjs';
import { bucketReads, operationOf } from '../../bench/guide-commands.mjs';
import { formatLatency, overFloor } from '../../bench/latency-report.mjs';
import {
  AUDIT_DEFAULT_ACCOUNT_CONCURRENCY,
  AUDIT_DEFAULT_CONCURRENCY,
  latencyFloor,
} from '../../bench/latency-vs-scanner.mjs';
import { DEFAULT_AUDIT_CONCURRENCY } from '../../src/commands/audit-command.js';
import { DEFAULT_ACCOUNT_CONCURRENCY } from '../../src/commands/audit-flags.js';

describe('parseBenchArgs', () => {
  it('defaults to 200 buckets, every CLI read, every part', () => {
    const options = parseBenchArgs([]);
    expect(options).toMatchObject({ buckets: 200, cliSample: undefined, memoryBuckets: 1000 });
    expect([...options.parts]).toEqual([
      'audit',
      'apply',
      'frame',
      'memory',
      'latency',
      'critical-path',
    ]);
  });

  it('takes a sample, a part list and a bucket count', () => {
    const options = parseBenchArgs([
      '--buckets',
      '50',
      '--cli-sample',
      '5',
      '--only',
      'audit,frame',
    ]);
    expect(options).toMatchObject({ buckets: 50, cliSample: 5 });
    expect([...options.parts]).toEqual(['audit', 'frame']);
  });

  it('treats a sample of every bucket as no sample, and --memory-buckets 0 as no memory run', () => {
    const options = parseBenchArgs([
      '--buckets',
      '20',
      '--cli-sample',
      '20',
      '--memory-buckets',
      '0',
    ]);
    expect(options.cliSample).toBeUndefined();
    expect(options.parts.has('memory')).toBe(false);
  });

  it.each([
    [['--buckets', 'many'], /--buckets must be a whole number/],
    [['--buckets', '10', '--cli-sample', '11'], /more than --buckets 10/],
    [['--only', 'audit,speed'], /"speed" is not a part/],
    [['--frobnicate'], /Unknown option/],
  ])('refuses %j with one line', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});

describe('figures', () => {
  it('formats durations at a precision worth comparing', () => {
    expect(formatDuration(812.4)).toBe('812 ms');
    expect(formatDuration(2312)).toBe('2.31 s');
    expect(formatDuration(45_600)).toBe('45.6 s');
    expect(formatDuration(845_000)).toBe('14 min 05 s');
  });

  it('states the ratio with its direction', () => {
    expect(formatRatio(2, 764)).toBe('382.0x faster');
    expect(formatRatio(1000, 4180)).toBe('4.18x faster');
    expect(formatRatio(305, 255)).toBe('1.20x slower');
    expect(formatRatio(100, 100.2)).toBe('same');
    expect(formatRatio(0, 10)).toBe('n/a');
  });

  it('takes the median of an unsorted list', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('aligns a table: names left, figures right', () => {
    expect(
      table([
        ['pair', 'ours'],
        ['(a) audit', '2.31 s'],
      ]),
    ).toBe('pair         ours\n(a) audit  2.31 s');
  });
});

describe('what is timed', () => {
  it('samples buckets spread over the fleet, not its first few', () => {
    expect(spreadSample(fleetNames(200), 4)).toEqual([
      'bench-fleet-0000',
      'bench-fleet-0050',
      'bench-fleet-0100',
      'bench-fleet-0150',
    ]);
  });

  it('names the API operation of each guide command', () => {
    expect(bucketReads('b').map(operationOf)).toEqual([
      's3:GetPublicAccessBlock',
      's3:GetBucketOwnershipControls',
      's3:GetBucketEncryption',
      's3:GetBucketPolicy',
      's3:GetBucketVersioning',
      's3:GetObjectLockConfiguration',
      's3:GetBucketLogging',
    ]);
    expect(operationOf(['s3control', 'put-public-access-block'])).toBe(
      's3control:PutPublicAccessBlock',
    );
  });
});

describe('the latency parts', () => {
  it('floor: STS, one ListBuckets page a 1,000, then one round trip a wave of buckets', () => {
    expect(latencyFloor({ buckets: 1000, concurrency: 8, latencyMs: 30 })).toEqual({
      roundTrips: 127,
      ms: 3810,
    });
    expect(latencyFloor({ buckets: 10, concurrency: 64, latencyMs: 30 }).roundTrips).toBe(3);
    expect(latencyFloor({ buckets: 2500, concurrency: 64, latencyMs: 10 }).roundTrips).toBe(44);
  });

  it('floor over accounts: the caller’s STS, then each account entered (2) and audited, up to the account concurrency at once', () => {
    // 1,000 over 3, all at once (4 at a time): 1 + 2 + 1 + ceil(334 / 16).
    expect(
      latencyFloor({ buckets: 1000, concurrency: 16, latencyMs: 30, accounts: [333, 333, 334] }),
    ).toEqual({ roundTrips: 25, ms: 750 });
    // Two at a time: the third waits for the first slot to free.
    expect(
      latencyFloor({
        buckets: 30,
        concurrency: 10,
        latencyMs: 1,
        accounts: [10, 10, 10],
        accountConcurrency: 2,
      }).roundTrips,
    ).toBe(1 + 2 * (2 + 1 + 1));
    expect(AUDIT_DEFAULT_ACCOUNT_CONCURRENCY).toBe(DEFAULT_ACCOUNT_CONCURRENCY);
    expect(AUDIT_DEFAULT_CONCURRENCY).toBe(DEFAULT_AUDIT_CONCURRENCY);
    expect(splitNames(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 3)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f', 'g'],
    ]);
    expect(memberAccounts(3)).toEqual(['200000000001', '200000000002', '200000000003']);
  });

  it('depth: the longest dependsOn chain, in changes', () => {
    expect(dependencyDepth([])).toBe(0);
    expect(dependencyDepth([{ id: 'a', dependsOn: [] }, { id: 'b' }])).toBe(1);
    expect(
      dependencyDepth([
        { id: 'c', dependsOn: ['b'] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'a', dependsOn: [] },
        { id: 'd', dependsOn: ['a', 'missing'] },
      ]),
    ).toBe(3);
  });

  it('says how far above the floor a time is', () => {
    expect(overFloor(1500, 1000)).toBe('1.50x the floor');
    expect(overFloor(0, 1000)).toBe('n/a');
  });

  it('parses the latency options: 3 accounts unless told', () => {
    const options = parseBenchArgs(['--only', 'latency', '--latency-ms', '50', '--no-scanner']);
    expect(options).toMatchObject({
      latencyBuckets: 1000,
      latencyMs: 50,
      jitterMs: 0,
      replay: true,
      scanner: false,
      accounts: 3,
    });
    expect(parseBenchArgs(['--accounts', '1']).accounts).toBe(1);
    expect(() => parseBenchArgs(['--accounts', '0'])).toThrow(/--accounts/);
    expect(() => parseBenchArgs(['--accounts', '3', '--latency-buckets', '5'])).toThrow(/too few/);
  });

  it('says accounts, buckets and concurrency in the table', () => {
    const side = (ms: number, requests: number) => ({
      ms,
      times: [ms],
      warmMs: ms,
      apiCalls: requests,
      proxy: { requests, replayed: requests, inFlightPeak: 48 },
    });
    const text = formatLatency({
      accounts: 3,
      accountConcurrency: 3,
      buckets: 1000,
      concurrency: 16,
      latencyMs: 30,
      jitterMs: 0,
      replay: true,
      floor: { roundTrips: 25, ms: 750 },
      audit: side(1500, 10_020),
      sdk: { ms: 1200, line: '1000 buckets', proxy: { requests: 10_004, replayed: 10_004 } },
      prowler: { ...side(60_000, 9000), checks: 20, times: [20_000, 20_000, 20_000] },
    });
    expect(text).toContain('1,000 buckets over 3 accounts (3 at once), 16 buckets at once each');
    expect(text).toContain('s3-harden audit --all --accounts (3 accounts, 1,000 buckets)');
    expect(text).toContain('Prowler --service s3, once per account, summed');
    expect(text).toContain('2.00x the floor');
    expect(text).toContain('40.0x faster');
  });
});
