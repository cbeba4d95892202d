import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort } from './process.ts';

/** The Redis the suites under test/redis share (vitest only includes them when it is set). */
export function sharedRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: test/redis needs a Redis');
  return url;
}

/** A key prefix no other test (or replica outside the tests) uses. */
export function uniquePrefix(name: string): string {
  return `planbot-test-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Deletes every key under a prefix, so test runs leave the shared Redis as they found it; returns how many. */
export async function dropPrefix(url: string, prefix: string): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    for (let i = 0; i < keys.length; i += 500) await client.del(keys.slice(i, i + 500));
    return keys.length;
  } finally {
    await client.close();
  }
}

/** True when a Redis answers PING at `url` within about `timeoutMs` (it never retries). */
export async function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
  let client: ReturnType<typeof createClient> | undefined;
  try {
    client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: timeoutMs } });
    client.on('error', () => undefined);
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    if (client?.isOpen) client.destroy();
  }
}

/**
 * A private redis-server on a free port, for tests that stop and restart Redis. It keeps an
 * append-only file, so what was written before a stop is there after the restart (as a
 * production Redis with persistence would).
 */
export async function startPrivateRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'planbot-redis-'));
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  const start = async () => {
    proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = await redisAnswers(url);
      if (!ok) await new Promise((r) => setTimeout(r, 50));
    }
    if (!ok) throw new Error(`redis-server did not start on port ${port}`);
  };

  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    url,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
