import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Counters } from './counters.ts';

/** Creates the table the embedded counters share (one row per name, key and field). Call once, when the database opens. */
export function openCounterTable(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS counter (
      name TEXT NOT NULL, key TEXT NOT NULL, field TEXT NOT NULL, value INTEGER NOT NULL, expires INTEGER NOT NULL,
      PRIMARY KEY (name, key, field)
    );
    CREATE INDEX IF NOT EXISTS counter_expires ON counter (expires);
  `);
}

/** A named view of the `counter` table (see openCounterTable). */
export class SqliteCounters implements Counters {
  readonly #db: DatabaseSync;
  readonly #name: string;
  readonly #now: () => number;
  readonly #sweep: StatementSync;
  readonly #add: StatementSync;
  readonly #touch: StatementSync;
  readonly #read: StatementSync;

  constructor(db: DatabaseSync, name: string, now: () => number) {
    this.#db = db;
    this.#name = name;
    this.#now = now;
    this.#sweep = db.prepare('DELETE FROM counter WHERE expires <= ?');
    this.#add = db.prepare(
      'INSERT INTO counter (name, key, field, value, expires) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, key, field) DO UPDATE SET value = value + excluded.value',
    );
    // The key expires as a whole, as a Redis hash does.
    this.#touch = db.prepare('UPDATE counter SET expires = ? WHERE name = ? AND key = ?');
    this.#read = db.prepare('SELECT field, value FROM counter WHERE name = ? AND key = ? AND expires > ?');
  }

  async add(key: string, field: string, by: number, ttlMs: number): Promise<Record<string, number>> {
    const now = this.#now();
    const expires = now + Math.max(1, Math.round(ttlMs));
    // One transaction: an expired key starts again from nothing, never from its old counts.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      this.#sweep.run(now);
      this.#add.run(this.#name, key, field, by, expires);
      this.#touch.run(expires, this.#name, key);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    return this.#fields(key, now);
  }

  async read(key: string): Promise<Record<string, number>> {
    return this.#fields(key, this.#now());
  }

  #fields(key: string, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.#read.all(this.#name, key, now) as Array<{ field: string; value: number }>)
      out[row.field] = Number(row.value);
    return out;
  }
}
