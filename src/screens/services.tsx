/**
 * What the screens may ask of the outside world, injected at the top so
 * tests can point it at the emulator. The AWS module arrives through
 * `connect`, loaded after the first frame.
 */
import { createContext, type ReactNode, useContext } from 'react';
import type { AwsSession } from '../aws/session.js';
import type { Journal } from '../plan/apply/journal.js';
import type { Target } from '../plan/model/types.js';

export interface WizardServices {
  /** Loads src/aws and connects (credentials, region, endpoint, identity). */
  connect(): Promise<AwsSession>;
  /** Opens the write-ahead journal for an apply. */
  openJournal(target: Target): Journal;
  /** Takes the bucket's lock for an apply; throws naming who holds it (optional: tests may leave it out). */
  lock?(target: Target): { release(): void };
  /** Writes a plan file; returns the path written. */
  savePlan(bucket: string, text: string): string;
  /** Journals of earlier applies to this bucket that never finished (optional: tests may leave it out). */
  unfinishedJournals?(target: Target): string[];
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
