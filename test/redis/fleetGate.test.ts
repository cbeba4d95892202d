import { createClient, type RedisClientType } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/partner/errors.ts';
import { createFleetBook, createFleetLimiter } from '../../src/partner/fleetLimiter.ts';
import { createRateGate, gateIntervalMs } from '../../src/partner/rateGate.ts';
import { dropPrefix, sharedRedisUrl, uniquePrefix } from '../helpers/redis.ts';

/**
 * The rate gate of two replicas on one Redis prefix: each with its own Redis client, sharing the
 * fleet's limiter and the fleet's book of queued requests, as two planbot processes do.
 */
const redisUrl = sharedRedisUrl();
const clients: RedisClientType[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const c of clients) if (c.isOpen) await c.close();
  for (const p of prefixes) await dropPrefix(redisUrl, p);
});

const rate = 10;
const interval = gateIntervalMs(rate);

async function replica(prefix: string) {
  const client: RedisClientType = createClient({ url: redisUrl });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  const gate = createRateGate({
    api: 'constant-contact',
    ratePerSecond: rate,
    limiter: createFleetLimiter({ client, prefix, ratePerSecond: rate }),
    book: createFleetBook({ client, prefix, ratePerSecond: rate }),
  });
  return { client, gate };
}

async function fleet() {
  const prefix = uniquePrefix('gate');
  prefixes.push(prefix);
  return { prefix, a: await replica(prefix), b: await replica(prefix) };
}

/** How a gate's acquire ended, and when (ms since `since`). */
function timed(acquire: Promise<void>, since: number) {
  return acquire.then(
    () => ({ ok: true as const, at: performance.now() - since }),
    (error: unknown) => ({ ok: false as const, at: performance.now() - since, error }),
  );
}

describe('the rate gate of several replicas on one Redis', () => {
  it('says busy at once on one replica when the other has booked the fleet’s turns past its deadline', async () => {
    const { a, b } = await fleet();
    const t0 = performance.now();
    // Replica A queues 30 requests: three seconds of the fleet's turns at 10 a second.
    const queued = Array.from({ length: 30 }, () => timed(a.gate.acquire(Date.now() + 20_000), t0));
    await waitUntil(() => a.gate.waiting === 30);
    // Replica B has nothing queued of its own: judged from its own queue, it would wait its turn.
    expect(b.gate.waiting).toBe(0);

    const asked = performance.now();
    const refused = await timed(b.gate.acquire(Date.now() + 1_000), asked);

    expect(refused.ok).toBe(false);
    expect(refused.ok ? undefined : refused.error).toBeInstanceOf(UpstreamError);
    expect(refused.ok ? undefined : refused.error).toMatchObject({ code: 'busy', api: 'constant-contact' });
    expect(refused.at).toBeLessThan(200);
    await Promise.all(queued);
  }, 15_000);

  it('spaces the requests of both replicas at the rate together, each in the order it was booked', async () => {
    const { a, b, prefix } = await fleet();
    const t0 = performance.now();
    const fromA = Array.from({ length: 8 }, () => timed(a.gate.acquire(Date.now() + 20_000), t0));
    await waitUntil(() => a.gate.waiting === 8);
    const fromB = Array.from({ length: 8 }, () => timed(b.gate.acquire(Date.now() + 20_000), t0));
    const results = await Promise.all([...fromA, ...fromB]);

    expect(results.every((r) => r.ok)).toBe(true);
    const times = results.map((r) => r.at).sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // The fleet limiter's spacing, give or take the timers of this one process.
    expect(Math.min(...gaps)).toBeGreaterThan(interval - 15);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(rate);
    // B booked behind all of A's: its first goes after A's last.
    expect(Math.min(...results.slice(8).map((r) => r.at))).toBeGreaterThan(
      Math.max(...results.slice(0, 8).map((r) => r.at)),
    );
    // Every place was given back.
    expect(await a.client.zCard(`${prefix}:rate:book`)).toBe(0);
  }, 15_000);

  it('while Redis is away, lets a request through on the replica’s own limiter and judges from its own queue', async () => {
    const { a } = await fleet();
    a.client.destroy();
    const t0 = performance.now();
    const first = await timed(a.gate.acquire(Date.now() + 5_000), t0);
    expect(first.ok).toBe(true);
    expect(first.at).toBeLessThan(200);

    // Twenty of its own queued at 10 a second: one more cannot go within a second.
    const queued = Array.from({ length: 20 }, () => timed(a.gate.acquire(Date.now() + 10_000), t0));
    const asked = performance.now();
    const refused = await timed(a.gate.acquire(Date.now() + 1_000), asked);
    expect(refused.ok).toBe(false);
    expect(refused.at).toBeLessThan(200);
    expect((await Promise.all(queued)).every((r) => r.ok)).toBe(true);
  }, 15_000);
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
