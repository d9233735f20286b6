import type { ResolvedAccount } from './config.ts';
import { createNamespace, type Namespace } from './files/namespace.ts';
import { accountIdentity } from './ids.ts';

/** A configured Dropbox account with its files. `quotaBytes` can be changed by the control API. */
export interface AccountState {
  name: string;
  email: string;
  quotaBytes: number;
  accountId: string;
  uid: string;
  namespaceId: string;
  ns: Namespace;
}

export function createAccountState(account: ResolvedAccount): AccountState {
  return { name: account.name, email: account.email, quotaBytes: account.quotaBytes, ...accountIdentity(account.email), ns: createNamespace() };
}
