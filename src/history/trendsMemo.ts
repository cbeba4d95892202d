import type { BillingPlan } from '../billing/plan.ts';
import type { TierTrend } from './trends.ts';

export type TrendsOf = (accountId: string, plan: BillingPlan, fetchedAt: number) => Promise<TierTrend[]>;

/**
 * Each plan read's tier trends, worked out once for every card that shows that read. A card read
 * from the plan cache shows the same read as the card before it, so reading and decoding the
 * account's history again would give the same trends. An entry lives as long as the read it
 * belongs to may be shown (less than `maxAgeMs` from the read, as the plan cache keeps it): the history's other writers (the
 * index walk's daily counts) then show up on the next read, as a card's other facts do.
 */
export function memoTrends(compute: TrendsOf, o: { maxAgeMs: number; now: () => number; max?: number }): TrendsOf {
  // A cap on memory only (a few MB): within a minute, every read may be shown again.
  const max = o.max ?? 2_000;
  const kept = new Map<string, { fetchedAt: number; trends: TierTrend[] }>();
  return async (accountId, plan, fetchedAt) => {
    const key = `${accountId}\u0000${fetchedAt}`;
    const hit = kept.get(key);
    if (hit && o.now() - hit.fetchedAt < o.maxAgeMs) return hit.trends;
    if (hit) kept.delete(key);
    // Only what was worked out is kept: a slow or failed read of the history is each card's own.
    const trends = await compute(accountId, plan, fetchedAt);
    const at = o.now();
    if (at - fetchedAt < o.maxAgeMs) {
      kept.set(key, { fetchedAt, trends });
      // Oldest first (insertion order): reads past their time, then those least likely to be shown again.
      for (const [oldKey, entry] of kept) {
        if (kept.size <= max && at - entry.fetchedAt < o.maxAgeMs) break;
        kept.delete(oldKey);
      }
    }
    return trends;
  };
}
