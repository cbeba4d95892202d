import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chunks } from '../../../src/store/blobs.ts';
import { createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-blobs-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const open = (): Store => {
    const store = createEmbeddedStore(dataDir);
    cleanups.push(() => store.close());
    return store;
  };
  return { store: open(), reopen: open };
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('the embedded blob views', () => {
  it('read many keys in the order asked, undefined where nothing is stored', async () => {
    const blobs = setup().store.blobs('history');
    await blobs.setMany([
      ['a', bytes(1)],
      ['b', bytes(2, 2)],
    ]);
    expect(await blobs.getMany(['b', 'missing', 'a', 'b'])).toEqual([bytes(2, 2), undefined, bytes(1), bytes(2, 2)]);
    expect(await blobs.getMany([])).toEqual([]);
  });

  it('keep every byte value, and an empty value, exactly', async () => {
    const blobs = setup().store.blobs('history');
    await blobs.setMany([
      ['all', everyByte],
      ['empty', new Uint8Array(0)],
      ['offset', everyByte.subarray(250)],
    ]);
    const [all, empty, offset] = await blobs.getMany(['all', 'empty', 'offset']);
    expect(all).toEqual(everyByte);
    expect(empty).toEqual(new Uint8Array(0));
    expect(offset).toEqual(bytes(250, 251, 252, 253, 254, 255));
  });

  it('overwrite, the last of a key given twice winning', async () => {
    const blobs = setup().store.blobs('history');
    await blobs.setMany([['a', bytes(1)]]);
    await blobs.setMany([
      ['a', bytes(2)],
      ['a', bytes(3)],
    ]);
    expect(await blobs.getMany(['a'])).toEqual([bytes(3)]);
  });

  it('write a batch in one transaction: all of it or none of it', async () => {
    const blobs = setup().store.blobs('history');
    await blobs.setMany([['a', bytes(1)]]);
    const bad = { not: 'bytes' } as unknown as Uint8Array;
    await expect(
      blobs.setMany([
        ['a', bytes(9)],
        ['b', bytes(9)],
        ['c', bad],
      ]),
    ).rejects.toThrow();
    expect(await blobs.getMany(['a', 'b'])).toEqual([bytes(1), undefined]);
    // The database is usable afterwards.
    await blobs.setMany([['b', bytes(2)]]);
    expect(await blobs.getMany(['b'])).toEqual([bytes(2)]);
  });

  it('keep each name apart, and hand out one view per name', async () => {
    const { store } = setup();
    expect(store.blobs('x')).toBe(store.blobs('x'));
    await store.blobs('x').setMany([['k', bytes(1)]]);
    await store.blobs('y').setMany([['k', bytes(2)]]);
    expect(await store.blobs('x').getMany(['k'])).toEqual([bytes(1)]);
    expect((await store.blobs('y').keys()).sort()).toEqual(['k']);
    await store.blobs('x').delete('k');
    expect(await store.blobs('x').getMany(['k'])).toEqual([undefined]);
    expect(await store.blobs('y').getMany(['k'])).toEqual([bytes(2)]);
  });

  it('list their keys and say about how many bytes they take', async () => {
    const blobs = setup().store.blobs('history');
    expect(await blobs.bytes()).toBe(0);
    expect(await blobs.keys()).toEqual([]);
    await blobs.setMany(Array.from({ length: 2_500 }, (_, i): [string, Uint8Array] => [`acc${i}`, everyByte]));
    expect((await blobs.keys()).length).toBe(2_500);
    const size = await blobs.bytes();
    expect(size).toBeGreaterThanOrEqual(2_500 * 256);
    expect(size).toBeLessThan(2_500 * 300);
  });

  it('survive a restart', async () => {
    const { store, reopen } = setup();
    await store.blobs('history').setMany([['a', everyByte]]);
    await store.close();
    expect(await reopen().blobs('history').getMany(['a'])).toEqual([everyByte]);
  });
});

describe('chunks', () => {
  it('slices a list into pieces of at most the size', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });
});
