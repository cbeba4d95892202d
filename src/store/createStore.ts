import { join } from 'node:path';
import { Keyv } from 'keyv';
import type { BlobKv } from './blobs.ts';
import { openBlobTable, SqliteBlobs } from './blobsSqlite.ts';
import type { Counters } from './counters.ts';
import { openCounterTable, SqliteCounters } from './countersSqlite.ts';
import type { DurableQueue } from './durableQueue.ts';
import { openQueueTable, SqliteQueue } from './sqliteQueue.ts';
import { SqliteStore } from './sqliteStore.ts';

/** `ok`: the store is shared and reachable. `degraded`: Redis is away and this replica runs on its own memory. */
export type StoreHealth = 'ok' | 'degraded' | 'down';

/**
 * A key-value view whose failures are thrown, never swallowed: what is read from it decides what a
 * digest posts, so "could not read" must not look like "nothing there".
 */
export interface DurableKv {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** The store every module shares: one backend, a keyv namespace per concern. */
export interface Store {
  /**
   * A keyv view under its own namespace, for what can be rebuilt (tokens, caches): while Redis is
   * away it falls back to this replica's memory, so lookups go on.
   */
  namespace(name: string): Keyv;
  /**
   * A view for what must not be lost (watchlists, schedules, digest progress): it never falls back
   * to memory; while Redis is away its calls wait for it.
   */
  durable(name: string): DurableKv;
  /**
   * A queue of work that must survive a crash (never falls back to memory, like `durable`): each
   * item is leased to one taker across every replica, and comes back if it is not done in time.
   */
  queue<T>(name: string): DurableQueue<T>;
  /**
   * Binary values under their own name, read and written many keys at a time (the usage history):
   * durable like `durable` (never memory, failures thrown), but without JSON in between.
   */
  blobs(name: string): BlobKv;
  /**
   * Counts many replicas add to at once (the daily quota), fleet-wide with Redis. Like `namespace`,
   * while Redis is away they count in this replica's memory, so nothing waits on them.
   */
  counters(name: string): Counters;
  /**
   * Takes `key` for `ttlMs` if nobody holds it: true for exactly one caller, whatever the number of
   * replicas sharing the store. Used to handle each Slack event once and to fetch one token a fleet.
   * A key starting with `held:` is a lock a running process holds: the embedded store (one process
   * per file) frees those when it opens, so a killed process's locks do not outlive it.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Gives a claimed key back before its time is up. */
  release(key: string): Promise<void>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
  describe: string;
}

/**
 * A cache view (`Store.namespace`) seen through the `DurableKv` interface, for state that may be
 * lost while Redis is away (it falls back to memory) but is read and written like durable state.
 */
export function cacheKv(view: Keyv): DurableKv {
  return {
    get: async <T>(key: string) => (await view.get(key)) as T | undefined,
    set: (key, value, ttlMs) => view.set(key, value, ttlMs),
    delete: (key) => view.delete(key),
  };
}

/** Builds each named view once, and hands out the same one after that. */
export function viewsByName<T>(make: (name: string) => T): (name: string) => T {
  const views = new Map<string, T>();
  return (name) => {
    let view = views.get(name);
    if (view === undefined) {
      view = make(name);
      views.set(name, view);
    }
    return view;
  };
}

/** The embedded default: a SQLite file under DATA_DIR. `now` is for tests that move the clock. */
export function createEmbeddedStore(dataDir: string, options: { now?: () => number } = {}): Store {
  const path = join(dataDir, 'planbot.sqlite');
  const now = options.now ?? Date.now;
  const sqlite = new SqliteStore(path, { now });
  // The table expires rows itself (on the store's clock), so keyv's own second check is skipped.
  const namespace = viewsByName((name) => new Keyv({ store: sqlite, namespace: name, checkExpired: false }));
  openQueueTable(sqlite.database);
  openBlobTable(sqlite.database);
  openCounterTable(sqlite.database);
  // One process per file: a lock still held at open belongs to a process that is gone.
  sqlite.database.prepare("DELETE FROM kv WHERE key LIKE 'claim:held:%'").run();
  const queue = viewsByName((name): DurableQueue<unknown> => new SqliteQueue(sqlite.database, name, now));
  const blobs = viewsByName((name): BlobKv => new SqliteBlobs(sqlite.database, name));
  const counters = viewsByName((name): Counters => new SqliteCounters(sqlite.database, name, now));
  return {
    describe: `sqlite:${path}`,
    namespace,
    // SQLite calls are synchronous and local: keyv's error swallowing has nothing to hide here.
    durable: namespace,
    queue: <T>(name: string) => queue(name) as DurableQueue<T>,
    blobs,
    counters,
    async claim(key, ttlMs) {
      return sqlite.claim(`claim:${key}`, '1', ttlMs);
    },
    async release(key) {
      await sqlite.delete(`claim:${key}`);
    },
    async health() {
      try {
        return sqlite.ping() ? 'ok' : 'down';
      } catch {
        return 'down';
      }
    },
    async close() {
      await sqlite.close();
    },
  };
}
