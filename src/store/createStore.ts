import { join } from 'node:path';
import { Keyv } from 'keyv';
import { SqliteStore } from './sqliteStore.ts';

/** The store every module shares: one backend, a keyv namespace per concern. */
export interface Store {
  /** A keyv view of the store under its own namespace. */
  namespace(name: string): Keyv;
  /**
   * Takes `key` for `ttlMs` if nobody holds it: true for exactly one caller, whatever the number of
   * replicas sharing the store. Used to handle each Slack event once.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  describe: string;
}

/** The embedded default: a SQLite file under DATA_DIR. */
export function createEmbeddedStore(dataDir: string): Store {
  const path = join(dataDir, 'planbot.sqlite');
  const sqlite = new SqliteStore(path);
  const views = new Map<string, Keyv>();
  return {
    describe: `sqlite:${path}`,
    namespace(name) {
      let view = views.get(name);
      if (!view) {
        view = new Keyv({ store: sqlite, namespace: name });
        views.set(name, view);
      }
      return view;
    },
    async claim(key, ttlMs) {
      return sqlite.claim(`claim:${key}`, '1', ttlMs);
    },
    async ping() {
      return sqlite.ping();
    },
    async close() {
      sqlite.close();
    },
  };
}
