import type { RedisClientType } from 'redis';
import type { Counters } from './counters.ts';

/** KEYS: the hash. ARGV: field, by, ttl in ms. Every field and value after the add. */
const addScript = `
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('HGETALL', KEYS[1])
`;

/** Keys whose last shared counts are kept for an outage (a day's key or two in practice). */
const keptKeys = 16;

/**
 * Counters as one Redis hash per key under `base`, added to by one script (the add, the expiry and
 * the read back are one step for every replica). Give it the fail-fast client: while Redis is away,
 * `memory` counts instead, as the cache views fall back to memory, on top of the fleet's counts as
 * last read, so an outage does not start the count again from nothing.
 */
export function redisCounters(client: RedisClientType, base: string, memory: Counters): Counters {
  const hashKey = (key: string) => `${base}:${key}`;
  const lastShared = new Map<string, Record<string, number>>();
  const shared = (key: string, counts: Record<string, number>) => {
    lastShared.delete(key);
    lastShared.set(key, counts);
    if (lastShared.size > keptKeys) lastShared.delete(lastShared.keys().next().value as string);
    return counts;
  };
  const onTopOfShared = (key: string, local: Record<string, number>) => {
    const out = { ...lastShared.get(key) };
    for (const [field, value] of Object.entries(local)) out[field] = (out[field] ?? 0) + value;
    return out;
  };
  return {
    async add(key, field, by, ttlMs) {
      if (client.isReady) {
        try {
          const reply = (await client.eval(addScript, {
            keys: [hashKey(key)],
            arguments: [field, String(Math.trunc(by)), String(Math.max(1, Math.round(ttlMs)))],
          })) as string[];
          return shared(key, fromPairs(reply));
        } catch {
          // The outage is logged once by the store; this add counts in memory.
        }
      }
      return onTopOfShared(key, await memory.add(key, field, by, ttlMs));
    },
    async read(key) {
      if (client.isReady) {
        try {
          const hash = await client.hGetAll(hashKey(key));
          return shared(key, Object.fromEntries(Object.entries(hash).map(([field, value]) => [field, Number(value)])));
        } catch {
          // As above: memory's counts while Redis is away.
        }
      }
      return onTopOfShared(key, await memory.read(key));
    },
  };
}

/** HGETALL's flat reply from a script: field, value, field, value, … */
function fromPairs(reply: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = Number(reply[i + 1]);
  return out;
}
