import type { PartnerAccount } from '../billing/account.ts';
import type { BillingPlan } from '../billing/plan.ts';
import type { BlobKv } from '../store/blobs.ts';
import {
  decode,
  type DecodedSeries,
  emptySeries,
  encode,
  type PlanPoint,
  SeriesFormatError,
  trim,
  upsertPlanPoint,
  upsertWalkPoint,
  utcDay,
  type WalkPoint,
} from './series.ts';

/**
 * One account's usage history, oldest first. Days are UTC day numbers (days since 1970-01-01,
 * `utcDay` in series.ts; `isoDay` names one): the radar subtracts them, a renderer names them.
 */
export interface AccountHistory {
  accountId: string;
  /** What the index walks saw, one point a day (the day's last walk). */
  walk: WalkPoint[];
  /** What plan reads saw, one point a day (the day's last read). */
  plans: PlanPoint[];
}

export type WalkRecording =
  /** `written`: series that changed (an hourly walk the same day rewrites only the accounts that moved). */
  | { status: 'recorded'; day: number; accounts: number; written: number; removed: number; ms: number }
  /** Another walk came in while this one waited for the one running: that newer walk is recorded instead. */
  | { status: 'superseded' };

export type PlanRecording = { status: 'recorded' } | { status: 'unchanged' } | { status: 'too_old' };

/** The store under the history failed (the cause is the store's error); nothing was lost but this write or read. */
export class HistoryStoreError extends Error {
  readonly code = 'history_unavailable';
  readonly operation: 'record_walk' | 'record_plan' | 'read' | 'fill';
  constructor(operation: HistoryStoreError['operation'], cause: unknown) {
    super(`usage history ${operation.replace('_', ' ')} failed`, { cause });
    this.name = 'HistoryStoreError';
    this.operation = operation;
  }
}

/**
 * Keeps each account's daily series (series.ts) in a blob view, one key per account id. It makes
 * no Constant Contact call: it is told what the walks and plan reads already fetched.
 *
 * Its callers must never let it break what they do: call `recordWalk` and `recordPlan` without
 * awaiting them on the answer's path, and catch (a rejection is a HistoryStoreError: log it and go
 * on). While Redis is away the calls wait for it, as durable views do.
 */
export interface HistoryStore {
  /** HISTORY_DAYS: how many UTC days back, today included, points are kept. */
  readonly days: number;
  /**
   * Today's point for every account of a complete walk, then (once a UTC day) the series of
   * accounts the walk no longer lists are trimmed, and removed once empty. One walk at a time on
   * this replica: a walk that comes in while another is being recorded waits for it; a third that
   * comes in meanwhile replaces the waiting one (which resolves `superseded`). Hold the list as it
   * is until the promise settles.
   */
  recordWalk(accounts: readonly PartnerAccount[]): Promise<WalkRecording>;
  /** The plan as read at `at` (epoch ms) as that day's plan point. */
  recordPlan(accountId: string, plan: BillingPlan, at: number): Promise<PlanRecording>;
  /**
   * Adds the walk points and plan points of days the account's series has none of (each kind on its
   * own), inside the window; a point already kept is never replaced, so a second call adds nothing.
   * For a history made up ahead of time: demo mode's sample days.
   */
  fill(
    accountId: string,
    points: { walk?: readonly WalkPoint[]; plans?: readonly PlanPoint[] },
  ): Promise<{ added: number }>;
  /** One account (the card's extra read): an empty history when nothing is kept for it. */
  history(accountId: string): Promise<AccountHistory>;
  /**
   * Many accounts (the radar), read `chunkSize` at a time and handed out one by one in the order of
   * `ids`, so a hundred thousand never sit decoded in memory at once.
   */
  histories(ids: readonly string[]): AsyncIterable<AccountHistory>;
  /** About how many bytes the history takes in the store. */
  bytes(): Promise<number>;
}

