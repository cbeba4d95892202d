import { describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import { accountOptions, cardModal, modalLimits, stageOf } from '../../../src/blocks/lookupModal.ts';
import { planCard } from '../../../src/blocks/planCard.ts';

const account = (i: number, fields: Partial<PartnerAccount> = {}): PartnerAccount => ({
  id: `a07eacct${String(i).padStart(4, '0')}`,
  organizationName: `Organization ${i}`,
  siteOwnerName: `owner${i}`,
  billingStatus: 'Open',
  subscriberCount: 10,
  lastLoginDate: null,
  ...fields,
});
const facts = { builtAt: 0, accounts: 200, now: 0 };

describe('the typeahead’s options', () => {
  it('offer each account as name · owner · status, valued by its id, at most 100, within Slack’s lengths', () => {
    const options = accountOptions({
      kind: 'suggestions',
      accounts: Array.from({ length: 150 }, (_, i) => account(i, i === 0 ? { organizationName: 'x'.repeat(300) } : {})),
      index: facts,
    });
    expect(options).toHaveLength(modalLimits.options);
    expect(options[1]).toEqual({
      text: { type: 'plain_text', text: 'Organization 1 · owner1 · Open' },
      value: 'a07eacct0001',
    });
    expect(options.every((o) => o.text.text.length <= 75 && (o.value ?? '').length <= 150)).toBe(true);
  });

  it('offer an id typed in full as itself, first, unless the index already offers it', () => {
    const typed = accountOptions({
      kind: 'suggestions',
      accounts: [account(1)],
      index: facts,
      typedId: 'a07enew00009',
    });
    expect(typed.map((o) => o.value)).toEqual(['a07enew00009', 'a07eacct0001']);
    const known = accountOptions({
      kind: 'suggestions',
      accounts: [account(1)],
      index: facts,
      typedId: 'a07eacct0001',
    });
    expect(known.map((o) => o.value)).toEqual(['a07eacct0001']);
  });

  it('say so in one option when the index is not built yet (keeping a typed id)', () => {
    const options = accountOptions({ kind: 'index_not_ready', building: true });
    expect(options).toHaveLength(1);
    expect(options[0]!.text.text).toMatch(/being built/);
    expect(options[0]!.value).toBe('-');
    expect(accountOptions({ kind: 'index_not_ready', building: false, typedId: 'a07enew00009' })[0]!.value).toBe(
      'a07enew00009',
    );
  });

  it('say why when the person is refused, and nothing else', () => {
    const options = accountOptions({ kind: 'refused', verdict: { ok: false, refusal: 'external_user' } });
    expect(options).toHaveLength(1);
    expect(options[0]!.text.text).toMatch(/own organization/);
  });
});

describe('the card modal', () => {
  it('holds the card without its buttons, a picker that asks for response URLs, and stays within 100 blocks', () => {
    const card = planCard({
      accountId: 'a07eacct0001',
      plan: {
        planType: 'BETTER',
        billingStatus: 'Open',
        billingDayOfMonth: 5,
        tiers: Array.from({ length: 60 }, (_, i) => ({
          usageType: `T${i}`,
          level: 1,
          min: 0,
          max: 500,
          usage: 1,
          price: 1,
          currency: 'USD',
        })),
      },
      fetchedAt: 0,
      now: new Date(0),
      sample: false,
      audience: { kind: 'private' },
    });
    const view = cardModal(card, 'a07eacct0001');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(view.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(view.blocks.at(-1)).toMatchObject({
      type: 'input',
      optional: true,
      element: { type: 'conversations_select', response_url_enabled: true },
    });
    expect(stageOf(view.private_metadata)).toEqual({ stage: 'card', accountId: 'a07eacct0001' });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
  });

  it('reads anything it did not write as the first step', () => {
    expect(stageOf(undefined)).toEqual({ stage: 'pick' });
    expect(stageOf('{not json')).toEqual({ stage: 'pick' });
    expect(stageOf('{"stage":"card"}')).toEqual({ stage: 'pick' });
  });
});
