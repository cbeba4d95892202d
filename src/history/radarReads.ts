import type { PartnerAccount } from '../billing/account.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError, NotConfiguredError } from '../partner/errors.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import type { DurableKv, Store } from '../store/createStore.ts';
import { LockTimeoutError, withLock } from '../store/lock.ts';
import type { AccountHistory } from './historyStore.ts';
import { drawRadar } from './radar.ts';
import { isoDay, utcDay } from './series.ts';

/**
 * The radar's plan reads: an account's tier maximum and billing day are known only from a plan read,
 * so after each walk planbot reads the plans of the rising accounts it knows least about, within a
 * daily budget for the whole fleet.
 */
export interface RadarReads {
  start(): void;
  /** Told of each walk once the history has recorded it (hold the list as it is until the reads end). */
  afterWalk(accounts: readonly PartnerAccount[]): void;
  /** Stops reading; waits (bounded) for the read in hand. */
  stop(waitMs: number): Promise<void>;
}

/** Failures that the next account would meet too: the run ends, and the next walk tries again. */
const endingFailures = new Set([
  'quota_exceeded',
  'quota_reserved',
  'unauthorized',
  'forbidden',
  'throttled',
  'timeout',
  'busy',
  'upstream',
]);

export function createRadarReads(o: {
  /** RADAR_PLAN_READS_PER_DAY: most plan reads a UTC day, every replica together; 0 reads none. */
  perDay: number;
  lookup: Pick<PlanLookup, 'configured' | 'get'>;
  histories: (ids: readonly string[]) => AsyncIterable<AccountHistory>;
  /** One replica at a time reads (a `held:` lock). */
  store: Pick<Store, 'claim' | 'release'>;
  /** The reads spent each day (durable: a restart must not give the day's budget again). */
  spent: DurableKv;
  logger: Logger;
  now: () => number;
  /** Told after a run that read a plan: the radar has more to say. */
  onRead?: () => void;
  /** How long one run may hold the lock; it stops reading a minute before. Default 15 minutes. */
  lockTtlMs?: number;
}): RadarReads {
  const lockTtlMs = o.lockTtlMs ?? 15 * 60_000;
  let stopping = new AbortController();
  let started = false;
  let running: Promise<void> | undefined;
  let waiting: readonly PartnerAccount[] | undefined;

  async function readWithin(accounts: readonly PartnerAccount[]): Promise<void> {
    const began = performance.now();
    const day = utcDay(o.now());
    const key = `spent:${isoDay(day)}`;
    let spent = (await o.spent.get<number>(key)) ?? 0;
    const counts = { candidates: 0, read: 0, failed: 0 };
    let ended = 'done';
    if (spent >= o.perDay) ended = 'budget';
    else {
      const radar = await drawRadar(accounts, o.histories, o.now(), { limit: 1 });
      counts.candidates = radar.needsRead.length;
      for (const accountId of radar.needsRead) {
        if (stopping.signal.aborted) ended = 'stopped';
        else if (spent >= o.perDay) ended = 'budget';
        else if (utcDay(o.now()) !== day) ended = 'new_day';
        else if (performance.now() - began > lockTtlMs - 60_000) ended = 'time';
        if (ended !== 'done') break;
        // Counted before the read: a replica that dies mid-read has still spent it.
        await o.spent.set(key, ++spent, 2 * 86_400_000);
        try {
          // One read at a time, through the rate gate people's lookups use: they wait one turn at most.
          await o.lookup.get(accountId, o.now() + 60_000, { fresh: true, purpose: 'radar' });
          counts.read++;
        } catch (error) {
          counts.failed++;
          const code = isUpstreamError(error)
            ? error.code
            : error instanceof NotConfiguredError
              ? 'not_configured'
              : 'internal';
          // Refused at the gate or at the quota's reserve: no request went out.
          if (code === 'busy' || code === 'quota_reserved') await o.spent.set(key, --spent, 2 * 86_400_000);
          o.logger.debug({ event: 'radar_read_failed', accountId, code }, 'could not read a plan for the radar');
          if (endingFailures.has(code) || code === 'not_configured' || code === 'internal') {
            ended = code;
            break;
          }
        }
      }
    }
    o.logger.info(
      {
        event: 'radar_reads',
        ...counts,
        spentToday: spent,
        perDay: o.perDay,
        ended,
        ms: Math.round(performance.now() - began),
      },
      'read plans for the upgrade radar',
    );
    if (counts.read > 0) o.onRead?.();
  }

  async function run(accounts: readonly PartnerAccount[]): Promise<void> {
    try {
      await withLock(o.store, 'radar-reads', () => readWithin(accounts), { ttlMs: lockTtlMs, waitMs: 0 });
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        o.logger.info(
          { event: 'radar_reads', ended: 'other_replica' },
          'another replica is reading plans for the radar',
        );
      } else if (!stopping.signal.aborted) {
        o.logger.warn({ event: 'radar_reads_failed', err: error }, 'could not read plans for the upgrade radar');
      }
    }
  }

  function next(accounts: readonly PartnerAccount[]) {
    running = run(accounts).finally(() => {
      running = undefined;
      const again = waiting;
      waiting = undefined;
      if (again && started) next(again);
    });
  }

  return {
    start() {
      if (started) return;
      started = true;
      stopping = new AbortController();
    },
    afterWalk(accounts) {
      if (!started || o.perDay <= 0 || !o.lookup.configured) return;
      // A walk that comes in while reading is read after, from its newer counts.
      if (running) waiting = accounts;
      else next(accounts);
    },
    async stop(waitMs) {
      started = false;
      waiting = undefined;
      stopping.abort();
      if (running) await Promise.race([running, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    },
  };
}
