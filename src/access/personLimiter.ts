import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';

/** How many lookups one person may make a minute, so a runaway script cannot spend the daily quota. */
export interface PersonLimiter {
  readonly perMinute: number;
  /** Takes one lookup from the person's allowance; when none is left, says how long until one is. */
  take(personKey: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

/**
 * rate-limiter-flexible: on Redis the allowance is the person's across every replica; while Redis
 * is away (or without it), each replica counts on its own.
 */
export function createPersonLimiter(o: {
  perMinute: number;
  redis?: { client: RedisClientType; prefix: string };
}): PersonLimiter {
  const memory = new RateLimiterMemory({ points: o.perMinute, duration: 60 });
  const limiter: RateLimiterAbstract = o.redis
    ? new RateLimiterRedis({
        storeClient: o.redis.client,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
        keyPrefix: `${o.redis.prefix}:person`,
        points: o.perMinute,
        duration: 60,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    perMinute: o.perMinute,
    async take(personKey) {
      try {
        await limiter.consume(personKey, 1);
        return { ok: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes)
          return { ok: false, retryAfterMs: Math.max(1000, rejection.msBeforeNext) };
        throw rejection;
      }
    },
  };
}
