import { change30, forecastDefaults, forecastUsage, type Forecast, type UsagePoint } from '../billing/forecast.ts';
import type { BillingPlan, PlanTier } from '../billing/plan.ts';
import { usageSparkline } from '../billing/sparkline.ts';
import type { AccountHistory } from './historyStore.ts';
import { isoDay, type PlanPoint, utcDay } from './series.ts';

/** The usage type the index walk's subscriber count measures. */
const contacts = 'CONTACTS';

const sameType = (a: string | null, b: string | null) =>
  (a?.trim().toUpperCase() ?? null) === (b?.trim().toUpperCase() ?? null);

/** A tier of the usage type counted in contacts: the one the walks' subscriber counts also measure. */
export const countsContacts = (usageType: string | null): boolean => sameType(usageType, contacts);

/** Days of points a trend looks at, today included. */
const windowDays = forecastDefaults.windowDays;

/**
 * One tier's usage over the `windowDays` days ending `lastDay`, one point a UTC day, oldest first:
 * the tier's usage from each plan read; for a tier counted in contacts, also the subscriber count of
 * each index walk on days with no plan read (a plan read is the billing figure itself, so it wins
 * its day). `today`, when given, is the usage just read, the day's latest whatever the store holds.
 */
export function tierUsagePoints(
  history: AccountHistory,
  usageType: string | null,
  lastDay: number,
  today?: { day: number; usage: number | null },
): UsagePoint[] {
  const firstDay = lastDay - windowDays + 1;
  const byDay = new Map<number, number>();
  if (countsContacts(usageType)) {
    // Newest last: only the window's tail is looked at, so a year of history costs no more than a month.
    for (let i = history.walk.length - 1; i >= 0; i--) {
      const w = history.walk[i] as AccountHistory['walk'][number];
      if (w.day < firstDay) break;
      if (w.day <= lastDay && w.subscriberCount !== null && !byDay.has(w.day)) byDay.set(w.day, w.subscriberCount);
    }
  }
  for (let i = history.plans.length - 1; i >= 0; i--) {
    const p = history.plans[i] as PlanPoint;
    if (p.day < firstDay) break;
    if (p.day > lastDay) continue;
    const usage = p.tiers.find((t) => sameType(t.usageType, usageType))?.usage;
    if (usage !== null && usage !== undefined) byDay.set(p.day, usage);
  }
  if (today && today.usage !== null) byDay.set(today.day, today.usage);
  return [...byDay].sort((a, b) => a[0] - b[0]).map(([day, usage]) => ({ day: isoDay(day), usage }));
}

/** What the card and the Workflow step show of one tier's recent usage. */
export interface TierTrend {
  /** Last point minus first in the last 30 days; undefined with fewer than two. */
  change30: number | undefined;
  /** One character a day for the last 30 days, today last (`▁▂▃▅▆▇`, a space for a day with no point). */
  sparkline: string;
  forecast: Forecast;
}

/** The trend of one tier of a plan just read at `at` (epoch ms), from the account's history. */
export function tierTrend(history: AccountHistory, plan: BillingPlan, tier: PlanTier, at: number): TierTrend {
  const today = new Date(at);
  const day = utcDay(at);
  const points = tierUsagePoints(history, tier.usageType, day, { day, usage: tier.usage });
  return {
    change30: change30(points, today),
    sparkline: usageSparkline(points, today),
    forecast: forecastUsage({
      points,
      tier: { level: tier.level, min: tier.min, max: tier.max },
      billingStatus: plan.billingStatus,
      billingDayOfMonth: plan.billingDayOfMonth,
      today,
    }),
  };
}

/** Every tier's trend, in the plan's order. */
export function planTrends(history: AccountHistory, plan: BillingPlan, at: number): TierTrend[] {
  return plan.tiers.map((tier) => tierTrend(history, plan, tier, at));
}

/** The latest plan point of a history, or undefined when planbot never read the account's plan. */
export function latestPlan(history: AccountHistory): PlanPoint | undefined {
  return history.plans.at(-1);
}

/** The tier counted in contacts of a plan point (the one the index's subscriber counts follow). */
export function contactsTier(point: PlanPoint | undefined): PlanTier | undefined {
  return point?.tiers.find((t) => countsContacts(t.usageType));
}
