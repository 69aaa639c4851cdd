/**
 * Account-wide changes in a journal, and the later applies that rely on
 * them. Undoing one bucket's apply must not silently pull away an account
 * setting (account Block Public Access, say) that buckets hardened since now
 * count on: a later journal relies on a change when it applied the same
 * resource again, or when its plan read the setting as this change left it.
 * A later journal from before the readings were recorded may rely on it: it
 * counts, the safe way round.
 */
import { RESOURCES, satisfies } from '../resources/index.js';
import type { JournalSummary } from './journal-scan.js';
import type { JournalChange, ParsedJournal } from './rollback.js';

export interface Reliance {
  readonly journal: JournalSummary;
  readonly how: 'applied it again' | 'read it as this apply left it' | 'may rely on it';
}

/** Whether the change is to something every bucket of the account shares. */
export function isAccountWide(change: Pick<JournalChange, 'resource'>): boolean {
  return RESOURCES[change.resource]?.scope === 'account';
}

/** What else an account-wide change affects, in a few words. */
export function affects(change: Pick<JournalChange, 'resource'>, journal: ParsedJournal): string {
  const { accountId, region } = journal.target;
  return change.resource === 'account.publicAccessBlock'
    ? `every bucket in account ${accountId}`
    : `every bucket in account ${accountId} in ${region}, not only ${journal.target.bucket}`;
}

/** The journals begun after `journal` that rely on `change`, newest first. */
export function reliedOnBy(
  change: JournalChange,
  journal: ParsedJournal,
  path: string,
  others: readonly JournalSummary[],
): Reliance[] {
  const { accountId, region } = journal.target;
  // Account Block Public Access is one setting for every region.
  const global = change.resource === 'account.publicAccessBlock';
  return others.flatMap((other): Reliance[] => {
    if (other.path === path || other.at <= journal.startedAt) return [];
    if (other.target.accountId !== accountId) return [];
    if (!global && other.target.region !== region) return [];
    if (other.state === 'rolled back') return [];
    if (other.inEffect.includes(change.resource))
      return [{ journal: other, how: 'applied it again' }];
    if (!other.reads) return [{ journal: other, how: 'may rely on it' }];
    const read = other.reads[change.resource];
    if (read === undefined || change.after === undefined) return [];
    let same: boolean;
    try {
      same = satisfies(change.resource, change.after, read);
    } catch {
      same = true; // A reading that cannot be compared may be the same: the safe way round.
    }
    return same ? [{ journal: other, how: 'read it as this apply left it' }] : [];
  });
}
