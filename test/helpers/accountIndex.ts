import type { AccountIndex } from '../../src/accounts/accountIndex.ts';
import type { PartnerAccount } from '../../src/billing/account.ts';

let built = 0;

/**
 * An account index of the given (organization, owner) names, ids `acct000`, `acct001`, … (`idDigits`
 * wide). Each call is a new index object with a later `builtAt`, as a new walk would store.
 */
export function indexOf(
  names: Array<[organization: string | null, owner: string | null]>,
  o: { idDigits?: number } = {},
): AccountIndex {
  const accounts: PartnerAccount[] = names.map(([organizationName, siteOwnerName], i) => ({
    id: `acct${String(i).padStart(o.idDigits ?? 3, '0')}`,
    organizationName,
    siteOwnerName,
    billingStatus: 'Open',
    subscriberCount: 10,
    lastLoginDate: null,
  }));
  return { builtAt: ++built, accounts };
}
