import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDigestOutlook } from '../../../src/digests/tierOutlook.ts';
import { createHistoryStore } from '../../../src/history/historyStore.ts';
import { encode, utcDay } from '../../../src/history/series.ts';
import { createTierPriceBook } from '../../../src/history/tierPrices.ts';
import type { BlobKv } from '../../../src/store/blobs.ts';
import { cacheKv, createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';
import { planWith } from '../../helpers/plans.ts';

const now = Date.parse('2026-11-10T12:00:00Z');
const today = utcDay(now);
const stores: Store[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function embedded(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-outlook-'));
  dirs.push(dir);
  const store = createEmbeddedStore(dir);
  stores.push(store);
  return store;
}

/** 30 days of contacts rising by `perDay` to `last` yesterday. */
const rising = (last: number, perDay: number) =>
  encode({
    walk: Array.from({ length: 30 }, (_, i) => ({
      day: today - 30 + i,
      subscriberCount: last - perDay * (29 - i),
      billingStatus: 'Open',
    })),
  });

// Tier 1 is 0–500, billed on the 29th: 484 today, rising 5 a day, passes 500 on Nov 14.
const nearTop = planWith({ billing_day_of_month: 29, current_tiers: [tierAt(1, 484)] });

function tierAt(level: number, usage: number, usageType = 'CONTACTS') {
  return {
    usage_type: usageType,
    current_usage: usage,
    tier: level,
    tier_min: level === 1 ? 0 : 500 * (level - 1) + 1,
    tier_max: 500 * level,
    price: 20 * level,
    currency_code: 'USD',
  };
}

/** A blob view that never answers, or fails every call: a store that is away. */
function awayBlobs(mode: 'hang' | 'fail'): BlobKv {
  const answer = () =>
    mode === 'hang' ? new Promise<never>(() => undefined) : Promise.reject(new Error('connection refused'));
  return { getMany: answer, setMany: answer, delete: answer, keys: answer, bytes: answer };
}

describe('a digest’s outlook of one account', () => {
  it('gives the tiers likely to move up, with the price of the tier above when any account showed it', async () => {
    const store = embedded();
    const blobs = store.blobs('history');
    await blobs.setMany([['acct-up', rising(480, 5)]]);
    const history = createHistoryStore({ blobs, days: 400, now: () => now });
    const tierPrices = createTierPriceBook(cacheKv(store.namespace('tier-prices')));
    const outlook = createDigestOutlook({ history, tierPrices });

    const unpriced = await outlook('acct-up', nearTop, now);
    expect(unpriced).toMatchObject({
      ok: true,
      likelyUp: [
        {
          tier: { level: 1, usage: 484 },
          forecast: { kind: 'likely_up', reachesMaxOn: '2026-11-14', nextBillingDate: '2026-11-29', nextLevel: 2 },
          nextTier: undefined,
        },
      ],
    });

    await tierPrices.record(planWith({ current_tiers: [tierAt(2, 700)] }), now);
    const priced = await outlook('acct-up', nearTop, now);
    expect(priced.ok && priced.likelyUp[0]?.nextTier).toMatchObject({ level: 2, price: 40, currency: 'USD' });
  });

  it('gives none for an account with no history, or one rising too slowly to pass its maximum by billing', async () => {
    const store = embedded();
    const blobs = store.blobs('history');
    await blobs.setMany([['acct-slow', rising(300, 2)]]);
    const history = createHistoryStore({ blobs, days: 400, now: () => now });
    const outlook = createDigestOutlook({
      history,
      tierPrices: createTierPriceBook(cacheKv(store.namespace('tier-prices'))),
    });
    const slowPlan = planWith({ billing_day_of_month: 29, current_tiers: [tierAt(1, 302)] });
    expect(await outlook('acct-slow', slowPlan, now)).toEqual({ ok: true, likelyUp: [] });
    expect(await outlook('acct-new', nearTop, now)).toEqual({ ok: true, likelyUp: [] });
  });

  it('gives up on a history that does not answer within the bound, without waiting for it', async () => {
    const history = createHistoryStore({ blobs: awayBlobs('hang'), days: 400, now: () => now });
    const outlook = createDigestOutlook({
      history,
      tierPrices: { next: () => Promise.resolve(undefined) },
      timeoutMs: 50,
    });
    const started = performance.now();
    expect(await outlook('acct-up', nearTop, now)).toEqual({ ok: false, why: 'timeout' });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(45);
    expect(took).toBeLessThan(1_000);
  });

  it('says a history that fails failed, and a price book that fails only leaves the price unknown', async () => {
    const failing = createDigestOutlook({
      history: createHistoryStore({ blobs: awayBlobs('fail'), days: 400, now: () => now }),
      tierPrices: { next: () => Promise.resolve(undefined) },
    });
    expect(await failing('acct-up', nearTop, now)).toMatchObject({
      ok: false,
      why: 'failed',
      error: expect.any(Error),
    });

    const store = embedded();
    const blobs = store.blobs('history');
    await blobs.setMany([['acct-up', rising(480, 5)]]);
    const noPrices = createDigestOutlook({
      history: createHistoryStore({ blobs, days: 400, now: () => now }),
      tierPrices: { next: () => Promise.reject(new Error('connection refused')) },
    });
    const result = await noPrices('acct-up', nearTop, now);
    expect(result).toMatchObject({ ok: true, likelyUp: [{ forecast: { kind: 'likely_up' }, nextTier: undefined }] });
  });
});
