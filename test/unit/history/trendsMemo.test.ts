import { describe, expect, it } from 'vitest';
import type { BillingPlan } from '../../../src/billing/plan.ts';
import type { TierTrend } from '../../../src/history/trends.ts';
import { memoTrends } from '../../../src/history/trendsMemo.ts';

const plan = { tiers: [] } as unknown as BillingPlan;

/** A computation that says which call it was, so a test sees whether an answer was worked out again. */
function counting(fail?: (call: number) => boolean) {
  let calls = 0;
  const compute = async (accountId: string, _plan: BillingPlan, fetchedAt: number) => {
    calls++;
    if (fail?.(calls)) throw new Error('history unreadable');
    return [{ accountId, fetchedAt, call: calls }] as unknown as TierTrend[];
  };
  return { compute, calls: () => calls };
}

describe('each plan read’s trends, worked out once', () => {
  it('gives the cards of one read the same trends without reading the history again', async () => {
    let clock = 1_000_000;
    const c = counting();
    const trends = memoTrends(c.compute, { maxAgeMs: 60_000, now: () => clock });
    const first = await trends('a1', plan, clock);
    clock += 30_000;
    expect(await trends('a1', plan, 1_000_000)).toBe(first);
    expect(c.calls()).toBe(1);
    // Another account, or a newer read of the same one: worked out for it.
    await trends('a2', plan, 1_000_000);
    await trends('a1', plan, clock);
    expect(c.calls()).toBe(3);
  });

  it('keeps a read’s trends only as long as the read may be shown', async () => {
    let clock = 1_000_000;
    const c = counting();
    const trends = memoTrends(c.compute, { maxAgeMs: 60_000, now: () => clock });
    await trends('a1', plan, clock);
    clock += 60_001;
    await trends('a1', plan, 1_000_000);
    await trends('a1', plan, 1_000_000);
    // Older than the cache's time: never kept, worked out each time.
    expect(c.calls()).toBe(3);
  });

  it('tries again after a failed read of the history', async () => {
    const c = counting((call) => call === 1);
    const trends = memoTrends(c.compute, { maxAgeMs: 60_000, now: () => 5 });
    await expect(trends('a1', plan, 5)).rejects.toThrow('history unreadable');
    await expect(trends('a1', plan, 5)).resolves.toHaveLength(1);
    await trends('a1', plan, 5);
    expect(c.calls()).toBe(2);
  });

  it('holds at most its size, forgetting the oldest reads first', async () => {
    const c = counting();
    const trends = memoTrends(c.compute, { maxAgeMs: 60_000, now: () => 5, max: 3 });
    for (const id of ['a1', 'a2', 'a3', 'a4']) await trends(id, plan, 5);
    await trends('a4', plan, 5);
    await trends('a2', plan, 5);
    expect(c.calls()).toBe(4);
    await trends('a1', plan, 5);
    expect(c.calls()).toBe(5);
  });
});
