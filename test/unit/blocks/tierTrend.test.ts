import type { SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { Forecast } from '../../../src/billing/forecast.ts';
import type { BillingPlan, PlanTier } from '../../../src/billing/plan.ts';
import { limitViolations } from '../../../src/blocks/limits.ts';
import { cardModal, modalLimits } from '../../../src/blocks/lookupModal.ts';
import { planCard } from '../../../src/blocks/planCard.ts';
import {
  changeText,
  forecastSentence,
  shortDay,
  sparklineText,
  tierTrendLines,
  trendLine,
} from '../../../src/blocks/tierTrend.ts';
import type { AccountHistory } from '../../../src/history/historyStore.ts';
import { utcDay } from '../../../src/history/series.ts';
import type { KnownTier } from '../../../src/history/tierPrices.ts';
import { planTrends, type TierTrend } from '../../../src/history/trends.ts';
import type { CardTrends } from '../../../src/usecases/plan.ts';
import { liveMarkup } from '../../helpers/slackText.ts';

const now = new Date('2026-12-10T15:00:00Z');

const likelyUp = (over: Partial<Extract<Forecast, { kind: 'likely_up' }>> = {}): Forecast => ({
  kind: 'likely_up',
  points: 30,
  change30: 290,
  trendPerDay: 10,
  r2: 1,
  max: 2500,
  reachesMaxOn: '2026-12-20',
  alreadyOver: false,
  nextBillingDate: '2026-12-29',
  daysToBilling: 19,
  projectedAtBilling: 2600,
  nextLevel: 4,
  ...over,
});

const tier4: KnownTier = { level: 4, min: 2501, max: 5000, price: 85, currency: 'USD', at: 0 };

describe('shortDay', () => {
  it('names a day of the current year without the year, and of another year with it', () => {
    expect(shortDay('2026-12-20', now)).toBe('Dec 20');
    expect(shortDay('2026-01-03', now)).toBe('Jan 3');
    expect(shortDay('2027-02-03', now)).toBe('Feb 3, 2027');
    expect(shortDay('2025-12-31', now)).toBe('Dec 31, 2025');
  });

  it('takes the day as UTC whatever the hour of now', () => {
    expect(shortDay('2027-01-01', new Date('2026-12-31T23:59:59Z'))).toBe('Jan 1, 2027');
    expect(shortDay('2027-01-01', new Date('2027-01-01T00:00:00Z'))).toBe('Jan 1');
  });
});

describe('changeText', () => {
  it.each([
    { change: 140, want: '+140 in 30 days' },
    { change: -35, want: '−35 in 30 days' },
    { change: 12_500, want: '+12,500 in 30 days' },
    { change: 0, want: 'no change in 30 days' },
    { change: 0.001, want: 'no change in 30 days' },
    { change: -0.25, want: '−0.25 in 30 days' },
  ])('$change reads "$want"', ({ change, want }) => {
    expect(changeText(change)).toBe(want);
  });
});

describe('sparklineText', () => {
  it('drops the blank days before the first count and after the last, keeping the gaps between', () => {
    expect(sparklineText('      ▁▂ ▅▆▇  ')).toBe('`▁▂ ▅▆▇`');
    expect(sparklineText('▄▄▄')).toBe('`▄▄▄`');
    expect(sparklineText('     ')).toBeUndefined();
  });
});

describe('trendLine', () => {
  const trend = (change30: number | undefined, sparkline = '   ▁▂▃▅▆▇'): TierTrend => ({
    change30,
    sparkline,
    forecast: { kind: 'none', why: 'too_few_points', points: 2, change30, trendPerDay: undefined, r2: undefined },
  });

  it('shows the chart in a code span and the change next to it', () => {
    expect(trendLine(trend(140))).toBe('`▁▂▃▅▆▇` +140 in 30 days');
    expect(trendLine(trend(0, '▄▄'))).toBe('`▄▄` no change in 30 days');
  });

  it('shows nothing with fewer than two days counted', () => {
    expect(trendLine(trend(undefined, '        ▄'))).toBeUndefined();
    expect(tierTrendLines({ trend: trend(undefined) }, now)).toEqual([]);
  });
});

describe('forecastSentence', () => {
  it('says when the maximum is reached before billing, and the next tier with its price', () => {
    expect(forecastSentence(likelyUp(), tier4, now)).toBe(
      'At this pace reaches 2,500 around Dec 20, before the next billing date (Dec 29): likely to bill at tier 4 (about $85.00 a month).',
    );
  });

  it('says so when planbot has not seen the next tier’s price', () => {
    expect(forecastSentence(likelyUp(), undefined, now)).toBe(
      "At this pace reaches 2,500 around Dec 20, before the next billing date (Dec 29): likely to bill at tier 4 (planbot has not seen that tier's price yet).",
    );
  });

  it('says "the next tier" when the level is unknown, and escapes the price', () => {
    const odd = { ...tier4, price: 12, currency: '<!here>' };
    const sentence = forecastSentence(likelyUp({ nextLevel: null }), odd, now) ?? '';
    expect(sentence).toContain('likely to bill at the next tier (about 12.00 &lt;!HERE&gt; a month)');
    expect(liveMarkup(sentence)).toEqual([]);
  });

  it('words a crossing on the billing day itself', () => {
    expect(forecastSentence(likelyUp({ reachesMaxOn: '2026-12-29' }), tier4, now)).toBe(
      'At this pace reaches 2,500 around Dec 29, the next billing date: likely to bill at tier 4 (about $85.00 a month).',
    );
  });

  it('words usage already past the maximum', () => {
    expect(forecastSentence(likelyUp({ alreadyOver: true, reachesMaxOn: '2026-12-02' }), tier4, now)).toBe(
      'Past 2,500 since Dec 2; at this pace still past it on the next billing date (Dec 29): likely to bill at tier 4 (about $85.00 a month).',
    );
  });

  it('adds the year to a billing date in the next year', () => {
    const sentence = forecastSentence(
      likelyUp({ reachesMaxOn: '2026-12-30', nextBillingDate: '2027-01-05' }),
      undefined,
      new Date('2026-12-28T12:00:00Z'),
    );
    expect(sentence).toContain('around Dec 30, before the next billing date (Jan 5, 2027)');
  });

  it('words growing, with and without a day within a year', () => {
    const growing = (reachesMaxOn: string | null): Forecast => ({
      kind: 'growing',
      points: 30,
      change30: 30,
      trendPerDay: 1,
      r2: 0.9,
      max: 2500,
      reachesMaxOn,
      nextBillingDate: '2026-12-29',
      daysToBilling: 19,
      projectedAtBilling: 2300,
    });
    expect(forecastSentence(growing('2027-02-03'), tier4, now)).toBe(
      'At this pace reaches 2,500 around Feb 3, 2027, after the next billing date.',
    );
    expect(forecastSentence(growing(null), tier4, now)).toBe(
      'Growing: at this pace reaches 2,500 more than a year from now.',
    );
  });

  it('words shrinking as the share lost in 30 days', () => {
    const shrinking: Forecast = {
      kind: 'shrinking',
      points: 30,
      change30: -130,
      trendPerDay: -4.5,
      r2: 0.95,
      fallShare: 0.1249,
    };
    expect(forecastSentence(shrinking, undefined, now)).toBe('Down 12% in 30 days.');
  });

  it('says nothing for steady and no-forecast tiers', () => {
    const steady: Forecast = { kind: 'steady', points: 30, change30: -3, trendPerDay: -0.1, r2: 0.9, fallShare: 0.01 };
    const flat: Forecast = { kind: 'none', why: 'flat', points: 30, change30: 0, trendPerDay: 0, r2: 1 };
    expect(forecastSentence(steady, undefined, now)).toBeUndefined();
    expect(forecastSentence(flat, undefined, now)).toBeUndefined();
  });
});

describe('planCard with usage trends', () => {
  const day = utcDay(now.getTime());
  const tier = (over: Partial<PlanTier> = {}): PlanTier => ({
    usageType: 'CONTACTS',
    level: 3,
    min: 1001,
    max: 2500,
    usage: 2410,
    price: 65,
    currency: 'USD',
    ...over,
  });
  const plan = (tiers: PlanTier[]): BillingPlan => ({
    planType: 'BETTER',
    billingStatus: 'Open',
    billingDayOfMonth: 29,
    tiers,
  });
  /** 2,120 thirty days ago, 10 more each day, as the walks saw it. */
  const history: AccountHistory = {
    accountId: 'a07e1lxtnhz0',
    walk: Array.from({ length: 29 }, (_, i) => ({
      day: day - 29 + i,
      subscriberCount: 2120 + 10 * i,
      billingStatus: 'Open',
    })),
    plans: [],
  };
  const tierSections = (blocks: ReturnType<typeof planCard>['blocks']) =>
    blocks.filter((b): b is SectionBlock => b.type === 'section' && !b.fields).map((b) => b.text?.text ?? '');

  it('puts the change, the chart and the forecast inside the tier’s section, from the history', () => {
    const p = plan([tier()]);
    const [trend] = planTrends(history, p, now.getTime());
    const trends: CardTrends = { tiers: [{ trend: trend!, nextTier: tier4 }] };
    const card = planCard({
      accountId: 'a07e1lxtnhz0',
      plan: p,
      fetchedAt: now.getTime(),
      now,
      sample: false,
      audience: { kind: 'private' },
      trends,
    });
    const [text] = tierSections(card.blocks);
    expect(text!.split('\n')).toEqual([
      '*Contacts · tier 3* (1,001–2,500)',
      '`▰▰▰▰▰▰▰▰▰▰` 2,410 of 2,500 used (96%) ⚠️',
      '`▁▁▁▂▂▂▂▃▃▃▃▄▄▄▄▅▅▅▅▆▆▆▆▇▇▇▇███` +290 in 30 days',
      '*$65.00* a month',
      'At this pace reaches 2,500 around Dec 20, before the next billing date (Dec 29): likely to bill at tier 4 (about $85.00 a month).',
    ]);
    // The same card without trends is the card as it was.
    const plain = planCard({
      accountId: 'a07e1lxtnhz0',
      plan: p,
      fetchedAt: now.getTime(),
      now,
      sample: false,
      audience: { kind: 'private' },
    });
    expect(tierSections(plain.blocks)[0]).toBe(
      text!
        .split('\n')
        .filter((_, i) => i !== 2 && i !== 4)
        .join('\n'),
    );
    expect(card.blocks).toHaveLength(plain.blocks.length);
  });

  it('keeps the largest card, every tier with the longest trend lines, within Slack’s limits and the modal’s', () => {
    const huge = 1e300;
    const tiers = Array.from({ length: 45 }, (_, i) =>
      tier({
        usageType: `<!channel> ${'x'.repeat(200)}`,
        level: i + 1,
        min: huge,
        max: huge * 2,
        usage: huge * 3,
        price: huge,
      }),
    );
    const p = plan(tiers);
    const trend: TierTrend = {
      change30: -huge,
      sparkline: '▁▂▃▄▅▆▇█ '.repeat(4).slice(0, 30),
      forecast: likelyUp({
        max: huge * 2,
        alreadyOver: true,
        reachesMaxOn: '2025-12-02',
        nextBillingDate: '2027-01-29',
        nextLevel: huge,
      }),
    };
    const card = planCard({
      accountId: 'a07e1lxtnhz0',
      plan: p,
      fetchedAt: now.getTime(),
      now,
      sample: true,
      audience: { kind: 'private' },
      trends: {
        tiers: tiers.map(() => ({ trend, nextTier: { ...tier4, price: huge, currency: '<!here>'.repeat(30) } })),
      },
    });
    expect(limitViolations(card)).toEqual([]);
    for (const text of tierSections(card.blocks)) expect(liveMarkup(text)).toEqual([]);
    expect(tierSections(card.blocks)[0]).toContain('Past ');
    expect(cardModal(card, 'a07e1lxtnhz0').blocks.length).toBeLessThanOrEqual(modalLimits.blocks);
  });
});
