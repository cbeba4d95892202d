import { nextBillingDate, daysUntil } from '../billing/nextBillingDate.ts';
import { isBilled } from '../billing/planLabels.ts';
import { usageShare } from '../billing/usage.ts';
import type { BillingPlan, PlanTier } from '../billing/plan.ts';

/** What a digest remembers of an account between runs. */
export interface AccountSnapshot {
  planType: string | null;
  billingStatus: string | null;
  /** Tier level per usage type. */
  tiers: Record<string, number | null>;
}

export type AccountChange =
  | { kind: 'status'; from: string | null; to: string | null }
  | { kind: 'plan'; from: string | null; to: string | null }
  | { kind: 'tier'; usageType: string; from: number | null; to: number | null; direction: 'up' | 'down' | 'changed' };

export function snapshotOf(plan: BillingPlan): AccountSnapshot {
  const tiers: Record<string, number | null> = {};
  for (const t of plan.tiers) tiers[t.usageType ?? 'USAGE'] = t.level;
  return { planType: plan.planType, billingStatus: plan.billingStatus, tiers };
}

/** Differences that matter to an account manager: billing status, plan type, tier level. */
export function detectChanges(previous: AccountSnapshot | undefined, current: AccountSnapshot): AccountChange[] {
  if (!previous) return [];
  const changes: AccountChange[] = [];
  if (previous.billingStatus !== current.billingStatus)
    changes.push({ kind: 'status', from: previous.billingStatus, to: current.billingStatus });
  if (previous.planType !== current.planType)
    changes.push({ kind: 'plan', from: previous.planType, to: current.planType });
  const types = new Set([...Object.keys(previous.tiers), ...Object.keys(current.tiers)]);
  for (const usageType of [...types].sort()) {
    const from = previous.tiers[usageType] ?? null;
    const to = current.tiers[usageType] ?? null;
    if (from === to) continue;
    const direction = from !== null && to !== null ? (to > from ? 'up' : 'down') : 'changed';
    changes.push({ kind: 'tier', usageType, from, to, direction });
  }
  return changes;
}

/** The next billing date when it falls within `days` of `today`, with the monthly total. */
export function billingSoon(plan: BillingPlan, today: Date, days = 7): { date: Date; inDays: number } | undefined {
  if (!isBilled(plan.billingStatus) || plan.billingDayOfMonth === null) return undefined;
  const date = nextBillingDate(plan.billingDayOfMonth, today);
  const inDays = daysUntil(date, today);
  return inDays <= days ? { date, inDays } : undefined;
}

/** Tiers at or above `threshold` of their maximum (0.9 = 90%). */
export function tiersNearLimit(plan: BillingPlan, threshold = 0.9): Array<{ tier: PlanTier; share: number }> {
  const near: Array<{ tier: PlanTier; share: number }> = [];
  for (const tier of plan.tiers) {
    const share = usageShare(tier.usage, tier.max);
    if (share !== null && share >= threshold) near.push({ tier, share });
  }
  return near;
}
