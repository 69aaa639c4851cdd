/**
 * The Macie SDK, loaded only on first use (the Macie step's reads and
 * writes): most runs never need it. Nothing but the lazy client in
 * clients.ts imports this module, and only with a dynamic import(), so the
 * bundle keeps it in a chunk of its own. Named imports let the bundler keep
 * just these commands of the package.
 */
import {
  CreateClassificationJobCommand,
  DescribeBucketsCommand,
  DescribeClassificationJobCommand,
  EnableMacieCommand,
  GetAdministratorAccountCommand,
  GetMacieSessionCommand,
  ListClassificationJobsCommand,
  Macie2Client,
  UpdateClassificationJobCommand,
  UpdateMacieSessionCommand,
} from '@aws-sdk/client-macie2';

export { Macie2Client };

/** The Macie commands s3-harden sends, by operation name. */
export const MACIE_COMMANDS: Readonly<Record<string, new (input: never) => unknown>> = {
  GetMacieSession: GetMacieSessionCommand,
  GetAdministratorAccount: GetAdministratorAccountCommand,
  EnableMacie: EnableMacieCommand,
  UpdateMacieSession: UpdateMacieSessionCommand,
  DescribeBuckets: DescribeBucketsCommand,
  ListClassificationJobs: ListClassificationJobsCommand,
  DescribeClassificationJob: DescribeClassificationJobCommand,
  CreateClassificationJob: CreateClassificationJobCommand,
  UpdateClassificationJob: UpdateClassificationJobCommand,
};
