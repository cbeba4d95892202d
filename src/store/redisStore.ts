import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../logger.ts';
import { redisBlobs } from './blobsRedis.ts';
import { type DurableKv, type Store, type StoreHealth, viewsByName } from './createStore.ts';
import { redisCounters } from './countersRedis.ts';
import { openCounterTable, SqliteCounters } from './countersSqlite.ts';
import type { DurableQueue, QueuedItem } from './durableQueue.ts';
import { FailoverStore } from './failoverStore.ts';
import { SqliteStore } from './sqliteStore.ts';

export interface RedisStoreOptions {
  url: string;
  /** Every key planbot writes starts with this, so several bots can share one Redis. */
  prefix: string;
  logger: Logger;
  /** How long start-up waits for Redis before carrying on degraded (it keeps trying). */
  connectWaitMs?: number;
}

export interface RedisStore extends Store {
  /** The key prefix, for the other users of this Redis (rate limiter, digest queue). */
  readonly prefix: string;
  /** The fail-fast client, for the fleet-wide rate limiter. */
  readonly client: RedisClientType;
  /** A new client on the same server (for BullMQ), which waits for Redis instead of failing. */
  readonly newClient: () => RedisClientType;
}

const backoff = (retries: number) => Math.min(100 * 2 ** retries, 2_000);

/**
 * The shared store for several replicas: keyv's Redis adapter on node-redis. Two clients: one that
 * fails fast (so caches and tokens fall back to memory at once when Redis goes away) and one that
 * queues commands until Redis is back (so digest state is never written to the wrong place).
 */
export async function createRedisStore(o: RedisStoreOptions): Promise<RedisStore> {
  const newClient = (failFast = false): RedisClientType => {
    const client: RedisClientType = createClient({
      url: o.url,
      disableOfflineQueue: failFast,
      socket: { connectTimeout: 2_000, reconnectStrategy: backoff },
    });
    // Without a listener node-redis throws its connection errors; the outage is logged once below.
    client.on('error', () => undefined);
    return client;
  };
  const fast = newClient(true);
  const waiting = newClient();

  // node-redis reports every failed reconnect; the log gets one line per change of state.
  let up = false;
  fast.on('ready', () => {
    if (!up)
      o.logger.info(
        { event: 'store_connected', store: 'redis' },
        'Redis is reachable; replicas share tokens, caches, limits and digests',
      );
    up = true;
  });
  fast.on('error', (error: unknown) => {
    if (up) {
      o.logger.warn(
        { event: 'store_degraded', store: 'redis', error: error instanceof Error ? error.message : String(error) },
        "Redis is unreachable: lookups go on from this replica's memory, digests wait until it is back",
      );
    }
    up = false;
  });

  const connectWait = o.connectWaitMs ?? 3_000;
  const connected = await Promise.race([
    Promise.all([fast.connect(), waiting.connect()]).then(() => true),
    new Promise<false>((resolve) => setTimeout(resolve, connectWait, false).unref()),
  ]);
  if (!connected) {
    o.logger.warn(
      { event: 'store_degraded', store: 'redis' },
      "Redis is not reachable yet: starting on this replica's memory, and retrying",
    );
  }

  const adapter = (client: RedisClientType, namespace: string) => {
    const redis = new KeyvRedis(client, { namespace, throwOnErrors: true, throwOnConnectError: true });
    redis.on('error', () => {
      // Thrown to the caller as well (throwOnErrors); the caller decides what to do.
    });
    return redis;
  };
  const memory = new SqliteStore(':memory:');
  // One adapter for every cache namespace: keyv prefixes the keys (the failover store has no namespace of its own).
  const failover = new FailoverStore(adapter(fast, o.prefix), memory, () => fast.isReady);

  const cacheView = viewsByName((name) => new Keyv({ store: failover, namespace: name }));
  // Durable views use the adapter directly: keyv itself would turn a failed read into "not found".
  const durableView = viewsByName((name): DurableKv => {
    const redis = adapter(waiting, `${o.prefix}:${name}`);
    return {
      async get<T>(key: string) {
        const raw = await redis.get<string>(key);
        return raw === undefined || raw === null ? undefined : (JSON.parse(raw) as T);
      },
      async set(key, value, ttlMs) {
        await redis.set(key, JSON.stringify(value), ttlMs);
      },
      async delete(key) {
        await redis.delete(key);
      },
    };
  });
  // On the waiting client, as durable views are: queued work is never kept in one replica's memory.
  const queueView = viewsByName((name) => redisQueue<unknown>(waiting, `${o.prefix}:queue:${name}`));
  // On the waiting client too: a history written while Redis is away waits for it.
  const blobsView = viewsByName((name) => redisBlobs(waiting, `${o.prefix}:blobs:${name}`));
  // On the fail-fast client, with this replica's memory behind it: counting must never hold a lookup up.
  openCounterTable(memory.database);
  const countersView = viewsByName((name) =>
    redisCounters(fast, `${o.prefix}:counters:${name}`, new SqliteCounters(memory.database, name, Date.now)),
  );
  const claimKey = (key: string) => `${o.prefix}:claim:${key}`;

  return {
    describe: `redis:${redactUrl(o.url)} (prefix ${o.prefix})`,
    client: fast,
    prefix: o.prefix,
    newClient: () => newClient(),
    namespace: cacheView,
    durable: durableView,
    queue: <T>(name: string) => queueView(name) as DurableQueue<T>,
    blobs: blobsView,
    counters: countersView,
    async claim(key, ttlMs) {
      if (fast.isReady) {
        try {
          const ok = await fast.set(claimKey(key), '1', {
            condition: 'NX',
            expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) },
          });
          return ok === 'OK';
        } catch {
          // Fall through: while Redis is away each replica decides on its own.
        }
      }
      return memory.claim(claimKey(key), '1', ttlMs);
    },
    async release(key) {
      await memory.delete(claimKey(key));
      if (fast.isReady) await fast.del(claimKey(key)).catch(() => undefined);
    },
    async health(): Promise<StoreHealth> {
      if (!fast.isReady) return 'degraded';
      try {
        await withTimeout(fast.ping(), 1_000);
        return 'ok';
      } catch {
        return 'degraded';
      }
    },
    async close() {
      await memory.close();
      // close() waits for queued commands, which never run while Redis is away.
      for (const client of [fast, waiting]) {
        if (client.isReady) await client.close().catch(() => client.destroy());
        else if (client.isOpen) client.destroy();
      }
    },
  };
}

