import { isAccountId } from '../billing/account.ts';

/** The account's plan path, with the id as exactly one encoded segment. */
export function planPath(accountId: string): string {
  if (!isAccountId(accountId)) throw new TypeError('not an account id');
  return `/partner/accounts/${encodeURIComponent(accountId)}/plan`;
}
