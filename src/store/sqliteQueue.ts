import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DurableQueue, QueuedItem } from './durableQueue.ts';

/**
 * Creates the queue table and frees every lease in it. Call it once, when the database opens: only
 * one process ever opens an embedded file, so a lease found at open belongs to a process that is
 * gone, and its item should be worked on at once rather than when the lease would have ended.
 */
export function openQueueTable(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS queue (
      name TEXT NOT NULL, id TEXT NOT NULL, item TEXT NOT NULL,
      enqueued INTEGER NOT NULL, available INTEGER NOT NULL, attempts INTEGER NOT NULL,
      PRIMARY KEY (name, id)
    );
    CREATE INDEX IF NOT EXISTS queue_available ON queue (name, available, enqueued);
    UPDATE queue SET available = enqueued WHERE available <> enqueued;
  `);
}

/** A named queue in the `queue` table (see openQueueTable); `available` is when the next take may have a row. */
export class SqliteQueue<T> implements DurableQueue<T> {
  readonly #name: string;
  readonly #now: () => number;
  readonly #push: StatementSync;
  readonly #take: StatementSync;
  readonly #done: StatementSync;
  readonly #size: StatementSync;

  constructor(db: DatabaseSync, name: string, now: () => number = Date.now) {
    this.#name = name;
    this.#now = now;
    this.#push = db.prepare(
      'INSERT INTO queue (name, id, item, enqueued, available, attempts) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (name, id) DO NOTHING',
    );
    // One statement, so two takes can never lease the same row.
    this.#take = db.prepare(`
      UPDATE queue SET available = ?, attempts = attempts + 1
      WHERE rowid = (
        SELECT rowid FROM queue WHERE name = ? AND available <= ? ORDER BY available, enqueued, rowid LIMIT 1
      )
      RETURNING id, item, enqueued, attempts
    `);
    this.#done = db.prepare('DELETE FROM queue WHERE name = ? AND id = ?');
    this.#size = db.prepare('SELECT count(*) AS n FROM queue WHERE name = ?');
  }

  async push(id: string, item: T): Promise<boolean> {
    const now = this.#now();
    return this.#push.run(this.#name, id, JSON.stringify(item) ?? 'null', now, now).changes > 0;
  }

  async take(leaseMs: number): Promise<QueuedItem<T> | undefined> {
    const now = this.#now();
    const row = this.#take.get(now + leaseMs, this.#name, now) as
      { id: string; item: string; enqueued: number; attempts: number } | undefined;
    if (!row) return undefined;
    return { id: row.id, item: JSON.parse(row.item) as T, enqueuedAt: row.enqueued, attempts: row.attempts };
  }

  async done(id: string): Promise<void> {
    this.#done.run(this.#name, id);
  }

  async size(): Promise<number> {
    return (this.#size.get(this.#name) as { n: number }).n;
  }
}
