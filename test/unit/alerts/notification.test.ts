import { describe, expect, it } from 'vitest';
import { accountIdOfPlanUrl, checkNotification, kindOfEvent } from '../../../src/alerts/notification.ts';

const key = 'partner-api-key';
const body = (fields: Record<string, unknown>) =>
  JSON.stringify({
    url: 'https://api.cc.email/v3/partner/accounts/a07e1my9tbw0/plan',
    api_key: key,
    event_type: 'tier.increase',
    ...fields,
  });

describe('checkNotification', () => {
  it('accepts Constant Contact’s notification and takes the account id from the url’s path', () => {
    expect(checkNotification(body({}), key)).toEqual({
      kind: 'accepted',
      accountId: 'a07e1my9tbw0',
      eventType: 'tier.increase',
    });
  });

  it('refuses a wrong, missing-from-config or differently sized api_key as unauthorized', () => {
    expect(checkNotification(body({ api_key: 'someone-else' }), key)).toEqual({ kind: 'unauthorized' });
    expect(checkNotification(body({ api_key: `${key}x` }), key)).toEqual({ kind: 'unauthorized' });
    expect(checkNotification(body({}), undefined)).toEqual({ kind: 'unauthorized' });
  });

  it('checks the key before the rest, so a caller without it learns nothing about the shape', () => {
    expect(checkNotification(body({ api_key: 'wrong', url: 'nonsense' }), key)).toEqual({ kind: 'unauthorized' });
  });

  it.each([
    ['not JSON', '{"url":'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['no api_key', JSON.stringify({ url: 'https://x/partner/accounts/a1/plan', event_type: 'tier.increase' })],
    ['no event_type', body({ event_type: undefined })],
    ['an empty event_type', body({ event_type: ' ' })],
    ['a url that is a number', body({ url: 42 })],
    ['a url of another resource', body({ url: 'https://api.cc.email/v3/partner/accounts/a07e1my9tbw0/status' })],
    ['a url with a path escape', body({ url: 'https://api.cc.email/v3/partner/accounts/..%2Fadmin/plan' })],
    ['a url with a bad id', body({ url: 'https://api.cc.email/v3/partner/accounts/a%20b/plan' })],
    ['not a url', body({ url: 'partner/accounts/a07e1my9tbw0/plan' })],
    ['a file url', body({ url: 'file:///partner/accounts/a07e1my9tbw0/plan' })],
  ])('refuses %s as invalid', (_what, raw) => {
    expect(checkNotification(raw, key).kind).toBe('invalid');
  });

  it('takes only the path of the url: another host still names an account, which planbot reads itself', () => {
    expect(accountIdOfPlanUrl('http://127.0.0.1:9/v3/partner/accounts/a07eacme01/plan')).toBe('a07eacme01');
  });
});

describe('kindOfEvent', () => {
  it('maps the four topics’ event types and treats any other as a change', () => {
    expect(
      ['tier.increase', 'tier.decrease', 'account.cancel', 'account.disable', 'plan.moved'].map(kindOfEvent),
    ).toEqual(['upgrade', 'downgrade', 'cancellation', 'disabled', 'change']);
  });
});
