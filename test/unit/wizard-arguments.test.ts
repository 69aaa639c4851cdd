/**
 * The wizard's fast start: a plain `s3-harden [wizard flags]` is parsed
 * without commander; anything else goes to the full program, which reports
 * it (test/integration/cli-entry.test.ts runs both through the built CLI).
 */
import { describe, expect, it } from 'vitest';
import { wizardArguments } from '../../src/commands/wizard-arguments.js';

describe('the wizard’s fast start', () => {
  it('opens the wizard with no arguments: the picker, then the preset choice', () => {
    expect(wizardArguments([])).toEqual({ connection: {} });
  });

  it('takes every wizard flag, in both spellings, the last of a repeated one winning', () => {
    expect(
      wizardArguments([
        '--profile',
        'ops',
        '--region=eu-west-1',
        '--endpoint-url',
        'http://127.0.0.1:5000',
        '--bucket',
        'first-bucket',
        '--bucket=data-bucket',
        '--preset',
        'strict',
      ]),
    ).toEqual({
      connection: { profile: 'ops', region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' },
      preset: 'strict',
      bucket: 'data-bucket',
    });
  });

  it('takes the exceptions file and the CIS numbering', () => {
    expect(wizardArguments(['--exceptions', 'ops/exceptions.json', '--cis-version', 'v5'])).toEqual(
      {
        connection: {},
        exceptionsFile: 'ops/exceptions.json',
        cisVersion: '5.0.0',
      },
    );
  });

  it.each([
    [['plan', '--bucket', 'b']],
    [['--help']],
    [['-h']],
    [['--version']],
    [['-v']],
    [['--bucket']],
    [['--bucket', 'b', 'extra']],
    [['--bucket', 'Bad_Name']],
    [['--bucket=']],
    [['--region', 'moon-1']],
    [['--endpoint-url', 'ftp://127.0.0.1']],
    [['--preset', 'paranoid']],
    [['--yes']],
    [['--bucket', '--preset']],
    [['--cis-version', '4']],
  ])('leaves %j to the full program, which says what is wrong', (args) => {
    expect(wizardArguments(args)).toBeNull();
  });
});
