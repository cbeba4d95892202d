import { describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import { accountsNamedIn, suggestAccounts } from '../../../src/accounts/search.ts';
import { typedAccountId } from '../../../src/usecases/suggest.ts';
import { indexOf } from '../../helpers/accountIndex.ts';

const index = indexOf([
  ['Acme Inc.', 'acme1'],
  ['Acme Bakery', 'bake22'],
  ['Acmeville Dental', 'dent1'],
  ['Blue River Bakery', 'brb'],
  ['Smith Plumbing', 'smithp'],
  ['The Co', 'theco'],
]);
const org = (accounts: PartnerAccount[]) => accounts.map((a) => a.organizationName);

describe('suggestAccounts (the typeahead)', () => {
  it('offers every account whose name begins with what was typed, exact names first', () => {
    expect(org(suggestAccounts(index, 'acme', 10))).toEqual(['Acme Inc.', 'Acme Bakery', 'Acmeville Dental']);
    expect(org(suggestAccounts(index, 'ac', 10))).toContain('Acmeville Dental');
  });

  it('matches owners, several words, a small typo, and the id itself first', () => {
    expect(suggestAccounts(index, 'bake22', 10)[0]?.organizationName).toBe('Acme Bakery');
    expect(org(suggestAccounts(index, 'blue bak', 10))).toEqual(['Blue River Bakery']);
    expect(org(suggestAccounts(index, 'plumbnig', 10))).toEqual(['Smith Plumbing']);
    expect(suggestAccounts(index, 'acct004', 10)[0]?.organizationName).toBe('Smith Plumbing');
  });

  it('stops at the limit, and offers nothing for punctuation alone', () => {
    expect(suggestAccounts(index, 'acme', 2)).toHaveLength(2);
    expect(suggestAccounts(index, '  --  ', 10)).toEqual([]);
  });
});

describe('accountsNamedIn (the message shortcut)', () => {
  it('finds the account a sentence names, the longest name first', () => {
    expect(org(accountsNamedIn(index, 'Renewal call with Acme Bakery next week', 10))).toEqual(['Acme Bakery']);
    expect(org(accountsNamedIn(index, 'Is acme inc. on the gold plan?', 10))).toEqual(['Acme Inc.']);
  });

  it('ignores lone legal-form words and finds nothing in an ordinary sentence', () => {
    expect(accountsNamedIn(index, 'the co-op meeting is at noon', 10)).toEqual([]);
    expect(accountsNamedIn(index, 'lunch at noon?', 10)).toEqual([]);
  });
});

describe('typedAccountId', () => {
  it.each([
    ['a07e1lxtnhz0', 'a07e1lxtnhz0'],
    ['  a07e1lxtnhz0 ', 'a07e1lxtnhz0'],
    ['acme', undefined],
    ['12345678', undefined],
    ['a07e/../x', undefined],
  ])('%j → %j', (typed, id) => {
    expect(typedAccountId(typed)).toBe(id);
  });
});
