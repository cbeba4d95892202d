import { describe, expect, it } from 'vitest';
import { type AccountState, type Alert, unknownState } from '../../../src/alerts/accountState.ts';
import { alertDetails, alertLine, alertSummary, singleAlert } from '../../../src/blocks/alertMessages.ts';

const tier = (level: number, min: number, max: number, price: number) => ({
  usageType: 'CONTACTS',
  level,
  min,
  max,
  price,
  currency: 'USD',
});
const state = (t: ReturnType<typeof tier> | undefined, status = 'Open', planType = 'BETTER'): AccountState => ({
  planType,
  billingStatus: status,
  tiers: t ? [t] : [],
});
const alert = (fields: Partial<Alert>): Alert => ({
  accountId: 'a07eacme01',
  kind: 'upgrade',
  eventType: 'tier.increase',
  previous: state(tier(2, 501, 1000, 45)),
  current: state(tier(3, 1001, 2500, 65)),
  name: 'Acme Corp',
  at: 0,
  key: 'k',
  ...fields,
});

describe('alert wording', () => {
  it('says what changed from what', () => {
    expect(alertLine(alert({}))).toBe(
      'Acme Corp moved up to tier 3 (Contacts 1,001–2,500, $65.00 a month; was tier 2, $45.00).',
    );
    expect(alertLine(alert({ kind: 'cancellation', current: state(tier(2, 501, 1000, 45), 'Canceled') }))).toBe(
      'Acme Corp was cancelled (was Open, Email Plus).',
    );
    expect(
      alertLine(
        alert({ kind: 'downgrade', previous: state(tier(3, 1001, 2500, 65)), current: state(tier(2, 501, 1000, 45)) }),
      ),
    ).toBe('Acme Corp moved down to tier 2 (Contacts 501–1,000, $45.00 a month; was tier 3, $65.00).');
  });

  it('says so when planbot knew no earlier state, and shows the current one', () => {
    expect(alertLine(alert({ previous: undefined }))).toBe(
      'Acme Corp: Constant Contact reports a tier upgrade. planbot knew no earlier state of this account; it is now tier 3 (Contacts 1,001–2,500, $65.00 a month), Open, Email Plus.',
    );
  });

  it('says what the notification reported when the plan could not be read, with the last state known', () => {
    const unread = alert({ unread: 'quota_exceeded', current: unknownState() });
    expect(alertLine(unread)).toBe(
      "Acme Corp: Constant Contact reports a tier upgrade. planbot could not read the current plan: today's Constant Contact request quota is spent (plans can be read again after 00:00 UTC). Last known: tier 2 (Contacts 501–1,000, $45.00 a month), Open, Email Plus.",
    );
    expect(alertLine(alert({ unread: 'unavailable', kind: 'disabled', previous: undefined }))).toBe(
      'Acme Corp: Constant Contact reports the account was disabled. planbot could not read the current plan: Constant Contact did not answer after repeated tries. planbot knew no earlier state of this account.',
    );
    const message = singleAlert(unread);
    expect(message.text).toMatch(/^Tier upgrade: Acme Corp: Constant Contact reports a tier upgrade\./);
    expect(JSON.stringify(message.blocks)).toContain('current plan not read');
    expect(JSON.stringify(message.blocks)).not.toContain('status not shown');
  });

  it('escapes names from the API, so a name cannot ping a channel', () => {
    const message = singleAlert(alert({ name: '<!channel> & Co' }));
    const text = JSON.stringify(message);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; Co');
  });

  it('falls back to the id when the account is not in the index', () => {
    expect(alertLine(alert({ name: null }))).toMatch(/^account `a07eacme01` moved up/);
  });

  it('gives each alert a Show plan button carrying the account id', () => {
    const message = singleAlert(alert({}));
    expect(message.blocks[0]).toMatchObject({ accessory: { action_id: 'alert_show_plan', value: 'a07eacme01' } });
    expect(JSON.stringify(message.blocks[1])).toContain('$65.00 a month');
  });

  it('summarises a burst by kind, and lists up to 20 accounts in a reply', () => {
    expect(alertSummary({ upgrade: 14, cancellation: 2 }).text).toBe('14 accounts moved up a tier, 2 were cancelled');
    expect(alertSummary({ upgrade: 1 }).text).toBe('1 account moved up a tier');
    const details = alertDetails(Array.from({ length: 20 }, (_, i) => alert({ accountId: `a07eacme${i}` })));
    expect(details.blocks).toHaveLength(20);
  });
});