export interface HistoryStoreOptions {
  blobs: BlobKv;
  /** Whole number ≥ 1: today and the days before it, up to this many in all. */
  days: number;
  now?: () => number;
  /** Accounts read or written per store call. Default 1,000. */
  chunkSize?: number;
  /** Told of a stored series it cannot read: a write replaces it, a read answers it as empty. */
  onUnreadable?: (accountId: string, error: SeriesFormatError) => void;
}

export function createHistoryStore(o: HistoryStoreOptions): HistoryStore {
  if (!Number.isInteger(o.days) || o.days < 1)
    throw new RangeError(`history days must be a whole number ≥ 1: ${o.days}`);
  const { blobs, days } = o;
  const now = o.now ?? Date.now;
  const chunkSize = o.chunkSize ?? 1_000;
  const oldestDay = (today: number) => today - days + 1;

  /** Applies `change` to a stored series; a series it cannot read counts as empty. */
  const changed = (accountId: string, stored: Uint8Array | undefined, change: (series: Uint8Array) => Uint8Array) => {
    try {
      return change(stored ?? emptySeries);
    } catch (error) {
      if (!(error instanceof SeriesFormatError)) throw error;
      o.onUnreadable?.(accountId, error);
      return change(emptySeries);
    }
  };

  /** Writes what changed: a series with nothing left is removed. */
  const save = async (writes: Array<[string, Uint8Array]>) => {
    const kept = writes.filter(([, series]) => series.length > 0);
    await blobs.setMany(kept);
    for (const [key, series] of writes) if (series.length === 0) await blobs.delete(key);
  };

  // Every read-modify-write on this replica goes through here one at a time, so a plan point and
  // a walk's chunk never overwrite each other's series. (Across replicas the walk runs on one at a
  // time; a plan read on another replica within the few milliseconds a chunk is in hand can lose
  // that one plan point, which that account's next read writes again.)
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work);
    tail = result.catch(() => undefined);
    return result;
  };

  let sweptDay: number | undefined;

  async function recordOnce(accounts: readonly PartnerAccount[]): Promise<WalkRecording> {
    const started = performance.now();
    const day = utcDay(now());
    const oldest = oldestDay(day);
    const points = new Map<string, WalkPoint>();
    for (const a of accounts)
      points.set(a.id, { day, subscriberCount: a.subscriberCount, billingStatus: a.billingStatus });
    const ids = [...points.keys()];
    let written = 0;
    for (let i = 0; i < ids.length; i += chunkSize) {
      const slice = ids.slice(i, i + chunkSize);
      written += await exclusive(async () => {
        const stored = await blobs.getMany(slice);
        const writes: Array<[string, Uint8Array]> = [];
        slice.forEach((id, j) => {
          const before = stored[j];
          const after = changed(id, before, (s) => upsertWalkPoint(s, points.get(id) as WalkPoint, oldest));
          if (after !== before) writes.push([id, after]);
        });
        await save(writes);
        return writes.length;
      });
    }
    let removed = 0;
    if (sweptDay !== day) {
      removed = await sweep(points, oldest);
      sweptDay = day;
    }
    return { status: 'recorded', day, accounts: ids.length, written, removed, ms: performance.now() - started };
  }

  /** Trims the series of accounts the walk did not list (they get no point to trim them); returns how many went. */
  async function sweep(listed: Map<string, unknown>, oldest: number): Promise<number> {
    const absent = (await blobs.keys()).filter((id) => !listed.has(id));
    let removed = 0;
    for (let i = 0; i < absent.length; i += chunkSize) {
      const slice = absent.slice(i, i + chunkSize);
      removed += await exclusive(async () => {
        const stored = await blobs.getMany(slice);
        const writes: Array<[string, Uint8Array]> = [];
        slice.forEach((id, j) => {
          const before = stored[j];
          if (before === undefined) return;
          const after = changed(id, before, (s) => trim(s, oldest));
          if (after !== before) writes.push([id, after]);
        });
        await save(writes);
        return writes.filter(([, series]) => series.length === 0).length;
      });
    }
    return removed;
  }

  let recording = false;
  let next:
    { accounts: readonly PartnerAccount[]; settle: (r: WalkRecording | Promise<WalkRecording>) => void } | undefined;

  async function recordWalk(accounts: readonly PartnerAccount[]): Promise<WalkRecording> {
    if (recording) {
      next?.settle({ status: 'superseded' });
      return new Promise<WalkRecording>((settle) => (next = { accounts, settle }));
    }
    recording = true;
    try {
      return await recordOnce(accounts);
    } catch (error) {
      throw new HistoryStoreError('record_walk', error);
    } finally {
      recording = false;
      const waiting = next;
      next = undefined;
      if (waiting) waiting.settle(recordWalk(waiting.accounts));
    }
  }

  /** The stored series as points inside the window (a series not yet trimmed today may hold older ones). */
  function historyOf(accountId: string, stored: Uint8Array | undefined, oldest: number): AccountHistory {
    let decoded: ReturnType<typeof decode> = { walk: [], plans: [] };
    try {
      if (stored !== undefined) decoded = decode(stored);
    } catch (error) {
      if (!(error instanceof SeriesFormatError)) throw error;
      o.onUnreadable?.(accountId, error);
    }
    const inWindow = <T extends { day: number }>(points: T[]) =>
      points.length > 0 && (points[0] as T).day < oldest ? points.filter((p) => p.day >= oldest) : points;
    return { accountId, walk: inWindow(decoded.walk), plans: inWindow(decoded.plans) };
  }

  return {
    days,
    recordWalk,
    async recordPlan(accountId, plan, at) {
      const day = utcDay(at);
      const oldest = oldestDay(utcDay(now()));
      if (day < oldest) return { status: 'too_old' };
      try {
        return await exclusive(async () => {
          const [before] = await blobs.getMany([accountId]);
          const after = changed(accountId, before, (s) =>
            trim(
              upsertPlanPoint(s, {
                day,
                tiers: plan.tiers,
                billingDay: plan.billingDayOfMonth,
                planType: plan.planType,
              }),
              oldest,
            ),
          );
          if (after === before) return { status: 'unchanged' } as const;
          await save([[accountId, after]]);
          return { status: 'recorded' } as const;
        });
      } catch (error) {
        throw new HistoryStoreError('record_plan', error);
      }
    },
    async fill(accountId, points) {
      const oldest = oldestDay(utcDay(now()));
      try {
        return await exclusive(async () => {
          const [before] = await blobs.getMany([accountId]);
          let kept: DecodedSeries = { walk: [], plans: [] };
          try {
            if (before !== undefined) kept = decode(before);
          } catch (error) {
            if (!(error instanceof SeriesFormatError)) throw error;
            o.onUnreadable?.(accountId, error);
          }
          const missing = <T extends { day: number }>(have: readonly T[], given: readonly T[] = []) => {
            const days = new Set(have.map((p) => p.day));
            return given.filter((p) => p.day >= oldest && !days.has(p.day) && days.add(p.day));
          };
          const walk = missing(kept.walk, points.walk);
          const plans = missing(kept.plans, points.plans);
          if (walk.length === 0 && plans.length === 0) return { added: 0 };
          const after = trim(encode({ walk: [...kept.walk, ...walk], plans: [...kept.plans, ...plans] }), oldest);
          await save([[accountId, after]]);
          return { added: walk.length + plans.length };
        });
      } catch (error) {
        throw new HistoryStoreError('fill', error);
      }
    },
    async history(accountId) {
      try {
        const [stored] = await blobs.getMany([accountId]);
        return historyOf(accountId, stored, oldestDay(utcDay(now())));
      } catch (error) {
        throw new HistoryStoreError('read', error);
      }
    },
    async *histories(ids) {
      const oldest = oldestDay(utcDay(now()));
      for (let i = 0; i < ids.length; i += chunkSize) {
        const slice = ids.slice(i, i + chunkSize);
        let stored: Array<Uint8Array | undefined>;
        try {
          stored = await blobs.getMany(slice);
        } catch (error) {
          throw new HistoryStoreError('read', error);
        }
        for (let j = 0; j < slice.length; j++) yield historyOf(slice[j] as string, stored[j], oldest);
      }
    },
    bytes: () => blobs.bytes(),
  };
}
