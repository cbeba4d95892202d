import { randomUUID } from 'node:crypto';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';
import { gateIntervalMs, type SlotBook } from './rateGate.ts';

/**
 * One request per interval for the whole fleet, on rate-limiter-flexible's Redis limiter.
 *
 * Its stock script keeps whole-second windows (EX), which would let N replicas burst a second's
 * worth each at a window's edge. The library takes a custom script; this one is the stock script
 * with a millisecond expiry (PX), so the fleet's requests are spaced like one process's. While Redis
 * is away, the insurance limiter spaces this replica's requests on its own.
 */
export function createFleetLimiter(o: {
  client: RedisClientType;
  prefix: string;
  ratePerSecond: number;
}): RateLimiterAbstract {
  const intervalMs = Math.ceil(gateIntervalMs(o.ratePerSecond));
  const script = `redis.call('set', KEYS[1], 0, 'PX', ${intervalMs}, 'NX')
local consumed = redis.call('incrby', KEYS[1], ARGV[1])
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('pexpire', KEYS[1], ${intervalMs})
  ttl = ${intervalMs}
end
return {consumed, ttl}`;
  return new RateLimiterRedis({
    storeClient: o.client,
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    keyPrefix: `${o.prefix}:rate`,
    points: 1,
    // A whole second so the library runs the script; the script's PX sets the real window.
    duration: 1,
    customIncrTtlLuaScript: script,
    insuranceLimiter: new RateLimiterMemory({ points: 1, duration: intervalMs / 1000 }),
  });
}

/**
 * KEYS: the bookings (a sorted set, one member per booked request, scored by when it lapses), the
 * fleet limiter's key (its PTTL: how long until the fleet may send again), the fleet's pace.
 * ARGV: the interval, the longest wait the request can take, its member, how long its booking may
 * last (all ms). Returns {1, turn} when booked: the earliest its turn can come, every request booked
 * ahead of it one interval each after the limiter's current interval; {0, wait} when the wait would
 * be longer than it can take, counting each place ahead at the pace the fleet really goes (nothing
 * is booked then). The pace only judges: a request booked wakes at its earliest turn, so the
 * limiter keeps the fleet's requests as close as it allows.
 *
 * Redis's own clock reads both, so the replicas' clocks never need to agree; a booking whose request
 * ended without saying so (its replica died) lapses.
 */
const bookScript = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ahead = redis.call('ZCARD', KEYS[1])
local free = redis.call('PTTL', KEYS[2])
if free < 0 then free = 0 end
local interval = tonumber(ARGV[1])
local pace = math.max(interval, tonumber(redis.call('HGET', KEYS[3], 'pace') or 0))
local wait = math.floor(free + ahead * pace)
if wait > tonumber(ARGV[2]) then return {0, wait} end
local lasts = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now + lasts, ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < lasts then redis.call('PEXPIRE', KEYS[1], lasts) end
return {1, free + ahead * interval}`;

/**
 * KEYS: the bookings, the fleet's pace. ARGV: the member, the interval, whether the request went
 * through (1) or gave up (0). Gives the place up. A request that went through right behind another
 * (others were booked when that one went) times the fleet's real pace: the interval, plus however
 * late the replicas wake.
 */
const releaseScript = `if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[3] ~= '1' then return 1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[2])
local last = redis.call('HMGET', KEYS[2], 'at', 'queued', 'pace')
local pace = tonumber(last[3]) or interval
if last[2] == '1' then
  pace = 0.9 * pace + 0.1 * math.min(now - tonumber(last[1]), 4 * interval)
end
local queued = '0'
if redis.call('ZCARD', KEYS[1]) > 0 then queued = '1' end
redis.call('HSET', KEYS[2], 'at', now, 'queued', queued, 'pace', pace)
redis.call('PEXPIRE', KEYS[2], 60000)
return 1`;

/** A booking the book could not answer within this long is left to lapse; the gate judges locally. */
const bookTimeoutMs = 500;

/**
 * The fleet's queue for the rate gate (rateGate.ts `SlotBook`): each request books its place in
 * Redis before it waits, so every replica knows at once how long the whole fleet's queue is, and
 * says "busy" at once when its turn would come after its deadline. The spacing itself stays the
 * fleet limiter's (`createFleetLimiter`). Give it the fail-fast client: while Redis is away, the
 * book answers nothing and the gate judges from this replica's own queue.
 */
export function createFleetBook(o: { client: RedisClientType; prefix: string; ratePerSecond: number }): SlotBook {
  const intervalMs = Math.ceil(gateIntervalMs(o.ratePerSecond));
  const bookings = `${o.prefix}:rate:book`;
  const pace = `${o.prefix}:rate:pace`;
  // Members unique across the fleet: this process's random id and a count.
  const self = randomUUID();
  let count = 0;

  const release = (member: string, sent: boolean) => {
    if (!o.client.isReady) return; // it lapses by itself
    o.client
      .eval(releaseScript, { keys: [bookings, pace], arguments: [member, String(intervalMs), sent ? '1' : '0'] })
      .catch(() => {
        // As above: it lapses.
      });
  };

  return {
    async book(maxWaitMs) {
      if (!o.client.isReady) return undefined;
      const member = `${self}:${++count}`;
      const wait = Math.max(0, Math.floor(maxWaitMs));
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const reply = (await Promise.race([
          o.client.eval(bookScript, {
            keys: [bookings, `${o.prefix}:rate:gate`, pace],
            arguments: [String(intervalMs), String(wait), member, String(wait + bookTimeoutMs + 1_000)],
          }),
          new Promise<undefined>((resolve) => {
            timer = setTimeout(resolve, bookTimeoutMs, undefined);
          }),
        ])) as [number, number] | undefined;
        if (!reply) return undefined;
        if (Number(reply[0]) !== 1) return 'full';
        return { waitMs: Number(reply[1]), release: (sent) => release(member, sent) };
      } catch {
        // Redis failed mid-call: this replica's own judgement, as while it is away.
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
