/**
 * The exceptions file and tags, parsed: a good file, every way one is bad
 * (one line saying where), the controls as --fail-on names them, bucket
 * globs, and expiry with an injected clock — an exception holds through its
 * expiry day (UTC) and not a day after.
 */
import { describe, expect, it } from 'vitest';
import {
  exceptedText,
  exceptionFor,
  parseExceptions,
  tagExceptions,
} from '../../src/plan/exceptions/exceptions.js';

const file = (exceptions: unknown[], version: unknown = 1) =>
  JSON.stringify({ version, exceptions });

const SITE = { bucket: 'site-*', controls: ['S3.8'], reason: 'public website' };

describe('the exceptions file', () => {
  it('parses a good file: globs, the controls --fail-on names, reason and expiry', () => {
    const parsed = parseExceptions(
      file([
        { ...SITE, expires: '2027-06-30' },
        { bucket: 'logs', controls: ['tls'], reason: 'x' },
      ]),
      '.s3-harden.json',
    );
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({
      bucket: 'site-*',
      reason: 'public website',
      expires: '2027-06-30',
      source: '.s3-harden.json',
    });
    expect(parsed[0]?.controls).toContain('bpa-bucket');
    expect(parsed[1]?.controls).toEqual(['tls']);
  });

  it.each([
    ['not JSON', '{ "version": 1,', /^not JSON/],
    ['another version', file([], 2), /version must be 1/],
    [
      'no reason',
      file([{ bucket: 'a', controls: ['S3.8'] }]),
      /exceptions\[0\]\.reason: every exception needs a reason/,
    ],
    ['an empty reason', file([{ ...SITE, reason: '  ' }]), /every exception needs a reason/],
    ['no control', file([{ ...SITE, controls: [] }]), /name at least one control/],
    ['an unknown control', file([{ ...SITE, controls: ['S3.99'] }]), /"S3.99" is not a control/],
    [
      'a bad date',
      file([{ ...SITE, expires: '2027-02-30' }]),
      /expires must be a date, YYYY-MM-DD/,
    ],
    ['an unknown field', file([{ ...SITE, until: '2027-01-01' }]), /until/],
  ])('refuses %s with one line', (_what, text, message) => {
    let thrown: Error | undefined;
    try {
      parseExceptions(text, 'f.json');
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.name).toBe('ExceptionsError');
    expect(thrown?.message).toMatch(message);
    expect(thrown?.message).not.toContain('\n');
  });
});

describe('is a control excepted on a bucket today', () => {
  const exceptions = parseExceptions(file([{ ...SITE, expires: '2027-06-30' }]), 'f.json');
  const at = (day: string) => new Date(`${day}T23:59:59Z`);

  it('matches by glob and control only', () => {
    expect(exceptionFor(exceptions, 'site-blog', 'bpa-bucket', at('2027-01-01'))).not.toBeNull();
    expect(exceptionFor(exceptions, 'app-site-blog', 'bpa-bucket', at('2027-01-01'))).toBeNull();
    expect(exceptionFor(exceptions, 'site-blog', 'tls', at('2027-01-01'))).toBeNull();
  });

  it('holds through its expiry day, not the day after', () => {
    const last = exceptionFor(exceptions, 'site-blog', 'bpa-bucket', at('2027-06-30'));
    expect(last?.expired).toBe(false);
    expect(exceptedText(last as NonNullable<typeof last>)).toBe(
      'excepted (public website), until 2027-06-30',
    );
    const after = exceptionFor(
      exceptions,
      'site-blog',
      'bpa-bucket',
      new Date('2027-07-01T00:00:00Z'),
    );
    expect(after?.expired).toBe(true);
    expect(exceptedText(after as NonNullable<typeof after>)).toBe(
      'exception expired 2027-06-30 (public website)',
    );
  });

  it('a renewed entry beside an expired one wins', () => {
    const renewed = parseExceptions(
      file([
        { ...SITE, expires: '2026-01-31' },
        { ...SITE, reason: 'still a website', expires: '2028-01-31' },
      ]),
      'f.json',
    );
    expect(exceptionFor(renewed, 'site-a', 'bpa-bucket', at('2027-01-01'))).toMatchObject({
      reason: 'still a website',
      expired: false,
    });
  });
});

describe('exceptions from bucket tags', () => {
  it('reads s3-harden:exception:<CONTROL> = reason [until DATE]; bad tags are problems, not errors', () => {
    const { exceptions, problems } = tagExceptions('site-a', {
      's3-harden:exception:S3.8': 'public website until 2027-06-30',
      's3-harden:exception:tls': 'legacy client',
      's3-harden:exception:S3.99': 'nothing',
      's3-harden:exception:S3.5': '   ',
      team: 'web',
    });
    expect(exceptions.map((entry) => [entry.controls, entry.reason, entry.expires])).toEqual([
      [['bpa-bucket'], 'public website', '2027-06-30'],
      [['tls'], 'legacy client', undefined],
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('"S3.99" is not a control');
    expect(problems[1]).toContain('every exception needs a reason');
  });
});
