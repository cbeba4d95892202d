import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { WalCheckpointer } from './walCheckpointer.ts';

/** SQLite's own checkpoint threshold (pages), used again if the checkpoint worker stops. */
const defaultAutoCheckpointPages = 1000;
/** While the worker checkpoints: only a safety net, should it stall (64 MB of log at 4 KB pages). */
const backstopAutoCheckpointPages = 16_384;

/**
 * A keyv store on Node's built-in SQLite (no native addon). Keyv sees an async Map with a
 * relative TTL in ms; values arrive already serialized by keyv. Writes are synchronous and
 * durable (WAL), so whatever planbot acknowledged survives a crash. A file database's checkpoints
 * run in a worker thread (see walCheckpointer.ts), so no write waits for the disk.
 */
export class SqliteStore {
  readonly #db: DatabaseSync;
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #del: StatementSync;
  readonly #claim: StatementSync;
  readonly #sweep: StatementSync;
  readonly #ping: StatementSync;
  readonly #sweepTimer: NodeJS.Timeout;
  readonly #now: () => number;
  readonly #checkpointer: WalCheckpointer | undefined;

  constructor(path: string, options: { now?: () => number; sweepEveryMs?: number } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#now = options.now ?? Date.now;
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA busy_timeout = 5000;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER);
      CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires) WHERE expires IS NOT NULL;
    `);
    this.#get = this.#db.prepare('SELECT value, expires FROM kv WHERE key = ?');
    this.#set = this.#db.prepare(
      'INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires',
    );
    this.#del = this.#db.prepare('DELETE FROM kv WHERE key = ?');
    // Prepared once: every Slack event is claimed, and compiling the statement cost more than running it.
    this.#claim = this.#db.prepare(
      'INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires WHERE kv.expires IS NOT NULL AND kv.expires <= ?',
    );
    this.#sweep = this.#db.prepare('DELETE FROM kv WHERE expires IS NOT NULL AND expires <= ?');
    this.#ping = this.#db.prepare('SELECT 1');
    this.#sweepTimer = setInterval(() => this.sweep(), options.sweepEveryMs ?? 60_000);
    this.#sweepTimer.unref();
    if (path !== ':memory:') {
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${backstopAutoCheckpointPages}`);
      this.#checkpointer = new WalCheckpointer(path, {
        onStopped: () => {
          if (this.#db.isOpen) this.#db.exec(`PRAGMA wal_autocheckpoint = ${defaultAutoCheckpointPages}`);
        },
      });
    }
  }

  /** The open database, for the other tables kept in the same file (the queues). */
  get database(): DatabaseSync {
    return this.#db;
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.#get.get(key) as { value: string; expires: number | null } | undefined;
    if (!row) return undefined;
    if (row.expires !== null && row.expires <= this.#now()) {
      this.#del.run(key);
      return undefined;
    }
    return row.value;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const expires = typeof ttl === 'number' && ttl > 0 ? this.#now() + ttl : null;
    this.#set.run(key, typeof value === 'string' ? value : JSON.stringify(value), expires);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.#del.run(key).changes > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async clear(): Promise<void> {
    this.#db.exec('DELETE FROM kv');
  }

  /** Inserts only when the key is absent or expired; true when this call took it. */
  claim(key: string, value: string, ttlMs: number): boolean {
    const now = this.#now();
    return this.#claim.run(key, value, now + ttlMs, now).changes > 0;
  }

  sweep(): void {
    this.#sweep.run(this.#now());
  }

  ping(): boolean {
    this.#ping.get();
    return true;
  }

  /** Closes the database, after the checkpoint worker's connection. */
  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    await this.#checkpointer?.close();
    if (this.#db.isOpen) this.#db.close();
  }
}
