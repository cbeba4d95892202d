import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createRedisStore, type RedisStore } from '../../src/store/redisStore.ts';
import { delay } from '../helpers/http.ts';
import { dropPrefix, sharedRedisUrl, uniquePrefix } from '../helpers/redis.ts';

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
async function replica(prefix = uniquePrefix('queue')) {
  if (!prefixes.includes(prefix)) prefixes.push(prefix);
  const store = await createRedisStore({ url: redisUrl, prefix, logger: createLogger('silent') });
  stores.push(store);
  return store;
}

describe('the Redis durable queue', () => {
  it('hands items out oldest first, with when they were queued', async () => {
    const queue = (await replica()).queue<{ n: number }>('work');
    const before = Date.now();
    // Back to back, most within one millisecond: the order is still the order they went in.
    for (const [i, id] of ['m', 'c', 'x', 'a'].entries()) await queue.push(id, { n: i });
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await queue.take(60_000));
    expect(taken.map((t) => [t?.id, t?.item.n, t?.attempts])).toEqual([
      ['m', 0, 1],
      ['c', 1, 1],
      ['x', 2, 1],
      ['a', 3, 1],
    ]);
    for (const t of taken) expect(Math.abs(t!.enqueuedAt - before)).toBeLessThan(5_000);
    expect(await queue.take(60_000)).toBeUndefined();
  });

  it('keeps the first item when an id already queued is pushed again', async () => {
    const queue = (await replica()).queue<string>('work');
    expect(await queue.push('x', 'first')).toBe(true);
    expect(await queue.push('x', 'second')).toBe(false);
    expect(await queue.size()).toBe(1);
    expect((await queue.take(1_000))?.item).toBe('first');
  });

  it('hides a leased item until its lease ends, then hands it out again with one more attempt', async () => {
    const queue = (await replica()).queue<string>('work');
    await queue.push('x', 'job');
    expect(await queue.take(500)).toMatchObject({ id: 'x', attempts: 1 });
    expect(await queue.take(500)).toBeUndefined();
    await delay(150);
    expect(await queue.take(500)).toBeUndefined();
    await delay(450);
    expect(await queue.take(500)).toMatchObject({ id: 'x', item: 'job', attempts: 2 });
    await delay(550);
    expect(await queue.take(500)).toMatchObject({ id: 'x', attempts: 3 });
  });

  it('removes a done item for good, leased or not', async () => {
    const queue = (await replica()).queue<string>('work');
    await queue.push('x', 'job');
    await queue.push('y', 'job');
    expect(await queue.size()).toBe(2);
    await queue.take(100);
    await queue.done('x');
    await queue.done('y');
    expect(await queue.size()).toBe(0);
    await delay(150);
    expect(await queue.take(100)).toBeUndefined();
    // Done, the id may be queued again, its attempts counted afresh.
    expect(await queue.push('x', 'again')).toBe(true);
    expect(await queue.take(100)).toMatchObject({ id: 'x', item: 'again', attempts: 1 });
  });

  it('counts items leased or not, queue by queue', async () => {
    const store = await replica();
    const work = store.queue<number>('work');
    const other = store.queue<number>('other');
    expect(work).toBe(store.queue('work'));
    for (let i = 0; i < 3; i++) await work.push(`w${i}`, i);
    await other.push('o', 0);
    await work.take(60_000);
    expect(await work.size()).toBe(3);
    expect(await other.size()).toBe(1);
    expect((await other.take(60_000))?.id).toBe('o');
    expect(await other.take(60_000)).toBeUndefined();
  });

  it('outlives the replica that queued and leased it: another one takes it when the lease ends', async () => {
    const prefix = uniquePrefix('queue');
    const first = await replica(prefix);
    await first.queue<{ digest: string }>('work').push('x', { digest: 'C1' });
    expect(await first.queue('work').take(1_000)).toMatchObject({ id: 'x', attempts: 1 });
    await first.close();
    const queue = (await replica(prefix)).queue<{ digest: string }>('work');
    expect(await queue.size()).toBe(1);
    // The lease is shared: a replica cannot tell a dead holder from a slow one, so it waits the lease out.
    expect(await queue.take(60_000)).toBeUndefined();
    await delay(1_050);
    expect(await queue.take(60_000)).toMatchObject({ id: 'x', item: { digest: 'C1' }, attempts: 2 });
  });

  it('gives each of 50 items to exactly one of two replicas taking at once', async () => {
    const prefix = uniquePrefix('queue');
    const [a, b] = await Promise.all([replica(prefix), replica(prefix)]);
    const ids = Array.from({ length: 50 }, (_, i) => `item-${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).queue<number>('work').push(id, i)));
    expect(await a.queue('work').size()).toBe(50);

    const takenBy = async (store: RedisStore) => {
      const taken: string[] = [];
      const queue = store.queue<number>('work');
      // Several takes in flight per replica, as concurrent workers would have.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let next = await queue.take(60_000); next; next = await queue.take(60_000)) taken.push(next.id);
        }),
      );
      return taken;
    };
    const [byA, byB] = await Promise.all([takenBy(a), takenBy(b)]);
    const all = [...byA, ...byB];
    expect(all).toHaveLength(50);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
  });
});
