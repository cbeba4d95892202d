import { describe, expect, it } from 'vitest';
import { sampleHistory, sampleHistoryDays } from '../../../src/demo/sampleHistory.ts';
import { sampleAccounts, sampleDirectory } from '../../../src/demo/samplePartnerApi.ts';
import type { AccountHistory } from '../../../src/history/historyStore.ts';
import { outlookOf } from '../../../src/history/radar.ts';
import { isoDay, utcDay } from '../../../src/history/series.ts';
import { parseBillingPlan } from '../../../src/partner/parse.ts';

/** An account's sample days as the history keeps them, with or without today's live walk and plan read. */
function historyOf(accountId: string, today: number, withToday: boolean): AccountHistory {
  const days = sampleHistory(today).find((s) => s.accountId === accountId)!.days;
  const entry = sampleDirectory.find((e) => e.encoded_account_id === accountId)!;
  const live = withToday
    ? [
        {
          day: today,
          subscriberCount: entry.subscriber_count as number,
          billingStatus: entry.billing_status as string,
          plan: sampleAccounts[accountId] as Record<string, unknown>,
        },
      ]
    : [];
  const all = [...days, ...live];
  return {
    accountId,
    walk: all.map((d) => ({ day: d.day, subscriberCount: d.subscriberCount, billingStatus: d.billingStatus })),
    plans: all.map((d) => {
      const plan = parseBillingPlan(d.plan);
      return { day: d.day, tiers: plan.tiers, billingDay: plan.billingDayOfMonth, planType: plan.planType };
    }),
  };
}

const kindOf = (accountId: string, now: number, withToday: boolean) =>
  outlookOf(
    {
      id: accountId,
      organizationName: null,
      siteOwnerName: null,
      billingStatus: 'Open',
      subscriberCount: null,
      lastLoginDate: null,
    },
    historyOf(accountId, utcDay(now), withToday),
    now,
  ).forecast.kind;

describe('the sample history', () => {
  it('gives the days before today, oldest first, ending next to where the sample API is today', () => {
    const today = utcDay(Date.parse('2026-05-20T10:00:00Z'));
    const plus = sampleHistory(today).find((s) => s.accountId === 'demo-plus')!.days;
    expect(plus).toHaveLength(sampleHistoryDays);
    expect(plus[0]!.day).toBe(today - 60);
    expect(plus.at(-1)!.day).toBe(today - 1);
    expect(plus.at(-1)!.subscriberCount).toBeGreaterThan(2_520);
    expect(parseBillingPlan(plus.at(-1)!.plan).tiers[0]?.usage).toBe(plus.at(-1)!.subscriberCount);
    expect(
      sampleHistory(today)
        .map((s) => s.accountId)
        .sort(),
    ).toEqual(Object.keys(sampleAccounts).sort());
  });

  it('reads likely to move up, growing and shrinking on every day of three years, before and after today’s reads', () => {
    const wrong: string[] = [];
    for (let day = utcDay(Date.UTC(2026, 0, 1)); day <= utcDay(Date.UTC(2028, 11, 31)); day++) {
      for (const withToday of [false, true]) {
        const now = day * 86_400_000 + 43_200_000;
        const kinds = ['demo-plus', 'demo-email', 'demo-gold'].map((id) => kindOf(id, now, withToday));
        if (kinds.join() !== 'likely_up,growing,shrinking') wrong.push(`${isoDay(day)} ${withToday}: ${kinds.join()}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
