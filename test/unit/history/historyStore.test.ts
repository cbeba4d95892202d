import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import type { BillingPlan, PlanTier } from '../../../src/billing/plan.ts';
import { createHistoryStore, HistoryStoreError } from '../../../src/history/historyStore.ts';
import { encode, SeriesFormatError, utcDay } from '../../../src/history/series.ts';
import type { BlobKv } from '../../../src/store/blobs.ts';
import { createEmbeddedStore } from '../../../src/store/createStore.ts';

const dayMs = 86_400_000;
const start = Date.UTC(2025, 5, 1, 10);
const today = utcDay(start);

const account = (
  id: string,
  subscriberCount: number | null,
  billingStatus: string | null = 'Open',
): PartnerAccount => ({
  id,
  organizationName: `Org ${id}`,
  siteOwnerName: null,
  billingStatus,
  subscriberCount,
  lastLoginDate: null,
});
const tier = (usage: number): PlanTier => ({
  usageType: 'CONTACTS',
  level: 1,
  min: 0,
  max: 500,
  usage,
  price: 12,
  currency: 'USD',
});
const plan = (usage: number): BillingPlan => ({
  planType: 'EMAIL',
  billingStatus: 'Open',
  billingDayOfMonth: 3,
  tiers: [tier(usage)],
});
/** What each plan point keeps of `plan` besides its tiers. */
const facts = { billingDay: 3, planType: 'EMAIL' };

/** A Map behind the BlobKv interface, listing its calls; `hold` stops the next getMany until released. */
function memoryBlobs() {
  const map = new Map<string, Uint8Array>();
  const calls: string[] = [];
  let gate: { arrived: () => void; wait: Promise<void> } | undefined;
  let failing: Error | undefined;
  const blobs: BlobKv = {
    async getMany(keys) {
      calls.push(`get:${keys.join(',')}`);
      if (failing) throw failing;
      if (gate) {
        const g = gate;
        gate = undefined;
        g.arrived();
        await g.wait;
      }
      return keys.map((k) => map.get(k));
    },
    async setMany(entries) {
      calls.push(`set:${entries.map(([k]) => k).join(',')}`);
      if (failing) throw failing;
      for (const [k, v] of entries) map.set(k, v);
    },
    async delete(key) {
      calls.push(`delete:${key}`);
      map.delete(key);
    },
    async keys() {
      return [...map.keys()];
    },
    async bytes() {
      return [...map.values()].reduce((n, v) => n + v.length, 0);
    },
  };
  return {
    blobs,
    map,
    calls,
    /** `reached` resolves once the next getMany has stopped; it goes on at `release()`. */
    hold() {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const wait = new Promise<void>((resolve) => (release = resolve));
      gate = { arrived, wait };
      return { reached, release };
    },
    fail(error: Error | undefined) {
      failing = error;
    },
  };
}

function setup(days = 400, chunkSize?: number) {
  const clock = { now: start };
  const mem = memoryBlobs();
  const unreadable: string[] = [];
  const history = createHistoryStore({
    blobs: mem.blobs,
    days,
    now: () => clock.now,
    chunkSize,
    onUnreadable: (id, error) => {
      expect(error).toBeInstanceOf(SeriesFormatError);
      unreadable.push(id);
    },
  });
  return { clock, mem, history, unreadable };
}

