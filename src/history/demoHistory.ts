import { sampleHistory } from '../demo/sampleHistory.ts';
import { parseBillingPlan } from '../partner/parse.ts';
import type { HistoryStore } from './historyStore.ts';
import { utcDay } from './series.ts';

/**
 * Demo mode's sample days (demo/sampleHistory.ts) as walk points and plan points, on the days before
 * today the history has none for: a point already kept (a live read on an earlier day) stays, and a
 * restart the same day adds nothing. The plans go through the partner parser, as a live read's do.
 */
export async function writeSampleHistory(
  history: Pick<HistoryStore, 'fill'>,
  now: number,
): Promise<{ accounts: number; added: number }> {
  const samples = sampleHistory(utcDay(now));
  let added = 0;
  for (const { accountId, days } of samples) {
    const walk = days.map((d) => ({ day: d.day, subscriberCount: d.subscriberCount, billingStatus: d.billingStatus }));
    const plans = days.map((d) => {
      const plan = parseBillingPlan(d.plan);
      return { day: d.day, tiers: plan.tiers, billingDay: plan.billingDayOfMonth, planType: plan.planType };
    });
    added += (await history.fill(accountId, { walk, plans })).added;
  }
  return { accounts: samples.length, added };
}