// Both scripts read the time from Redis (TIME), never from the replica: replicas' clocks may
// disagree, and a command the waiting client held through an outage would carry a time from before
// it (a lease that ended before it began). Scores are microseconds (exact in a double until 2255),
// so items pushed in the same millisecond still come out in the order they went in.
const nowInScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
`;

/** KEYS: items, available. ARGV: id, item JSON. 1 when the id was new. */
const pushScript = `${nowInScript}
local entry = '{"enqueuedAt":' .. string.format('%.0f', math.floor(now / 1000)) .. ',"item":' .. ARGV[2] .. '}'
if redis.call('HSETNX', KEYS[1], ARGV[1], entry) == 0 then return 0 end
redis.call('ZADD', KEYS[2], string.format('%.0f', now), ARGV[1])
return 1
`;

/** KEYS: items, attempts, available. ARGV: lease in ms. { id, entry JSON, attempts } or nil. */
const takeScript = `${nowInScript}
while true do
  local id = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', string.format('%.0f', now), 'LIMIT', 0, 1)[1]
  if not id then return false end
  local entry = redis.call('HGET', KEYS[1], id)
  if entry then
    redis.call('ZADD', KEYS[3], 'XX', string.format('%.0f', now + tonumber(ARGV[1]) * 1000), id)
    return { id, entry, redis.call('HINCRBY', KEYS[2], id, 1) }
  end
  redis.call('ZREM', KEYS[3], id)
end
`;

/**
 * A queue under `base`: a hash of id → {enqueuedAt, item}, a hash of id → attempts (apart, so the
 * item's JSON is never decoded and re-encoded by Lua), and a sorted set of id by the time a take may
 * have it. Each operation is one script or one MULTI, so no replica sees half of another's change.
 */
function redisQueue<T>(client: RedisClientType, base: string): DurableQueue<T> {
  const items = `${base}:items`;
  const attempts = `${base}:attempts`;
  const available = `${base}:available`;
  return {
    async push(id, item) {
      const added = await client.eval(pushScript, {
        keys: [items, available],
        arguments: [id, JSON.stringify(item) ?? 'null'],
      });
      return added === 1;
    },
    async take(leaseMs) {
      const reply = (await client.eval(takeScript, {
        keys: [items, attempts, available],
        arguments: [String(Math.max(0, leaseMs))],
      })) as [string, string, number] | null;
      if (!reply) return undefined;
      const [id, entry, taken] = reply;
      const { enqueuedAt, item } = JSON.parse(entry) as { enqueuedAt: number; item: T };
      return { id, item, enqueuedAt, attempts: Number(taken) } satisfies QueuedItem<T>;
    },
    async done(id) {
      await client.multi().hDel(items, id).hDel(attempts, id).zRem(available, id).exec();
    },
    async size() {
      return client.hLen(items);
    },
  };
}

/** The URL without its password, for logs and /readyz. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