describe('recording walks', () => {
  it('keeps one point per account for today, the day’s last walk winning', async () => {
    const { history } = setup();
    expect(await history.recordWalk([account('a', 10), account('b', null, 'Trial')])).toMatchObject({
      status: 'recorded',
      day: today,
      accounts: 2,
      written: 2,
    });
    await history.recordWalk([account('a', 12, 'Canceled'), account('b', null, 'Trial')]);
    expect(await history.history('a')).toEqual({
      accountId: 'a',
      walk: [{ day: today, subscriberCount: 12, billingStatus: 'Canceled' }],
      plans: [],
    });
    expect((await history.history('b')).walk).toEqual([{ day: today, subscriberCount: null, billingStatus: 'Trial' }]);
  });

  it('rewrites only the accounts that moved since the last walk of the day', async () => {
    const { history, mem } = setup();
    await history.recordWalk([account('a', 1), account('b', 2), account('c', 3)]);
    mem.calls.length = 0;
    expect(await history.recordWalk([account('a', 1), account('b', 5), account('c', 3)])).toMatchObject({ written: 1 });
    expect(mem.calls).toEqual(['get:a,b,c', 'set:b']);
  });

  it('adds a point each UTC day and keeps HISTORY_DAYS of them, today included', async () => {
    const { history, clock } = setup(3);
    for (let d = 0; d < 5; d++) {
      clock.now = start + d * dayMs;
      await history.recordWalk([account('a', 100 + d)]);
    }
    expect((await history.history('a')).walk.map((p) => [p.day - today, p.subscriberCount])).toEqual([
      [2, 102],
      [3, 103],
      [4, 104],
    ]);
  });

  it('takes the last of an id listed twice in one walk', async () => {
    const { history } = setup();
    await history.recordWalk([account('a', 1), account('a', 2)]);
    expect((await history.history('a')).walk.map((p) => p.subscriberCount)).toEqual([2]);
  });

  it('reads and writes in chunks', async () => {
    const { history, mem } = setup(400, 2);
    await history.recordWalk(['a', 'b', 'c', 'd', 'e'].map((id) => account(id, 1)));
    expect(mem.calls).toEqual(['get:a,b', 'set:a,b', 'get:c,d', 'set:c,d', 'get:e', 'set:e']);
  });

  it('once a day, trims the accounts the walk no longer lists and removes them once empty', async () => {
    const { history, clock, mem } = setup(2);
    await history.recordWalk([account('a', 1), account('gone', 1)]);
    clock.now += dayMs;
    await history.recordWalk([account('a', 2)]);
    expect(mem.map.has('gone')).toBe(true);
    clock.now += dayMs;
    expect(await history.recordWalk([account('a', 3)])).toMatchObject({ removed: 1 });
    expect(mem.map.has('gone')).toBe(false);
    expect(mem.calls).toContain('delete:gone');
    // Not again the same day.
    mem.calls.length = 0;
    await history.recordWalk([account('a', 4)]);
    expect(mem.calls).toEqual(['get:a', 'set:a']);
  });

  it('replaces a stored series it cannot read, and says so', async () => {
    const { history, mem, unreadable } = setup();
    mem.map.set('a', Uint8Array.from([9, 9, 9]));
    await history.recordWalk([account('a', 7)]);
    expect(unreadable).toEqual(['a']);
    expect((await history.history('a')).walk).toEqual([{ day: today, subscriberCount: 7, billingStatus: 'Open' }]);
  });

  it('rejects with a HistoryStoreError carrying the store’s error', async () => {
    const { history, mem } = setup();
    const cause = new Error('redis went away');
    mem.fail(cause);
    const error = await history.recordWalk([account('a', 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryStoreError);
    expect(error).toMatchObject({ code: 'history_unavailable', operation: 'record_walk', cause });
    // The guard is free again.
    mem.fail(undefined);
    expect(await history.recordWalk([account('a', 1)])).toMatchObject({ status: 'recorded' });
  });
});

describe('one walk at a time', () => {
  it('a walk that arrives while one is recorded waits for it; a newer one replaces the waiting one', async () => {
    const { history, mem } = setup();
    const hold = mem.hold();
    const first = history.recordWalk([account('a', 1)]);
    await hold.reached;
    const second = history.recordWalk([account('a', 2)]);
    const third = history.recordWalk([account('a', 3)]);
    expect(await second).toEqual({ status: 'superseded' });
    expect(mem.calls).toEqual(['get:a']);
    hold.release();
    expect(await first).toMatchObject({ status: 'recorded' });
    expect(await third).toMatchObject({ status: 'recorded' });
    expect(mem.calls).toEqual(['get:a', 'set:a', 'get:a', 'set:a']);
    expect((await history.history('a')).walk.map((p) => p.subscriberCount)).toEqual([3]);
  });

  it('a plan read during a walk waits for the chunk in hand, so neither point is lost', async () => {
    const { history, mem } = setup();
    const hold = mem.hold();
    const walk = history.recordWalk([account('a', 1)]);
    await hold.reached;
    const read = history.recordPlan('a', plan(40), start);
    hold.release();
    await Promise.all([walk, read]);
    expect(mem.calls).toEqual(['get:a', 'set:a', 'get:a', 'set:a']);
    const h = await history.history('a');
    expect(h.walk).toHaveLength(1);
    expect(h.plans).toEqual([{ day: today, tiers: [tier(40)], ...facts }]);
  });
});

describe('recording plan reads', () => {
  it('keeps the day’s last read of each day', async () => {
    const { history, clock } = setup();
    expect(await history.recordPlan('a', plan(10), start)).toEqual({ status: 'recorded' });
    expect(await history.recordPlan('a', plan(11), start + 1_000)).toEqual({ status: 'recorded' });
    expect(await history.recordPlan('a', plan(11), start + 2_000)).toEqual({ status: 'unchanged' });
    clock.now += dayMs;
    await history.recordPlan('a', plan(12), clock.now);
    expect((await history.history('a')).plans).toEqual([
      { day: today, tiers: [tier(11)], ...facts },
      { day: today + 1, tiers: [tier(12)], ...facts },
    ]);
  });

  it('ignores a read older than the window', async () => {
    const { history, mem } = setup(30);
    expect(await history.recordPlan('a', plan(1), start - 30 * dayMs)).toEqual({ status: 'too_old' });
    expect(mem.calls).toEqual([]);
  });

  it('rejects with a HistoryStoreError when the store fails', async () => {
    const { history, mem } = setup();
    mem.fail(new Error('down'));
    await expect(history.recordPlan('a', plan(1), start)).rejects.toMatchObject({
      code: 'history_unavailable',
      operation: 'record_plan',
    });
  });
});

describe('reading', () => {
  it('an account with nothing kept has an empty history', async () => {
    const { history } = setup();
    expect(await history.history('nobody')).toEqual({ accountId: 'nobody', walk: [], plans: [] });
  });

  it('leaves out points older than the window even before a walk trims them', async () => {
    const { history, mem } = setup(10);
    mem.map.set(
      'a',
      encode({
        walk: [today - 20, today - 9, today].map((day) => ({ day, subscriberCount: day - today, billingStatus: null })),
        plans: [{ day: today - 10, tiers: [] }],
      }),
    );
    expect(await history.history('a')).toEqual({
      accountId: 'a',
      walk: [
        { day: today - 9, subscriberCount: -9, billingStatus: null },
        { day: today, subscriberCount: 0, billingStatus: null },
      ],
      plans: [],
    });
  });

  it('answers an unreadable series as empty, and says so', async () => {
    const { history, mem, unreadable } = setup();
    mem.map.set('a', Uint8Array.from([7]));
    expect(await history.history('a')).toEqual({ accountId: 'a', walk: [], plans: [] });
    expect(unreadable).toEqual(['a']);
  });

  it('hands many accounts out one by one, in order, reading a chunk at a time', async () => {
    const { history, mem } = setup(400, 2);
    await history.recordWalk(['a', 'b', 'c'].map((id, i) => account(id, i)));
    mem.calls.length = 0;
    const seen: string[] = [];
    for await (const h of history.histories(['c', 'x', 'a', 'b', 'c'])) {
      seen.push(`${h.accountId}:${h.walk.map((p) => p.subscriberCount).join()}`);
    }
    expect(seen).toEqual(['c:2', 'x:', 'a:0', 'b:1', 'c:2']);
    expect(mem.calls).toEqual(['get:c,x', 'get:a,b', 'get:c']);
  });

  it('a failed read is a HistoryStoreError', async () => {
    const { history, mem } = setup();
    mem.fail(new Error('down'));
    await expect(history.history('a')).rejects.toBeInstanceOf(HistoryStoreError);
    const iterate = async () => {
      for await (const _ of history.histories(['a'])) void _;
    };
    await expect(iterate()).rejects.toMatchObject({ operation: 'read' });
  });
});

it('refuses a window that is not a whole number of days', () => {
  const { blobs } = memoryBlobs();
  expect(() => createHistoryStore({ blobs, days: 0 })).toThrow(RangeError);
  expect(() => createHistoryStore({ blobs, days: 1.5 })).toThrow(RangeError);
});

describe('on the embedded store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the history across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planbot-history-'));
    dirs.push(dir);
    const clock = { now: start };
    const first = createEmbeddedStore(dir);
    const history = createHistoryStore({ blobs: first.blobs('history'), days: 400, now: () => clock.now });
    const accounts = Array.from({ length: 2_500 }, (_, i) => account(`acc${i}`, i));
    for (let d = 0; d < 3; d++) {
      clock.now = start + d * dayMs;
      await history.recordWalk(accounts.map((a) => ({ ...a, subscriberCount: (a.subscriberCount ?? 0) + d })));
    }
    await history.recordPlan('acc7', plan(9), clock.now);
    await first.close();

    const second = createEmbeddedStore(dir);
    const again = createHistoryStore({ blobs: second.blobs('history'), days: 400, now: () => clock.now });
    expect(await again.history('acc7')).toEqual({
      accountId: 'acc7',
      walk: [0, 1, 2].map((d) => ({ day: today + d, subscriberCount: 7 + d, billingStatus: 'Open' })),
      plans: [{ day: today + 2, tiers: [tier(9)], ...facts }],
    });
    let n = 0;
    for await (const h of again.histories(accounts.map((a) => a.id))) if (h.walk.length === 3) n++;
    expect(n).toBe(2_500);
    expect(await again.bytes()).toBeGreaterThan(2_500 * 5);
    await second.close();
  });
});
