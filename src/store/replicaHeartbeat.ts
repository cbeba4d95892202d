import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClientType } from 'redis';

/** One replica as its last heartbeat described it. */
export interface ReplicaBeat {
  id: string;
  version: string;
  commit: string;
  startedAt: number;
  /** When it last wrote its heartbeat (its own clock). */
  at: number;
}

export interface ReplicaHeartbeat {
  readonly id: string;
  /** Writes the heartbeat now and then every `everyMs`. */
  start(): void;
  /** Stops writing and removes this replica's key, so it is not counted after it stopped. */
  stop(): Promise<void>;
  /** The replicas whose heartbeat has not expired, this one included. */
  seen(): Promise<ReplicaBeat[]>;
}

/** The host (a pod's name in Kubernetes) and process, plus a few random characters: a restart is a new replica. */
export function replicaId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

export const heartbeatEveryMs = 15_000;
/** Three missed beats: a replica that died drops out within 45 s. */
export const heartbeatTtlMs = 45_000;

/**
 * Each replica on the shared Redis writes `<prefix>:replica:<id>` with a TTL, and adds its id to
 * the set `<prefix>:replicas`. Reading the set and the keys counts the live ones without a SCAN of
 * the whole Redis; ids whose key has expired are dropped from the set as they are found.
 */
export function createReplicaHeartbeat(o: {
  client: RedisClientType;
  prefix: string;
  id: string;
  describe: Omit<ReplicaBeat, 'id' | 'at'>;
  now: () => number;
  everyMs?: number;
  ttlMs?: number;
}): ReplicaHeartbeat {
  const everyMs = o.everyMs ?? heartbeatEveryMs;
  const ttlMs = o.ttlMs ?? heartbeatTtlMs;
  const setKey = `${o.prefix}:replicas`;
  const keyOf = (id: string) => `${o.prefix}:replica:${id}`;
  let timer: NodeJS.Timeout | undefined;

  const beat = async () => {
    if (!o.client.isReady) return;
    const value: ReplicaBeat = { id: o.id, ...o.describe, at: o.now() };
    // While Redis is away the beat is skipped: the key expires, and the replica is counted again once it is back.
    await o.client
      .multi()
      .set(keyOf(o.id), JSON.stringify(value), { expiration: { type: 'PX', value: ttlMs } })
      .sAdd(setKey, o.id)
      .exec()
      .catch(() => undefined);
  };

  return {
    id: o.id,
    start() {
      if (timer) return;
      void beat();
      timer = setInterval(() => void beat(), everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      if (!o.client.isReady) return;
      await o.client
        .multi()
        .del(keyOf(o.id))
        .sRem(setKey, o.id)
        .exec()
        .catch(() => undefined);
    },
    async seen() {
      const ids = await o.client.sMembers(setKey);
      if (ids.length === 0) return [];
      const values = await o.client.mGet(ids.map(keyOf));
      const gone = ids.filter((_, i) => values[i] === null);
      if (gone.length > 0) await o.client.sRem(setKey, gone).catch(() => undefined);
      return values.flatMap((raw) => {
        const beat = raw === null ? undefined : parseBeat(raw);
        return beat ? [beat] : [];
      });
    },
  };
}

function parseBeat(raw: string): ReplicaBeat | undefined {
  try {
    const v = JSON.parse(raw) as Partial<ReplicaBeat>;
    if (typeof v.id !== 'string' || typeof v.at !== 'number' || typeof v.startedAt !== 'number') return undefined;
    return {
      id: v.id,
      version: typeof v.version === 'string' ? v.version : 'unknown',
      commit: typeof v.commit === 'string' ? v.commit : 'unknown',
      startedAt: v.startedAt,
      at: v.at,
    };
  } catch {
    return undefined;
  }
}
