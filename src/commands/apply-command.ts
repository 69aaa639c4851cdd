/**
 * `s3-harden apply` and `s3-harden rollback`: the commands that write, their
 * flags and checks. The runs themselves are ./apply.ts and ./rollback.ts,
 * loaded only when the command is given.
 */
import { type Command, Option } from 'commander';
import { parseExternalId } from './audit-flags.js';
import {
  addConnectionOptions,
  type LockoutFlags,
  lockoutFlags,
  lockoutOptions,
} from './cli-options.js';
import { type ConnectionFlags, connectionOptions } from './connection.js';
import { guard } from './run-command.js';

export function addApplyCommand(program: Command): void {
  const applyCommand = addConnectionOptions(
    program
      .command('apply')
      .description(
        'Apply a saved plan file: refuses a stale plan, journals every write, rolls back on failure.',
      )
      .argument('<plan-file>', 'plan file written by `s3-harden plan --out` or the wizard')
      .option('-y, --yes', 'apply without asking (required when not in a terminal)')
      .option(
        '--allow-irreversible',
        'with --yes: also apply changes that cannot be undone (Object Lock)',
      )
      .option(
        '--allow-security-warnings',
        'with --yes: also apply policies IAM Access Analyzer reports security warnings for',
      )
      .option(
        '--ignore-unfinished',
        'apply even though an earlier apply to this bucket did not finish (see `s3-harden rollback`)',
      )
      .option(
        '--expect-digest <digest>',
        'apply only the plan with this digest (shown by `plan` and the review): for CI after a review',
      )
      .addOption(
        new Option(
          '--on-error <mode>',
          'fleet plans: after a bucket fails and is rolled back, stop or continue with the next',
        )
          .choices(['stop', 'continue'])
          .default('stop'),
      )
      .option(
        '--json',
        'print the result as JSON on stdout (a stale plan: what drifted, with values); the rest goes to stderr',
      )
      .option(
        '--external-id <id>',
        'a multi-account plan (plan --accounts): the ExternalId its role needs (never saved in the file)',
        parseExternalId,
      ),
  );
  for (const option of lockoutOptions()) applyCommand.addOption(option);
  applyCommand.action(
    async (
      file: string,
      flags: ConnectionFlags &
        LockoutFlags & {
          yes?: boolean;
          allowIrreversible?: boolean;
          allowSecurityWarnings?: boolean;
          ignoreUnfinished?: boolean;
          expectDigest?: string;
          onError: 'stop' | 'continue';
          json?: boolean;
          externalId?: string;
        },
    ) => {
      const { runApply } = await import('./apply.js');
      await guard(() =>
        runApply({
          file,
          yes: Boolean(flags.yes),
          json: Boolean(flags.json),
          allowIrreversible: Boolean(flags.allowIrreversible),
          allowSecurityWarnings: Boolean(flags.allowSecurityWarnings),
          ignoreUnfinished: Boolean(flags.ignoreUnfinished),
          ...(flags.expectDigest !== undefined ? { expectDigest: flags.expectDigest } : {}),
          onError: flags.onError,
          ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}),
          connection: connectionOptions(flags),
          ...lockoutFlags(flags),
        }),
      );
    },
  );
}

export function addRollbackCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('rollback')
      .description(
        'Undo what an apply recorded in its journal, newest first, after showing it as a diff; safe to run again. Without a journal: pick one (a terminal), or --bucket.',
      )
      .argument(
        '[journal]',
        'journal file (journals/ in the state directory; apply prints it with the undo command)',
      )
      .option('--bucket <name>', 'roll back the latest journal of this bucket')
      .option('-y, --yes', 'roll back without asking (required when not in a terminal)')
      .option(
        '--include-account',
        'also undo account-wide changes (account Block Public Access…) that a later apply relies on',
      ),
  ).action(
    async (
      file: string | undefined,
      flags: ConnectionFlags & { yes?: boolean; bucket?: string; includeAccount?: boolean },
    ) => {
      const { runRollback } = await import('./rollback.js');
      await guard(() =>
        runRollback({
          ...(file !== undefined ? { file } : {}),
          ...(flags.bucket !== undefined ? { bucket: flags.bucket } : {}),
          yes: Boolean(flags.yes),
          includeAccount: Boolean(flags.includeAccount),
          connection: connectionOptions(flags),
        }),
      );
    },
  );
}
