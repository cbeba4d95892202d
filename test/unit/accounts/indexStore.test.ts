import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import type { AccountIndex } from '../../../src/accounts/accountIndex.ts';
import { createAccountIndexStore } from '../../../src/accounts/indexStore.ts';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import { viewsByName } from '../../../src/store/createStore.ts';

/** The parts of a Store the index uses, in memory; `claims` shows who holds what. */
function memoryStore() {
  const claims = new Set<string>();
  const namespace = viewsByName((name) => new Keyv({ namespace: name }));
  return {
    claims,
    namespace,
    async claim(key: string) {
      if (claims.has(key)) return false;
      claims.add(key);
      return true;
    },
    async release(key: string) {
      claims.delete(key);
    },
  };
}

const acme: PartnerAccount = {
  id: 'a07e1lxtnhz0',
  organizationName: 'Acme',
  siteOwnerName: 'acme1',
  billingStatus: 'Open',
  subscriberCount: 65,
  lastLoginDate: '2019-04-25T11:08:00.000Z',
};
const blank: PartnerAccount = {
  id: 'b1',
  organizationName: null,
  siteOwnerName: null,
  billingStatus: null,
  subscriberCount: null,
  lastLoginDate: null,
};
const never = async (): Promise<AccountIndex> => {
  throw new Error('not expected to build');
};

describe('the account index store', () => {
  it('stores the index under one key as rows, and reads it back the same', async () => {
    const store = memoryStore();
    const index = { builtAt: 1000, accounts: [acme, blank] };
    await createAccountIndexStore({ store, build: never }).save(index);
    expect(await store.namespace('accounts').get('index')).toEqual({
      v: 1,
      builtAt: 1000,
      rows: [
        ['a07e1lxtnhz0', 'Acme', 'acme1', 'Open', 65, '2019-04-25T11:08:00.000Z'],
        ['b1', null, null, null, null, null],
      ],
    });
    await expect(createAccountIndexStore({ store, build: never }).load()).resolves.toEqual(index);
  });

  it.each([
    { name: 'another format', value: { builtAt: 1, accounts: [acme] } },
    { name: 'a newer version', value: { v: 2, builtAt: 1, rows: [] } },
    { name: 'text', value: 'garbage' },
    { name: 'no build time', value: { v: 1, rows: [] } },
  ])('reads $name as no index', async ({ value }) => {
    const store = memoryStore();
    await store.namespace('accounts').set('index', value);
    await expect(createAccountIndexStore({ store, build: never }).load()).resolves.toBeUndefined();
  });

  it('drops damaged rows and keeps the rest', async () => {
    const store = memoryStore();
    await store
      .namespace('accounts')
      .set('index', { v: 1, builtAt: 5, rows: [['../x'], 'row', [42], ['b1', 7, null, null, -3, null]] });
    await expect(createAccountIndexStore({ store, build: never }).load()).resolves.toEqual({
      builtAt: 5,
      accounts: [blank],
    });
  });

  it('reuses what it read until the recheck time, then sees a newer index another replica stored', async () => {
    const store = memoryStore();
    let clock = 0;
    const mine = createAccountIndexStore({ store, build: never, recheckMs: 1000, now: () => clock });
    const theirs = createAccountIndexStore({ store, build: never });
    await theirs.save({ builtAt: 1, accounts: [acme] });
    const first = await mine.load();
    await theirs.save({ builtAt: 2, accounts: [acme, blank] });
    clock = 999;
    expect(await mine.load()).toBe(first);
    clock = 1000;
    // Due for a check: the one in memory answers at once, and the check runs in the background.
    expect(await mine.load()).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await mine.load())?.builtAt).toBe(2);
  });

  it('checks the build time before reading the whole index again, and shares one read among callers', async () => {
    const store = memoryStore();
    const reads: string[] = [];
    const counted = {
      ...store,
      namespace: (name: string) => {
        const view = store.namespace(name);
        return { ...view, get: async <T>(key: string) => (reads.push(key), view.get<T>(key)) } as typeof view;
      },
    };
    let clock = 0;
    const mine = createAccountIndexStore({ store: counted, build: never, recheckMs: 1000, now: () => clock });
    await createAccountIndexStore({ store, build: never }).save({ builtAt: 1, accounts: [acme] });
    const loads = await Promise.all([
      mine.load({ reread: true }),
      mine.load({ reread: true }),
      mine.load({ reread: true }),
    ]);
    expect(new Set(loads).size).toBe(1);
    expect(reads.filter((k) => k === 'index')).toHaveLength(1);
    clock = 5000;
    await mine.load();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Unchanged: only the build time was read.
    expect(reads.filter((k) => k === 'index')).toHaveLength(1);
    expect(reads.filter((k) => k === 'index-built-at').length).toBeGreaterThan(0);
  });

  it('remembers "none yet" for 2 seconds, so lookups before the first walk do not each read the store', async () => {
    const store = memoryStore();
    let reads = 0;
    const counted = {
      ...store,
      namespace: (name: string) => {
        const view = store.namespace(name);
        return { ...view, get: async <T>(key: string) => (reads++, view.get<T>(key)) } as typeof view;
      },
    };
    let clock = 0;
    const mine = createAccountIndexStore({ store: counted, build: never, now: () => clock });
    expect(await mine.load()).toBeUndefined();
    expect(await mine.load()).toBeUndefined();
    expect(reads).toBe(1);
    await createAccountIndexStore({ store, build: never }).save({ builtAt: 1, accounts: [acme] });
    // Name searches ask the store again when none is remembered, so they see another replica's first walk at once.
    expect((await mine.load({ reread: true }))?.builtAt).toBe(1);
    expect(reads).toBe(2);
    clock = 2000;
    expect((await mine.load())?.builtAt).toBe(1);
    expect(reads).toBe(2);
  });

  it('hands out the same object while the stored index is unchanged, so the search structure is reused', async () => {
    const store = memoryStore();
    let clock = 0;
    const mine = createAccountIndexStore({ store, build: never, recheckMs: 10, now: () => clock });
    await createAccountIndexStore({ store, build: never }).save({ builtAt: 1, accounts: [acme] });
    const first = await mine.load();
    clock = 100;
    expect(await mine.load()).toBe(first);
  });

  it('keeps the index it has when the store has none (a memory fallback while Redis is away)', async () => {
    const store = memoryStore();
    let clock = 0;
    const mine = createAccountIndexStore({ store, build: never, recheckMs: 10, now: () => clock });
    await mine.save({ builtAt: 1, accounts: [acme] });
    await store.namespace('accounts').delete('index');
    clock = 100;
    expect((await mine.load())?.accounts).toEqual([acme]);
  });

  it('gives the claim back and stores nothing when the build fails', async () => {
    const store = memoryStore();
    const indexStore = createAccountIndexStore({ store, build: never });
    await expect(indexStore.refresh()).rejects.toThrow('not expected to build');
    expect(store.claims.size).toBe(0);
    expect(await indexStore.building()).toBe(false);
    expect(await indexStore.load()).toBeUndefined();
  });

  it('says it is building while its own walk runs', async () => {
    const store = memoryStore();
    let finish: (index: AccountIndex) => void = () => undefined;
    const indexStore = createAccountIndexStore({ store, build: () => new Promise((resolve) => (finish = resolve)) });
    const refreshing = indexStore.refresh();
    await expect.poll(() => indexStore.building()).toBe(true);
    finish({ builtAt: 3, accounts: [acme] });
    await expect(refreshing).resolves.toEqual({ status: 'built', index: { builtAt: 3, accounts: [acme] } });
    expect(await indexStore.building()).toBe(false);
  });
});
