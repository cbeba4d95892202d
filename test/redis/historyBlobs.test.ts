import { createClient } from 'redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../src/billing/account.ts';
import { createHistoryStore } from '../../src/history/historyStore.ts';
import { utcDay } from '../../src/history/series.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedisStore, type RedisStore } from '../../src/store/redisStore.ts';
import { delay } from '../helpers/http.ts';
import { dropPrefix, sharedRedisUrl, startPrivateRedis, uniquePrefix } from '../helpers/redis.ts';

const redisUrl = sharedRedisUrl();
const stores: RedisStore[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redisUrl, p);
});

/** A replica's store on a prefix of its own, or on `prefix` to share it with another replica. */
async function replica(prefix = uniquePrefix('blobs'), url = redisUrl) {
  if (url === redisUrl && !prefixes.includes(prefix)) prefixes.push(prefix);
  const store = await createRedisStore({ url, prefix, logger: createLogger('silent') });
  stores.push(store);
  return store;
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
const account = (id: string, subscriberCount: number): PartnerAccount => ({
  id,
  organizationName: null,
  siteOwnerName: null,
  billingStatus: 'Open',
  subscriberCount,
  lastLoginDate: null,
});

describe('the Redis blob views', () => {
  it('are one hash per name under the prefix, binary-safe both ways', async () => {
    const store = await replica();
    const blobs = store.blobs('history');
    await blobs.setMany([
      ['all', everyByte],
      ['utf8-breaker', bytes(0xc3, 0x28, 0xff, 0x00)],
      ['empty', new Uint8Array(0)],
      ['offset', everyByte.subarray(254)],
    ]);
    const got = await blobs.getMany(['all', 'missing', 'utf8-breaker', 'empty', 'offset']);
    expect(got.map((v) => (v === undefined ? undefined : [...v]))).toEqual([
      [...everyByte],
      undefined,
      [0xc3, 0x28, 0xff, 0x00],
      [],
      [254, 255],
    ]);
    expect(got[0]).toBeInstanceOf(Uint8Array);
    const raw = createClient({ url: redisUrl });
    await raw.connect();
    try {
      expect(await raw.type(`${store.prefix}:blobs:history`)).toBe('hash');
      expect(await raw.hLen(`${store.prefix}:blobs:history`)).toBe(4);
    } finally {
      await raw.close();
    }
  });

  it('read and write more keys than one command carries, in order', async () => {
    const blobs = (await replica()).blobs('history');
    const entries = Array.from({ length: 2_600 }, (_, i): [string, Uint8Array] => [`acc${i}`, bytes(i % 256, i >> 8)]);
    await blobs.setMany(entries);
    const keys = entries.map(([k]) => k).reverse();
    const got = await blobs.getMany(keys);
    expect(got.map((v) => [...(v ?? [])])).toEqual(entries.map(([, v]) => [...v]).reverse());
    expect((await blobs.keys()).length).toBe(2_600);
    expect(await blobs.bytes()).toBeGreaterThan(2_600 * 2);
  });

  it('delete a key, keep names apart, and answer zero bytes for a name never written', async () => {
    const store = await replica();
    await store.blobs('x').setMany([['k', bytes(1)]]);
    await store.blobs('y').setMany([['k', bytes(2)]]);
    await store.blobs('x').delete('k');
    expect(await store.blobs('x').getMany(['k'])).toEqual([undefined]);
    expect(await store.blobs('y').getMany(['k'])).toEqual([Buffer.from([2])]);
    expect(await store.blobs('never').bytes()).toBe(0);
    expect(await store.blobs('never').keys()).toEqual([]);
  });

  it('are shared by replicas on one prefix', async () => {
    const prefix = uniquePrefix('blobs');
    const [a, b] = [await replica(prefix), await replica(prefix)];
    await a.blobs('history').setMany([['k', everyByte]]);
    expect(await b.blobs('history').getMany(['k'])).toEqual([Buffer.from(everyByte)]);
  });
});

describe('the usage history on Redis', () => {
  it('records a walk on one replica that another reads', async () => {
    const prefix = uniquePrefix('history');
    const [a, b] = [await replica(prefix), await replica(prefix)];
    const now = Date.UTC(2025, 5, 1, 12);
    const writer = createHistoryStore({ blobs: a.blobs('history'), days: 400, now: () => now });
    const reader = createHistoryStore({ blobs: b.blobs('history'), days: 400, now: () => now });
    const accounts = Array.from({ length: 3_000 }, (_, i) => account(`acc${i}`, i * 7));
    expect(await writer.recordWalk(accounts)).toMatchObject({ status: 'recorded', accounts: 3_000, written: 3_000 });
    expect((await reader.history('acc42')).walk).toEqual([
      { day: utcDay(now), subscriberCount: 294, billingStatus: 'Open' },
    ]);
    let n = 0;
    for await (const h of reader.histories(accounts.map((x) => x.id))) if (h.walk.length === 1) n++;
    expect(n).toBe(3_000);
  });

  it('waits for Redis while it is away instead of failing at once, and records again once it is back', async () => {
    const redis = await startPrivateRedis();
    try {
      const store = await replica(uniquePrefix('history'), redis.url);
      const history = createHistoryStore({ blobs: store.blobs('history'), days: 400 });
      await history.recordWalk([account('a', 1)]);
      await redis.stop();
      let settled = false;
      const pending = history.recordWalk([account('a', 2)]).then(
        (r) => ((settled = true), r),
        (error: unknown) => ((settled = true), error),
      );
      await delay(500);
      expect(settled).toBe(false);
      await redis.start();
      // The command held through the outage may meet Redis still loading its file: then it is a
      // HistoryStoreError for the caller to log, and the next walk records the day's point.
      const outcome = await pending;
      if (outcome instanceof Error) expect(outcome).toMatchObject({ code: 'history_unavailable' });
      else expect(outcome).toMatchObject({ status: 'recorded', written: 1 });
      await history.recordWalk([account('a', 3)]);
      expect((await history.history('a')).walk.map((p) => p.subscriberCount)).toEqual([3]);
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await redis.close();
    }
  });
});
