import { defineRoute } from '../api/route.ts';
import type { AccountState } from '../accounts.ts';

function nameParts(account: AccountState): Record<string, string> {
  const [given = account.name, ...rest] = account.name.trim().split(/\s+/);
  const surname = rest.join(' ');
  const initials = (given[0] ?? '') + (surname[0] ?? '');
  return { given_name: given, surname, familiar_name: given, display_name: account.name, abbreviated_name: initials.toUpperCase() };
}

/** users/get_current_account: a personal (basic) account whose root and home namespace are the same. */
export const getCurrentAccount = defineRoute({
  name: 'users/get_current_account',
  style: 'rpc',
  scope: 'account_info.read',
  arg: 'void',
  async handle(call) {
    const account = call.auth.account;
    return {
      account_id: account.accountId,
      name: nameParts(account),
      email: account.email,
      email_verified: true,
      disabled: false,
      country: 'US',
      locale: 'en',
      referral_link: `https://www.dropbox.com/referrals/emulator-${account.uid}`,
      is_paired: false,
      account_type: { '.tag': 'basic' },
      root_info: { '.tag': 'user', root_namespace_id: account.namespaceId, home_namespace_id: account.namespaceId },
    };
  },
});

export const getSpaceUsage = defineRoute({
  name: 'users/get_space_usage',
  style: 'rpc',
  scope: 'account_info.read',
  arg: 'void',
  async handle(call) {
    const account = call.auth.account;
    return { used: account.ns.used(), allocation: { '.tag': 'individual', allocated: account.quotaBytes } };
  },
});
