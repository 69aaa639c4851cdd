/**
 * `s3-harden audit`: its flags, their checks, and the read-only run it
 * starts (./audit.ts), or the IAM policy it prints with no AWS call.
 */
import { type Command, Option } from 'commander';
import type { CisVersion } from '../plan/audit/cis.js';
import {
  type AccountFlags,
  accountsSelection,
  DEFAULT_ACCOUNT_CONCURRENCY,
  parseAccountConcurrency,
  parseAccounts,
  parseExternalId,
  parseRegions,
  parseRoleName,
  printAuditIamPolicy,
} from './audit-flags.js';
import {
  addConnectionOptions,
  bucketSelection,
  cisVersionOption,
  EXCEPTIONS_HELP,
  parseBucketNames,
  parseConcurrency,
  parseGlob,
} from './cli-options.js';
import { type ConnectionFlags, connectionOptions } from './connection.js';
import { fail, guard } from './run-command.js';

/** Buckets audited at once when --concurrency is not given. */
export const DEFAULT_AUDIT_CONCURRENCY = 16;

export function addAuditCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('audit')
      .description(
        'Read-only posture report: buckets × controls (Block Public Access, ACLs, encryption, HTTPS, versioning, MFA delete, lifecycle, Object Lock, replication, logging, CloudTrail data events, Macie, Access Analyzer) with their Security Hub (FSBP) and CIS IDs.',
      )
      .option(
        '--bucket <names>',
        'bucket to audit; repeat the flag or separate names with commas',
        (value: string, previous: string[] = []) => [...previous, ...parseBucketNames(value)],
      )
      .option('--all', 'audit every bucket the account owns')
      .option(
        '--match <glob>',
        'audit the buckets whose names match, e.g. "logs-*" (* any run, ? one character)',
        parseGlob,
      )
      .option(
        '--concurrency <n>',
        'buckets audited at once, 1–64',
        parseConcurrency,
        DEFAULT_AUDIT_CONCURRENCY,
      )
      .option('--json', 'print the report as JSON (schema s3-harden/audit, version 1)')
      .addOption(cisVersionOption())
      .addOption(
        new Option(
          '--format <format>',
          'text (default), json (as --json), sarif (SARIF 2.1.0, for code-scanning dashboards), or asff (AWS Security Finding Format, for Security Hub batch-import-findings)',
        ).choices(['text', 'json', 'sarif', 'asff']),
      )
      .option(
        '--fail-on <level>',
        'exit 2 when the audit finds: never, fail, unknown, or only these controls (e.g. S3.5,S3.8); a --bucket that cannot be audited trips all but never',
        'never',
      )
      .option('--exceptions <file>', EXCEPTIONS_HELP)
      .option(
        '--accounts <ids>',
        'audit these accounts (IDs separated by commas), or all: every ACTIVE account of the organisation (organizations:ListAccounts); needs --role-name',
        parseAccounts,
      )
      .option(
        '--exclude-accounts <ids>',
        'leave these accounts out of --accounts (IDs separated by commas)',
        parseAccounts,
      )
      .option(
        '--role-name <name>',
        'the role to assume in each account: arn:<your partition>:iam::<account>:role/NAME (your own account uses your credentials)',
        parseRoleName,
      )
      .option(
        '--external-id <id>',
        'the ExternalId the role trust policy requires',
        parseExternalId,
      )
      .option(
        '--account-concurrency <n>',
        `accounts audited at once, 1–32 (default ${DEFAULT_ACCOUNT_CONCURRENCY}); each runs --concurrency buckets at once`,
        parseAccountConcurrency,
      )
      .addOption(
        new Option(
          '--iam-policy <which>',
          'print an IAM policy and exit, with no AWS call: role (the role to deploy in each member account for --accounts) or caller (what the caller needs to list accounts and assume --role-name); in the partition of --region',
        ).choices(['role', 'caller']),
      )
      .option(
        '--regions <regions>',
        'only buckets in these regions (names separated by commas); each bucket is read in its own region',
        parseRegions,
      ),
  ).action(
    async (
      flags: ConnectionFlags &
        AccountFlags & {
          bucket?: string[];
          all?: boolean;
          match?: string;
          regions?: string[];
          iamPolicy?: 'role' | 'caller';
          concurrency: number;
          json?: boolean;
          format?: 'text' | 'json' | 'sarif' | 'asff';
          failOn: string;
          cisVersion?: CisVersion;
          exceptions?: string;
        },
    ) => {
      if (flags.json && flags.format && flags.format !== 'json') {
        fail(`--json and --format ${flags.format} ask for two outputs: choose one.`);
      }
      if (flags.iamPolicy) {
        if (flags.format && flags.format !== 'json') {
          fail(`--format ${flags.format} and --iam-policy ask for two outputs: choose one.`);
        }
        await printAuditIamPolicy(flags.iamPolicy, flags);
        return;
      }
      const accounts = accountsSelection(flags);
      const selection = bucketSelection(flags);
      const { runAudit, failOnFlag } = await import('./audit.js');
      const { loadExceptions } = await import('./exceptions-file.js');
      await guard(() =>
        runAudit({
          exceptions: loadExceptions(flags.exceptions, flags.cisVersion),
          selection,
          concurrency: flags.concurrency,
          json: Boolean(flags.json) || flags.format === 'json',
          ...(flags.format === 'sarif' ? { sarif: true } : {}),
          ...(flags.format === 'asff' ? { asff: true } : {}),
          failOn: failOnFlag(flags.failOn, flags.cisVersion),
          connection: connectionOptions(flags),
          ...(flags.cisVersion ? { cisVersion: flags.cisVersion } : {}),
          ...(flags.regions ? { regions: flags.regions } : {}),
          ...(accounts ? { accounts } : {}),
        }),
      );
    },
  );
}
