/**
 * The Organizations SDK, loaded only on first use (`audit --accounts all`):
 * nothing but the lazy client in clients.ts imports this module, and only
 * with a dynamic import(), so the bundle keeps it in a chunk of its own.
 */
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';

export { OrganizationsClient };

/** The Organizations commands s3-harden sends, by operation name. */
export const ORGANIZATIONS_COMMANDS: Readonly<Record<string, new (input: never) => unknown>> = {
  ListAccounts: ListAccountsCommand,
};
