/**
 * Constant Contact encoded account ids look like `a07e1lxtnhz0`. We accept letters, digits, `-`
 * and `_` (no dots or slashes), so an id can never become more or less than one path segment.
 */
const accountIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function isAccountId(text: string): boolean {
  return accountIdPattern.test(text);
}

/** One client account from the partner's account list (null = not given). */
export interface PartnerAccount {
  /** The encoded account id, checked with isAccountId. */
  id: string;
  organizationName: string | null;
  /** The account's user name (e.g. `Zen1016153`). */
  siteOwnerName: string | null;
  billingStatus: string | null;
  subscriberCount: number | null;
  /** ISO-8601, as the API gave it; null when absent or not a date. */
  lastLoginDate: string | null;
}
