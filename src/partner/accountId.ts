/**
 * Constant Contact encoded account ids look like `a07e1lxtnhz0`. We accept letters, digits, `-`
 * and `_` (no dots or slashes), so an id can never become more or less than one path segment.
 */
const accountIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function isAccountId(text: string): boolean {
  return accountIdPattern.test(text);
}

/** The account's plan path, with the id as exactly one encoded segment. */
export function planPath(accountId: string): string {
  if (!isAccountId(accountId)) throw new TypeError('not an account id');
  return `/partner/accounts/${encodeURIComponent(accountId)}/plan`;
}
