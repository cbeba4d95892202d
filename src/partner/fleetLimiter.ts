import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';
import { gateIntervalMs } from './rateGate.ts';

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
