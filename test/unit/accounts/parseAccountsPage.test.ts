import { describe, expect, it } from 'vitest';
import { parseAccountsPage } from '../../../src/partner/parse.ts';

const vendorExample = {
  encoded_account_id: 'a08e1izvh8t9',
  subscriber_count: 65,
  organization_name: 'Zenomatic',
  site_owner_name: 'Zen1016153',
  billing_status: 'Open',
  last_login_date: '2019-04-25T11:08:00.000Z',
};
const zenomatic = {
  id: 'a08e1izvh8t9',
  organizationName: 'Zenomatic',
  siteOwnerName: 'Zen1016153',
  billingStatus: 'Open',
  subscriberCount: 65,
  lastLoginDate: '2019-04-25T11:08:00.000Z',
};
const blank = {
  organizationName: null,
  siteOwnerName: null,
  billingStatus: null,
  subscriberCount: null,
  lastLoginDate: null,
};

describe('parseAccountsPage', () => {
  it('reads the vendor’s example and the next page’s offset', () => {
    expect(
      parseAccountsPage({
        site_owner_list: [vendorExample],
        _links: { next: { href: '/v3/partner/accounts?offset=MTAw&limit=50' } },
      }),
    ).toEqual({ accounts: [zenomatic], nextOffset: 'MTAw', skipped: 0 });
  });

  it('has no next offset on the last page', () => {
    expect(parseAccountsPage({ site_owner_list: [vendorExample] })).toEqual({
      accounts: [zenomatic],
      nextOffset: undefined,
      skipped: 0,
    });
    expect(parseAccountsPage({ site_owner_list: [], _links: {} }).nextOffset).toBeUndefined();
    expect(parseAccountsPage({ site_owner_list: [], _links: { next: null } }).nextOffset).toBeUndefined();
  });

  it.each([
    { name: 'a relative href', href: '/v3/partner/accounts?limit=50&offset=abc%3D%3D', want: 'abc==' },
    { name: 'another host (only the offset is kept)', href: 'https://evil.example/steal?offset=xyz', want: 'xyz' },
    { name: 'offset first', href: '?offset=p2&limit=10', want: 'p2' },
    { name: 'an offset with reserved characters', href: '/v3/partner/accounts?offset=a%26b%2Fc%3Fd', want: 'a&b/c?d' },
  ])('keeps only the offset of $name', ({ href, want }) => {
    expect(parseAccountsPage({ site_owner_list: [], _links: { next: { href } } }).nextOffset).toBe(want);
  });

  it.each([
    { name: 'no offset in the href', next: { href: '/v3/partner/accounts?limit=50' } },
    { name: 'an empty offset', next: { href: '/v3/partner/accounts?offset=&limit=50' } },
    { name: 'an href that is not text', next: { href: 42 } },
    { name: 'no href', next: {} },
    { name: 'an href no URL parser reads', next: { href: 'http://[::1' } },
  ])('flags a next link with $name, so a walk does not end early', ({ next }) => {
    const page = parseAccountsPage({ site_owner_list: [vendorExample], _links: { next } });
    expect(page.nextOffset).toBeUndefined();
    expect(page.problem).toBe('the next link has no offset');
    expect(page.accounts).toEqual([zenomatic]);
  });

  it.each([
    { name: 'null', body: null },
    { name: 'undefined', body: undefined },
    { name: 'a string', body: 'Service Unavailable' },
    { name: 'an array', body: [vendorExample] },
    { name: 'an object without the list', body: { accounts: [vendorExample] } },
    { name: 'a list that is not an array', body: { site_owner_list: { 0: vendorExample } } },
  ])('flags $name as no list at all, without throwing', ({ body }) => {
    expect(parseAccountsPage(body)).toEqual({
      accounts: [],
      nextOffset: undefined,
      skipped: 0,
      problem: 'the answer has no site_owner_list',
    });
  });

  it('skips entries without a valid encoded account id, and counts them', () => {
    const page = parseAccountsPage({
      site_owner_list: [
        vendorExample,
        { ...vendorExample, encoded_account_id: '../../admin' },
        { ...vendorExample, encoded_account_id: 'a b' },
        { ...vendorExample, encoded_account_id: '' },
        { ...vendorExample, encoded_account_id: 12345 },
        { organization_name: 'No id' },
        null,
        'a07e1lxtnhz0',
        { encoded_account_id: 'x'.repeat(65) },
        { encoded_account_id: 'a07e1lxtnhz0' },
      ],
    });
    expect(page.accounts).toEqual([zenomatic, { id: 'a07e1lxtnhz0', ...blank }]);
    expect(page.skipped).toBe(8);
  });

  it.each([
    { name: 'numbers as names', item: { organization_name: 42, site_owner_name: 7 }, want: {} },
    { name: 'blank names', item: { organization_name: '  ', site_owner_name: '' }, want: {} },
    { name: 'a negative subscriber count', item: { subscriber_count: -1 }, want: {} },
    { name: 'a subscriber count as text', item: { subscriber_count: '65' }, want: {} },
    { name: 'an infinite subscriber count', item: { subscriber_count: Infinity }, want: {} },
    { name: 'a float subscriber count', item: { subscriber_count: 65.0 }, want: { subscriberCount: 65 } },
    { name: 'zero subscribers', item: { subscriber_count: 0 }, want: { subscriberCount: 0 } },
    { name: 'a login date that is not a date', item: { last_login_date: 'yesterday' }, want: {} },
    { name: 'a null login date (never logged in)', item: { last_login_date: null }, want: {} },
    {
      name: 'a billing status outside the documented ones',
      item: { billing_status: 'Suspended' },
      want: { billingStatus: 'Suspended' },
    },
  ])('reads $name as null where unusable', ({ item, want }) => {
    const [account] = parseAccountsPage({
      site_owner_list: [{ encoded_account_id: 'a07e1lxtnhz0', ...item }],
    }).accounts;
    expect(account).toEqual({ id: 'a07e1lxtnhz0', ...blank, ...want });
  });
});
