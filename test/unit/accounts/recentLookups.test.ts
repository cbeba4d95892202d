import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RecentLookup, RecentLookups, recentLookupsKept } from '../../../src/accounts/recentLookups.ts';
import { cacheKv, createEmbeddedStore, type DurableKv, type Store } from '../../../src/store/createStore.ts';

const seen = (accountId: string, at: number, planType = 'GOLD'): RecentLookup => ({
  accountId,
  name: `Shop ${accountId}`,
  planType,
  billingStatus: 'Active',
  at,
});

describe('a person’s recent lookups', () => {
  let dir: string;
  let store: Store;
  let writes: number;
  let recent: RecentLookups;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'planbot-recent-'));
    store = createEmbeddedStore(dir);
    const kv = cacheKv(store.namespace('recent-lookups'));
    writes = 0;
    const counted: DurableKv = {
      get: (key) => kv.get(key),
      set: (key, value, ttl) => {
        writes++;
        return kv.set(key, value, ttl);
      },
      delete: (key) => kv.delete(key),
    };
    recent = new RecentLookups(counted);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the newest first, each account once, at most the kept number', async () => {
    for (let i = 1; i <= recentLookupsKept + 2; i++) await recent.record('U1', seen(`a${i}`, i));
    await recent.record('U1', seen('a5', 100));
    const list = await recent.list('U1');
    expect(list).toHaveLength(recentLookupsKept);
    expect(list.map((l) => l.accountId).slice(0, 3)).toEqual([
      'a5',
      `a${recentLookupsKept + 2}`,
      `a${recentLookupsKept + 1}`,
    ]);
    expect(list.filter((l) => l.accountId === 'a5')).toHaveLength(1);
    expect(await recent.list('U2')).toEqual([]);
  });

  it('writes nothing when the same card is seen again, and does when anything on it changed', async () => {
    await recent.record('U1', seen('a1', 1));
    await recent.record('U1', seen('a2', 2));
    expect(writes).toBe(2);
    // The card of a cached read, already on top of the list.
    await recent.record('U1', seen('a2', 2));
    expect(writes).toBe(2);
    // A newer read of it, another plan, or an account lower on the list: written.
    await recent.record('U1', seen('a2', 3));
    await recent.record('U1', seen('a2', 3, 'SILVER'));
    await recent.record('U1', seen('a1', 1));
    expect(writes).toBe(5);
    expect((await recent.list('U1')).map((l) => [l.accountId, l.at, l.planType])).toEqual([
      ['a1', 1, 'GOLD'],
      ['a2', 3, 'SILVER'],
    ]);
  });
});
