import { describe, expect, it } from 'vitest';
import { FailoverStore } from '../../../src/store/failoverStore.ts';
import { SqliteStore } from '../../../src/store/sqliteStore.ts';

/** A shared store that can be switched off, failing every call like a Redis that went away. */
function flakyShared() {
  const data = new Map<string, string>();
  const state = { up: true };
  const guard = () => {
    if (!state.up) throw new Error('The client is offline');
  };
  return {
    state,
    data,
    store: {
      async get(key: string) {
        guard();
        return data.get(key);
      },
      async set(key: string, value: string) {
        guard();
        data.set(key, value);
      },
      async delete(key: string) {
        guard();
        return data.delete(key);
      },
      async clear() {
        guard();
        data.clear();
      },
    },
  };
}

function setup(reportedUp: () => boolean = () => true) {
  const shared = flakyShared();
  const memory = new SqliteStore(':memory:', { sweepEveryMs: 3_600_000 });
  return { shared, memory, store: new FailoverStore(shared.store, memory, reportedUp) };
}

describe('the failover store', () => {
  it('reads and writes the shared store while it is up, and nothing goes to memory', async () => {
    const { shared, memory, store } = setup();
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    expect(shared.data.get('k')).toBe('v');
    expect(await memory.get('k')).toBeUndefined();
  });

  it.each([
    { name: 'a call fails although the client says it is up', reportedUp: true },
    { name: 'the client already knows it is down', reportedUp: false },
  ])('falls back to memory when $name, and keeps working', async ({ reportedUp }) => {
    const { shared, store } = setup(() => reportedUp);
    shared.state.up = false;
    await store.set('token', 'from-memory', 60_000);
    expect(await store.get('token')).toBe('from-memory');
    expect(await store.has('token')).toBe(true);
    expect(await store.delete('token')).toBe(true);
    expect(await store.get('token')).toBeUndefined();
  });

  it('honours the TTL of what it keeps in memory', async () => {
    let now = 1_000;
    const shared = flakyShared();
    shared.state.up = false;
    const store = new FailoverStore(shared.store, new SqliteStore(':memory:', { now: () => now }), () => false);
    await store.set('cached', 'plan', 500);
    now += 499;
    expect(await store.get('cached')).toBe('plan');
    now += 2;
    expect(await store.get('cached')).toBeUndefined();
  });

  it('goes back to the shared store when it returns, and a delete clears both sides', async () => {
    const { shared, memory, store } = setup();
    shared.state.up = false;
    await store.set('k', 'during-outage');
    shared.state.up = true;
    shared.data.set('k', 'shared');
    expect(await store.get('k')).toBe('shared');
    expect(await store.delete('k')).toBe(true);
    expect(shared.data.has('k')).toBe(false);
    expect(await memory.get('k')).toBeUndefined();
  });
});
