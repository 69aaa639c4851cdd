/**
 * What the screens may ask of the outside world, injected at the top so
 * tests can point it at the emulator. The AWS module arrives through
 * `connect`, loaded after the first frame.
 */
import { createContext, type ReactNode, useContext } from 'react';
import type { AwsSession } from '../aws/session.js';
import type { Journal } from '../plan/apply/journal.js';
import type { CisVersion } from '../plan/audit/cis.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import type { Target } from '../plan/model/types.js';

export interface WizardServices {
  /** Loads src/aws and connects (credentials, region, endpoint, identity). */
  connect(): Promise<AwsSession>;
  /** Opens the write-ahead journal for an apply. */
  openJournal(target: Target): Journal;
  /** Takes the bucket's lock for an apply; throws naming who holds it (optional: tests may leave it out). */
  lock?(target: Target): { release(): void };
  /** Writes a plan file (at `path` when the operator typed one); returns the path written. */
  savePlan(bucket: string, text: string, path?: string): string;
  /** The plan file name the review offers for `s` (optional: a name from the bucket and time otherwise). */
  planName?(bucket: string): string;
  /** Writes a new file (the review's AWS CLI script); returns the path written. */
  writeFile?(path: string, text: string): string;
  /** How the operator runs s3-harden from here (`s3-harden`, `npx s3-harden`, `node bin/s3-harden.js`). */
  readonly invocation?: string;
  /** Whether this is the demo: its emulator's buckets are gone when it quits. */
  readonly demo?: boolean;
  /** Journals of earlier applies to this bucket that never finished (optional: tests may leave it out). */
  unfinishedJournals?(target: Target): string[];
  /**
   * The exceptions file's exceptions (--exceptions, else ./.s3-harden.json),
   * loaded once after the first frame; rejects with one line for a bad file.
   * Optional: none without it.
   */
  exceptions?(): Promise<readonly Exception[]>;
  /** The day exceptions are judged on (tests); default now. */
  now?(): Date;
  /** Whose CIS numbers the wizard shows and reads tags in (--cis-version; default the newest). */
  readonly cisVersion?: CisVersion;
  /** Rolls one journal back through the session; the report's lines, and whether all is restored. */
  rollBack?(path: string, session: AwsSession): Promise<{ restored: boolean; lines: string[] }>;
}

const ServicesContext = createContext<WizardServices | null>(null);

export function ServicesProvider(props: {
  readonly services: WizardServices;
  readonly children: ReactNode;
}) {
  return (
    <ServicesContext.Provider value={props.services}>{props.children}</ServicesContext.Provider>
  );
}

export function useServices(): WizardServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesProvider');
  return services;
}
