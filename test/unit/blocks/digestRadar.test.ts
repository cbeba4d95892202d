import { describe, expect, it } from 'vitest';
import { accountLine, digestDetails, digestSummary, likelyUpText } from '../../../src/blocks/digestMessages.ts';
import { limitViolations } from '../../../src/blocks/limits.ts';
import type { PlanTier } from '../../../src/billing/plan.ts';
import type { DigestAccount } from '../../../src/digests/digestReport.ts';
import type { LikelyUpForecast, LikelyUpTier } from '../../../src/digests/tierOutlook.ts';
import type { KnownTier } from '../../../src/history/tierPrices.ts';
import { planWith } from '../../helpers/plans.ts';
import { visibleText } from '../../helpers/slack.ts';

const now = new Date('2026-12-04T09:00:00Z');
const title = 'Likely to move up a tier before billing';

const contacts: PlanTier = {
  usageType: 'CONTACTS',
  level: 3,
  min: 1001,
  max: 2500,
  usage: 2380,
  price: 65,
  currency: 'USD',
};

function forecast(o: Partial<LikelyUpForecast> = {}): LikelyUpForecast {
  return {
    kind: 'likely_up',
    points: 30,
    change30: 290,
    trendPerDay: 10,
    r2: 0.98,
    max: 2500,
    reachesMaxOn: '2026-12-20',
    alreadyOver: false,
    nextBillingDate: '2026-12-29',
    daysToBilling: 25,
    projectedAtBilling: 2630,
    nextLevel: 4,
    ...o,
  };
}

const tier4: KnownTier = { level: 4, min: 2501, max: 5000, price: 85, currency: 'USD', at: now.getTime() };

const likely = (o: Partial<LikelyUpForecast> = {}, nextTier?: KnownTier, tier = contacts): LikelyUpTier => ({
  tier,
  forecast: forecast(o),
  nextTier,
});

function account(id: string, likelyUp?: LikelyUpTier[], tiers = 1): DigestAccount {
  const plan = planWith({ billing_day_of_month: 29 });
  plan.tiers = tiers === 1 ? [contacts] : [contacts, { ...contacts, usageType: 'SMS_CREDITS', level: 1, max: 500 }];
  return { accountId: id, plan, changes: [], nearLimit: [], ...(likelyUp ? { likelyUp } : {}) };
}

const summaryOf = (accounts: DigestAccount[]) => digestSummary({ accounts, first: false, now, sample: false });

describe('the digest’s likely-to-move-up section', () => {
  it('words a crossing, the billing date and the next tier’s price', () => {
    expect(likelyUpText(likely({}, tier4))).toBe(
      'reaches 2,500 around Dec 20, bills Dec 29: likely tier 4 (about $85.00 a month)',
    );
  });

  it('says when the price of the next tier is not known, and when the level is not', () => {
    expect(likelyUpText(likely())).toBe(
      'reaches 2,500 around Dec 20, bills Dec 29: likely tier 4 (planbot has not seen its price yet)',
    );
    expect(likelyUpText(likely({ nextLevel: null }))).toContain('likely the next tier');
  });

  it('gives the day an account already past its maximum went past it', () => {
    expect(likelyUpText(likely({ alreadyOver: true, reachesMaxOn: '2026-11-30' }, tier4))).toBe(
      'past 2,500 since Nov 30, bills Dec 29: likely tier 4 (about $85.00 a month)',
    );
  });

  it('lists the accounts soonest first, and names the usage when a plan has several tiers', () => {
    const message = summaryOf([
      account('acct-late', [likely({ reachesMaxOn: '2026-12-24' })]),
      account('acct-none'),
      account('acct-over', [likely({ alreadyOver: true, reachesMaxOn: '2026-12-01' }, tier4)]),
      account('acct-two', [likely({ reachesMaxOn: '2026-12-10' }, tier4)], 2),
    ]);
    const text = visibleText(message);
    expect(text).toContain(
      [
        `*${title}*`,
        '• `acct-over` past 2,500 since Dec 1, bills Dec 29: likely tier 4 (about $85.00 a month)',
        '• `acct-two` Contacts: reaches 2,500 around Dec 10, bills Dec 29: likely tier 4 (about $85.00 a month)',
        '• `acct-late` reaches 2,500 around Dec 24, bills Dec 29: likely tier 4 (planbot has not seen its price yet)',
      ].join('\n'),
    );
    expect(text).not.toContain('`acct-none` reaches');
    expect(text).not.toContain('No changes');
    expect(message.text).toContain('3 likely to move up a tier');
    expect(limitViolations(message)).toEqual([]);
  });

  it('is left out when no account is likely to move up', () => {
    const message = summaryOf([account('acct-a'), account('acct-b', [])]);
    expect(visibleText(message)).not.toContain(title);
    expect(message.text).not.toContain('likely to move up');
    expect(visibleText(message)).toContain('No changes, nobody billing in the next 7 days, nobody near a tier limit.');
  });

  it('keeps a long list within Block Kit’s limits and points to the thread, which says it for each account', () => {
    const accounts = Array.from({ length: 300 }, (_, i) =>
      account(`acct-${String(i).padStart(3, '0')}`, [likely({}, { ...tier4, currency: '<!channel>' })]),
    );
    const message = summaryOf(accounts);
    expect(visibleText(message)).toContain('…and 285 more in the thread');
    expect(JSON.stringify(message)).not.toMatch(/<!channel>/i);
    expect(limitViolations(message)).toEqual([]);
    const replies = digestDetails({ accounts, first: false, now, sample: false });
    for (const reply of replies) expect(limitViolations(reply)).toEqual([]);
    expect(replies.flatMap((r) => visibleText(r).match(/likely to bill at tier 4 on Dec 29/g) ?? [])).toHaveLength(300);
  });

  it('says in the account’s thread line which tier it is likely to bill at', () => {
    expect(accountLine(account('acct-a', [likely({}, tier4)]))).toContain('likely to bill at tier 4 on Dec 29');
    expect(accountLine(account('acct-b', [likely({}, tier4)], 2))).toContain(
      'Contacts likely to bill at tier 4 on Dec 29',
    );
    expect(accountLine(account('acct-c'))).not.toContain('likely');
  });
});
