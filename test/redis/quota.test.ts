import { createClient } from 'redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import type { UpstreamError } from '../../src/partner/errors.ts';
import { createQuotaGovernor } from '../../src/partner/quota.ts';
import { createRedisStore, type RedisStore } from '../../src/store/redisStore.ts';
import { fakeClock } from '../helpers/fakeClock.ts';
import { delay } from '../helpers/http.ts';
import { dropPrefix, sharedRedisUrl, startPrivateRedis, uniquePrefix } from '../helpers/redis.ts';

const redisUrl = sharedRedisUrl();
const prefixes: string[] = [];
const stores: RedisStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redisUrl, p);
});

/** Two replicas: a store each on one Redis prefix, a governor each, one clock. */
async function twoReplicas(o: { dailyQuota: number; reserve: number; start: string }) {
  const prefix = uniquePrefix('quota');
  prefixes.push(prefix);
  const clock = fakeClock(o.start);
  const open = async () => {
    const store = await createRedisStore({ url: redisUrl, prefix, logger: createLogger('silent') });
    stores.push(store);
    return createQuotaGovernor({
      counter: store.counters('quota'),
      dailyQuota: o.dailyQuota,
      reserve: o.reserve,
      now: clock.now,
      logger: createLogger('silent'),
    });
  };
  const [a, b] = await Promise.all([open(), open()]);
  return { prefix, clock, a, b };
}

async function healthIs(store: RedisStore, health: 'ok' | 'degraded') {
  for (let i = 0; i < 500 && (await store.health()) !== health; i++) await delay(20);
  expect(await store.health()).toBe(health);
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'admitted',
    (error: unknown) => (error as UpstreamError).code,
  );

describe('the daily quota on Redis', () => {
  it('shares one count: requests from both add up exactly, and background stops for both at the reserve', async () => {
    const { prefix, clock, a, b } = await twoReplicas({
      dailyQuota: 1_000,
      reserve: 200,
      start: '2026-05-04T08:00:00Z',
    });
    // Both at once, as two processes would.
    const burst = (g: typeof a, purpose: 'lookup' | 'index', n: number) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          await g.admit(purpose);
          await g.spent(purpose);
        }),
      );
    await Promise.all([burst(a, 'index', 300), burst(b, 'lookup', 250)]);
    expect(await a.snapshot()).toMatchObject({
      day: '2026-05-04',
      used: { index: 300, lookup: 250 },
      total: 550,
      left: 450,
    });
    expect((await b.snapshot()).total).toBe(550);

    // One hash a day under the prefix, kept two days.
    const client = createClient({ url: redisUrl });
    await client.connect();
    try {
      const key = `${prefix}:counters:quota:day:2026-05-04`;
      expect(await client.hGetAll(key)).toEqual({ index: '300', lookup: '250' });
      expect(await client.pTTL(key)).toBeGreaterThan(47 * 3_600_000);
    } finally {
      await client.close();
    }

    await burst(a, 'index', 250);
    await clock.advance(1_000);
    expect(await refusal(b.admit('digest'))).toBe('quota_reserved');
    expect(await refusal(b.admit('lookup'))).toBe('admitted');
    b.unsent();
  });

  it('shares the exhausted mark: the other replica stops within a second, until 00:00 UTC', async () => {
    const { clock, a, b } = await twoReplicas({ dailyQuota: 10_000, reserve: 2_000, start: '2026-05-04T21:00:00Z' });
    await b.admit('lookup');
    await b.spent('lookup');
    await a.exhausted();
    expect(await refusal(a.admit('lookup'))).toBe('quota_exceeded');
    await clock.advance(1_000);
    expect(await refusal(b.admit('lookup'))).toBe('quota_exceeded');
    expect(await b.snapshot()).toMatchObject({
      total: 1,
      backgroundStopped: true,
      exhaustedUntil: Date.parse('2026-05-05T00:00:00Z'),
    });
    await clock.advanceTo('2026-05-05T00:00:00Z');
    expect(await refusal(b.admit('lookup'))).toBe('admitted');
    expect(await refusal(a.admit('index'))).toBe('admitted');
  });

  it('while Redis is away, counts in memory on top of the fleet’s count as last read', async () => {
    const redis = await startPrivateRedis();
    try {
      const store = await createRedisStore({ url: redis.url, prefix: 'quota', logger: createLogger('silent') });
      stores.push(store);
      const counters = store.counters('quota');
      expect(await counters.add('day:2026-05-04', 'lookup', 5, 60_000)).toEqual({ lookup: 5 });
      await redis.stop();
      await healthIs(store, 'degraded');
      // Not 1: the 5 the fleet had spent still count.
      expect(await counters.add('day:2026-05-04', 'lookup', 1, 60_000)).toEqual({ lookup: 6 });
      expect(await counters.add('day:2026-05-04', 'index', 2, 60_000)).toEqual({ lookup: 6, index: 2 });
      expect(await counters.read('day:2026-05-04')).toEqual({ lookup: 6, index: 2 });
      // Back: Redis's own count again (it kept what was added before the outage).
      await redis.start();
      await healthIs(store, 'ok');
      expect(await counters.read('day:2026-05-04')).toEqual({ lookup: 5 });
    } finally {
      await redis.close();
    }
  });
});
