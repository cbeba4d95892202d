import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** An embedded store in a fresh DATA_DIR on a clock the test moves; `reopen` opens the same file again, as a restart does. */
function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-queue-'));
  const clock = { now: 1_000_000 };
  const open = (): Store => {
    const store = createEmbeddedStore(dataDir, { now: () => clock.now });
    cleanups.push(() => store.close());
    return store;
  };
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return { clock, store: open(), reopen: open };
}

describe('the embedded durable queue', () => {
  it('hands items out oldest first, with when they were queued', async () => {
    const { clock, store } = setup();
    const queue = store.queue<{ n: number }>('work');
    await queue.push('b', { n: 1 });
    clock.now += 5;
    await queue.push('a', { n: 2 });
    await queue.push('c', { n: 3 });
    const taken = [await queue.take(60_000), await queue.take(60_000), await queue.take(60_000)];
    expect(taken.map((t) => [t?.id, t?.item.n, t?.enqueuedAt])).toEqual([
      ['b', 1, 1_000_000],
      ['a', 2, 1_000_005],
      ['c', 3, 1_000_005],
    ]);
    expect(await queue.take(60_000)).toBeUndefined();
  });

  it('keeps the first item when an id already queued is pushed again', async () => {
    const { store } = setup();
    const queue = store.queue<string>('work');
    expect(await queue.push('x', 'first')).toBe(true);
    expect(await queue.push('x', 'second')).toBe(false);
    expect(await queue.size()).toBe(1);
    expect((await queue.take(1_000))?.item).toBe('first');
  });

  it('hides a leased item until its lease ends, then hands it out again with one more attempt', async () => {
    const { clock, store } = setup();
    const queue = store.queue<string>('work');
    await queue.push('x', 'job');
    expect(await queue.take(10_000)).toMatchObject({ id: 'x', attempts: 1 });
    expect(await queue.take(10_000)).toBeUndefined();
    clock.now += 9_999;
    expect(await queue.take(10_000)).toBeUndefined();
    clock.now += 1;
    expect(await queue.take(10_000)).toMatchObject({ id: 'x', item: 'job', attempts: 2 });
    clock.now += 10_000;
    expect(await queue.take(10_000)).toMatchObject({ id: 'x', attempts: 3 });
  });

  it('puts an item whose lease ended behind the items that were waiting before', async () => {
    const { clock, store } = setup();
    const queue = store.queue<string>('work');
    await queue.push('first', 'a');
    expect((await queue.take(100))?.id).toBe('first');
    clock.now += 50;
    await queue.push('second', 'b');
    clock.now += 100;
    expect((await queue.take(100))?.id).toBe('second');
    expect((await queue.take(100))?.id).toBe('first');
  });

  it('removes a done item for good, leased or not', async () => {
    const { clock, store } = setup();
    const queue = store.queue<string>('work');
    await queue.push('x', 'job');
    await queue.push('y', 'job');
    expect(await queue.size()).toBe(2);
    await queue.take(1_000);
    await queue.done('x');
    await queue.done('y');
    expect(await queue.size()).toBe(0);
    clock.now += 5_000;
    expect(await queue.take(1_000)).toBeUndefined();
    // Done, the id may be queued again.
    expect(await queue.push('x', 'again')).toBe(true);
  });

  it('counts items leased or not, queue by queue', async () => {
    const { store } = setup();
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

  it('after a restart hands out at once an item the earlier process had leased, and keeps its attempts', async () => {
    const { store, reopen } = setup();
    const queue = store.queue<{ digest: string }>('work');
    await queue.push('x', { digest: 'C1' });
    await queue.push('y', { digest: 'C2' });
    expect(await queue.take(3_600_000)).toMatchObject({ id: 'x', attempts: 1 });
    // No close: the process was killed holding the lease.
    const again = reopen().queue<{ digest: string }>('work');
    expect(await again.size()).toBe(2);
    expect(await again.take(60_000)).toEqual({ id: 'x', item: { digest: 'C1' }, enqueuedAt: 1_000_000, attempts: 2 });
    expect(await again.take(60_000)).toMatchObject({ id: 'y', attempts: 1 });
  });
});

describe('locks a killed process held', () => {
  it('are free when the embedded store opens again; markers that are not locks are kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planbot-held-'));
    try {
      const first = createEmbeddedStore(dir);
      expect(await first.claim('held:alerts-post:C1', 60_000)).toBe(true);
      expect(await first.claim('event:Ev1', 60_000)).toBe(true);
      // No release, no close: as a SIGKILL leaves it.
      const second = createEmbeddedStore(dir);
      expect(await second.claim('held:alerts-post:C1', 60_000)).toBe(true);
      expect(await second.claim('event:Ev1', 60_000)).toBe(false);
      await second.close();
      await first.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('claims on the embedded store', () => {
  it('go to one caller until their time is up or they are given back', async () => {
    const { clock, store } = setup();
    expect(await store.claim('event:Ev2', 60_000)).toBe(true);
    expect(await store.claim('event:Ev2', 60_000)).toBe(false);
    clock.now += 59_999;
    expect(await store.claim('event:Ev2', 60_000)).toBe(false);
    clock.now += 1;
    expect(await store.claim('event:Ev2', 60_000)).toBe(true);
    await store.release('event:Ev2');
    expect(await store.claim('event:Ev2', 60_000)).toBe(true);
    expect(await store.claim('event:Ev3', 60_000)).toBe(true);
  });
});
