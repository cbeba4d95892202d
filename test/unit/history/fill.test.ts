import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanTier } from '../../../src/billing/plan.ts';
import { createHistoryStore } from '../../../src/history/historyStore.ts';
import { utcDay } from '../../../src/history/series.ts';
import { createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';

const now = Date.parse('2026-08-20T10:00:00Z');
const today = utcDay(now);
const tier = (usage: number): PlanTier => ({
  usageType: 'CONTACTS',
  level: 1,
  min: 0,
  max: 500,
  usage,
  price: 20,
  currency: 'USD',
});
const walk = (day: number, count: number) => ({ day, subscriberCount: count, billingStatus: 'Open' });
const plan = (day: number, usage: number) => ({ day, tiers: [tier(usage)], billingDay: 15, planType: 'GOOD' });

let store: Store | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function history(days = 30) {
  dir = mkdtempSync(join(tmpdir(), 'planbot-fill-'));
  store = createEmbeddedStore(dir);
  return createHistoryStore({ blobs: store.blobs('history'), days, now: () => now });
}

describe('filling a history', () => {
  it('adds the days it has no point for, never replacing one, and nothing the second time', async () => {
    const h = history();
    await h.recordPlan(
      'a',
      { planType: 'GOOD', billingStatus: 'Open', billingDayOfMonth: 15, tiers: [tier(77)] },
      now - 2 * 86_400_000,
    );
    const points = {
      walk: [walk(today - 3, 10), walk(today - 2, 11), walk(today - 1, 12)],
      plans: [plan(today - 3, 10), plan(today - 2, 11), plan(today - 1, 12)],
    };
    expect(await h.fill('a', points)).toEqual({ added: 5 });
    const kept = await h.history('a');
    expect(kept.walk.map((p) => p.subscriberCount)).toEqual([10, 11, 12]);
    expect(kept.plans.map((p) => [p.day - today, p.tiers[0]?.usage])).toEqual([
      [-3, 10],
      [-2, 77],
      [-1, 12],
    ]);
    expect(await h.fill('a', points)).toEqual({ added: 0 });
    expect(await h.history('a')).toEqual(kept);
  });

  it('leaves out days before the window and keeps the first of two points for one day', async () => {
    const h = history(30);
    expect(await h.fill('b', { walk: [walk(today - 30, 1), walk(today - 29, 2), walk(today - 29, 3)] })).toEqual({
      added: 1,
    });
    expect((await h.history('b')).walk).toEqual([walk(today - 29, 2)]);
  });
});
