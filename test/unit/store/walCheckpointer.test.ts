import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqliteStore.ts';
import { WalCheckpointer } from '../../../src/store/walCheckpointer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-wal-'));
  dirs.push(dir);
  return dir;
};

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe('the write-ahead log checkpoints', () => {
  it('copy what was written into the database file in the background, with no write doing it', async () => {
    const path = join(tempDir(), 'planbot.sqlite');
    const store = new SqliteStore(path);
    try {
      const sizeBefore = statSync(path).size;
      // About 150 commits of 3 KB each: fewer log pages than SQLite's own threshold (1,000), so only
      // the checkpoint worker can move them into the database file.
      for (let i = 0; i < 150; i++) await store.set(`key:${i}`, 'x'.repeat(3_000));
      const moved = await eventually(() => statSync(path).size > sizeBefore + 400_000, 5_000);
      expect(moved).toBe(true);
      // Everything written still reads back, from the same connection.
      expect(await store.get('key:149')).toBe('x'.repeat(3_000));
    } finally {
      await store.close();
    }
  });

  it('says when the worker stops, so the caller can checkpoint on its own again', async () => {
    const reasons: string[] = [];
    // A database the worker cannot open: it fails at once.
    const checkpointer = new WalCheckpointer(join(tempDir(), 'missing', 'dir', 'planbot.sqlite'), {
      onStopped: (why) => reasons.push(why),
    });
    expect(await eventually(() => reasons.length > 0, 5_000)).toBe(true);
    expect(reasons).toHaveLength(1);
    await checkpointer.close();
  });

  it('lets a closed store be reopened at once, with everything in it', async () => {
    const path = join(tempDir(), 'planbot.sqlite');
    for (let round = 0; round < 10; round++) {
      const store = new SqliteStore(path);
      expect(await store.get(`key:${round - 1}:149`)).toBe(round === 0 ? undefined : 'x'.repeat(3_000));
      // Enough in the log, closed at moments spread over the worker's half-second, that some close
      // meets the worker copying it.
      for (let i = 0; i < 150; i++) await store.set(`key:${round}:${i}`, 'x'.repeat(3_000));
      await new Promise((resolve) => setTimeout(resolve, 250 + round * 25));
      await store.close();
    }
  });
});
