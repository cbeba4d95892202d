import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-counters-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let now = Date.parse('2026-05-04T10:00:00Z');
  const open = (): Store => {
    const store = createEmbeddedStore(dataDir, { now: () => now });
    cleanups.push(() => store.close());
    return store;
  };
  return { store: open(), reopen: open, advance: (ms: number) => (now += ms) };
}

describe('the embedded counters', () => {
  it('add to one field and answer with every field of the key', async () => {
    const { store } = setup();
    const counters = store.counters('quota');
    expect(await counters.read('day:1')).toEqual({});
    expect(await counters.add('day:1', 'lookup', 1, 60_000)).toEqual({ lookup: 1 });
    expect(await counters.add('day:1', 'index', 5, 60_000)).toEqual({ lookup: 1, index: 5 });
    expect(await counters.add('day:1', 'lookup', 2, 60_000)).toEqual({ lookup: 3, index: 5 });
    expect(await counters.read('day:1')).toEqual({ lookup: 3, index: 5 });
    // Keys and names are apart.
    expect(await counters.read('day:2')).toEqual({});
    expect(await store.counters('other').read('day:1')).toEqual({});
  });

  it('expire a key as a whole, each add keeping it for its time from then', async () => {
    const { store, advance } = setup();
    const counters = store.counters('quota');
    await counters.add('day:1', 'lookup', 1, 60_000);
    advance(50_000);
    await counters.add('day:1', 'index', 1, 60_000);
    advance(50_000);
    // 100 s after the first add, 50 s after the last: both fields are still there.
    expect(await counters.read('day:1')).toEqual({ lookup: 1, index: 1 });
    advance(10_000);
    expect(await counters.read('day:1')).toEqual({});
    // Expired counts never come back: the key starts again from nothing.
    expect(await counters.add('day:1', 'lookup', 1, 60_000)).toEqual({ lookup: 1 });
  });

  it('keep their counts over a restart', async () => {
    const { store, reopen } = setup();
    await store.counters('quota').add('day:1', 'digest', 7, 60_000);
    expect(await reopen().counters('quota').read('day:1')).toEqual({ digest: 7 });
  });
});
