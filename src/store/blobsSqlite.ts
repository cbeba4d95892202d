import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type BlobKv, chunks } from './blobs.ts';

/** Creates the table the embedded blob views share (one row per name and key). Call once, when the database opens. */
export function openBlobTable(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS blob (
      name TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
      PRIMARY KEY (name, key)
    );
  `);
}

/** A named view of the `blob` table (see openBlobTable). */
export class SqliteBlobs implements BlobKv {
  readonly #db: DatabaseSync;
  readonly #name: string;
  readonly #get: StatementSync;
  readonly #getMany: StatementSync;
  readonly #set: StatementSync;
  readonly #delete: StatementSync;
  readonly #keys: StatementSync;
  readonly #bytes: StatementSync;

  constructor(db: DatabaseSync, name: string) {
    this.#db = db;
    this.#name = name;
    this.#get = db.prepare('SELECT value FROM blob WHERE name = ? AND key = ?');
    // A chunk of keys as one JSON array: one statement instead of one per key (half the time for many).
    this.#getMany = db.prepare(
      'SELECT key, value FROM blob WHERE name = ? AND key IN (SELECT value FROM json_each(?))',
    );
    this.#set = db.prepare(
      'INSERT INTO blob (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value',
    );
    this.#delete = db.prepare('DELETE FROM blob WHERE name = ? AND key = ?');
    this.#keys = db.prepare('SELECT key FROM blob WHERE name = ?');
    // length() of a BLOB reads the row header only, not the value.
    this.#bytes = db.prepare('SELECT coalesce(sum(length(key) + length(value)), 0) AS n FROM blob WHERE name = ?');
  }

  async getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    if (keys.length === 1) {
      return [(this.#get.get(this.#name, keys[0] as string) as { value: Uint8Array } | undefined)?.value];
    }
    return chunks(keys).flatMap((slice) => {
      const rows = this.#getMany.all(this.#name, JSON.stringify(slice)) as Array<{ key: string; value: Uint8Array }>;
      const found = new Map(rows.map((row) => [row.key, row.value]));
      return slice.map((key) => found.get(key));
    });
  }

  async setMany(entries: Array<[string, Uint8Array]>): Promise<void> {
    if (entries.length === 0) return;
    this.#db.exec('BEGIN');
    try {
      for (const [key, value] of entries) this.#set.run(this.#name, key, value);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    this.#delete.run(this.#name, key);
  }

  async keys(): Promise<string[]> {
    return (this.#keys.all(this.#name) as Array<{ key: string }>).map((row) => row.key);
  }

  async bytes(): Promise<number> {
    return (this.#bytes.get(this.#name) as { n: number }).n;
  }
}
