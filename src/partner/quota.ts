import type { Logger } from '../logger.ts';
import type { Counters } from '../store/counters.ts';
import { routineUpstreamError, type UpstreamError } from './errors.ts';

/** Why planbot sends a request to Constant Contact. */
export type QuotaPurpose = 'lookup' | 'index' | 'digest' | 'alert' | 'radar';

export const quotaPurposes: readonly QuotaPurpose[] = ['lookup', 'index', 'digest', 'alert', 'radar'];

/** What a person asked for (a lookup, a share, a watch check) or is waiting to be told (an alert). */
const forPeople: ReadonlySet<QuotaPurpose> = new Set<QuotaPurpose>(['lookup', 'alert']);

/** People's requests may spend the reserve; background work (walks, digests, radar reads) may not. */
export const isForPeople = (purpose: QuotaPurpose): boolean => forPeople.has(purpose);

/** The day's quota as counted for the whole fleet (UTC day). */
export interface QuotaSnapshot {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  limit: number;
  /** Requests kept for people: background work stops once no more than this is left. */
  reserve: number;
  used: Record<QuotaPurpose, number>;
  total: number;
  left: number;
  backgroundStopped: boolean;
  /** Constant Contact said the quota is spent: nothing is sent until then (the next 00:00 UTC). */
  exhaustedUntil: number | null;
  /** Today's pace so far, extended to 24:00 UTC. */
  projectedAtMidnight: number;
}

export interface QuotaGovernor {
  /**
   * Before each request to the API (not the token endpoint). Throws `quota_exceeded` when the day's
   * quota is spent or was marked exhausted, `quota_reserved` when background work meets the
   * reserve. Once admitted, the request is counted as on its way until `spent` or `unsent`.
   */
  admit(purpose: QuotaPurpose): Promise<void>;
  /** One admitted request went out (every HTTP attempt, retries included). Never rejects. */
  spent(purpose: QuotaPurpose): Promise<void>;
  /** An admitted request never went out (refused at the rate gate, no token). */
  unsent(): void;
  /** Constant Contact answered `quota_exceeded`: no replica sends anything until 00:00 UTC. */
  exhausted(): Promise<void>;
  /** Read from the store now, for `/plan status`. */
  snapshot(): Promise<QuotaSnapshot>;
}

const dayMs = 86_400_000;
/** Older day keys are of no use; two days keep yesterday's for anyone who looks. */
const keepMs = 2 * dayMs;
/** The exhausted mark is a field of the day's counts, so one read brings both. */
const exhaustedField = 'exhausted';

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayKey = (day: string) => `day:${day}`;

interface Seen {
  day: string;
  counts: Record<string, number>;
  readAt: number;
}

/**
 * Counts requests to Constant Contact per UTC day and purpose in the store (fleet-wide with Redis;
 * it survives a restart) and decides which may go out. The counts are read at most every
 * `refreshMs` (and come back with every add), so admitting a request costs no store call most of
 * the time, and a mark another replica made is seen within about that long.
 */
export function createQuotaGovernor(o: {
  counter: Counters;
  dailyQuota: number;
  /** Requests kept for people (CC_QUOTA_RESERVE, already turned into a number). */
  reserve: number;
  now: () => number;
  logger: Logger;
  refreshMs?: number;
  /** Told of each request that went out (metrics). */
  onSpent?: (purpose: QuotaPurpose) => void;
  /** Told what is left whenever the counts are read or added to (metrics). */
  onLeft?: (left: number) => void;
}): QuotaGovernor {
  const refreshMs = o.refreshMs ?? 1_000;
  let seen: Seen | undefined;
  let reading: { day: string; done: Promise<void> } | undefined;
  /** Admitted here and not yet counted in the store. */
  let onTheirWay = 0;
  let stopLoggedFor: string | undefined;
  let exhaustLoggedFor: string | undefined;

  const totalOf = (counts: Record<string, number>) => quotaPurposes.reduce((sum, p) => sum + (counts[p] ?? 0), 0);
  const isExhausted = (counts: Record<string, number>) => (counts[exhaustedField] ?? 0) > 0;

  /** Counts only grow within a day, so the larger of two sightings is the newer one. */
  function merge(day: string, counts: Record<string, number>, readAt: number | undefined): void {
    if (day !== dayOf(o.now())) return;
    if (!seen || seen.day !== day) seen = { day, counts: {}, readAt: 0 };
    for (const [field, value] of Object.entries(counts))
      if (Number.isFinite(value)) seen.counts[field] = Math.max(seen.counts[field] ?? 0, value);
    if (readAt !== undefined) seen.readAt = readAt;
    o.onLeft?.(Math.max(0, o.dailyQuota - totalOf(seen.counts)));
  }

  /** One read at a time, shared by everyone who asks for the same day meanwhile. */
  function read(day: string): Promise<void> {
    if (reading?.day === day) return reading.done;
    const done = (async () => {
      try {
        merge(day, await o.counter.read(dayKey(day)), o.now());
      } catch (error) {
        // Counting must not stop people's lookups: decide on what was last seen, and read again later.
        merge(day, {}, o.now());
        o.logger.warn({ event: 'quota_unread', err: error }, "could not read today's request count");
      }
    })().finally(() => {
      if (reading?.done === done) reading = undefined;
    });
    reading = { day, done };
    return done;
  }

  /** Today's counts, read again when older than `refreshMs` (at once on a new day). */
  async function today(): Promise<Seen> {
    const day = dayOf(o.now());
    if (!seen || seen.day !== day || o.now() - seen.readAt >= refreshMs) await read(day);
    return seen && seen.day === day ? seen : { day, counts: {}, readAt: o.now() };
  }

  const midnightAfter = (day: string) => Date.parse(`${day}T00:00:00Z`) + dayMs;

  function refuse(code: 'quota_exceeded' | 'quota_reserved', why: string): UpstreamError {
    return routineUpstreamError(code, 'constant-contact', `constant-contact: ${why}; not sent`);
  }

  function backgroundStopped(s: Seen, used: number): void {
    if (stopLoggedFor === s.day) return;
    stopLoggedFor = s.day;
    o.logger.warn(
      {
        event: 'quota_background_stopped',
        day: s.day,
        used,
        left: Math.max(0, o.dailyQuota - used),
        reserve: o.reserve,
        limit: o.dailyQuota,
        byPurpose: Object.fromEntries(quotaPurposes.map((p) => [p, s.counts[p] ?? 0])),
      },
      "background work (index walks, digests, radar reads) stops for today: the rest of the quota is kept for people's lookups",
    );
  }

  return {
    async admit(purpose) {
      const s = await today();
      // Decided and counted in one synchronous step, so requests admitted together cannot all take the last one.
      const used = totalOf(s.counts) + onTheirWay;
      if (isExhausted(s.counts)) throw refuse('quota_exceeded', 'the daily quota is spent until 00:00 UTC');
      if (used >= o.dailyQuota) throw refuse('quota_exceeded', `${used} of ${o.dailyQuota} requests used today`);
      if (!isForPeople(purpose) && o.dailyQuota - used <= o.reserve) {
        backgroundStopped(s, used);
        throw refuse('quota_reserved', `${purpose} refused: what is left today is kept for people`);
      }
      onTheirWay++;
    },

    async spent(purpose) {
      const day = dayOf(o.now());
      try {
        o.onSpent?.(purpose);
        merge(day, await o.counter.add(dayKey(day), purpose, 1, keepMs), o.now());
      } catch (error) {
        o.logger.warn(
          { event: 'quota_uncounted', purpose, err: error },
          'could not count a request to Constant Contact',
        );
      } finally {
        onTheirWay = Math.max(0, onTheirWay - 1);
      }
    },

    unsent() {
      onTheirWay = Math.max(0, onTheirWay - 1);
    },

    async exhausted() {
      const day = dayOf(o.now());
      // Seen here at once; the store tells the other replicas.
      merge(day, { [exhaustedField]: 1 }, undefined);
      let used = totalOf(seen?.counts ?? {});
      try {
        const counts = await o.counter.add(dayKey(day), exhaustedField, 1, keepMs);
        merge(day, counts, o.now());
        used = totalOf(counts);
      } catch (error) {
        o.logger.warn({ event: 'quota_unmarked', err: error }, 'could not tell the other replicas the quota is spent');
      }
      if (exhaustLoggedFor === day) return;
      exhaustLoggedFor = day;
      o.logger.error(
        { event: 'quota_exhausted', day, used, limit: o.dailyQuota, until: new Date(midnightAfter(day)).toISOString() },
        'Constant Contact says the daily quota is spent: no request goes out until 00:00 UTC',
      );
    },

    async snapshot() {
      const now = o.now();
      const day = dayOf(now);
      await read(day);
      const counts = seen?.day === day ? seen.counts : {};
      const used = Object.fromEntries(quotaPurposes.map((p) => [p, counts[p] ?? 0])) as Record<QuotaPurpose, number>;
      const total = totalOf(counts);
      const left = Math.max(0, o.dailyQuota - total);
      const exhausted = isExhausted(counts);
      const dayStart = Date.parse(`${day}T00:00:00Z`);
      // The first hour's pace says little: a few early lookups would project thousands.
      const elapsed = Math.max(now - dayStart, dayMs / 24);
      return {
        day,
        limit: o.dailyQuota,
        reserve: o.reserve,
        used,
        total,
        left,
        backgroundStopped: exhausted || left <= o.reserve,
        exhaustedUntil: exhausted ? midnightAfter(day) : null,
        projectedAtMidnight: Math.round((total * dayMs) / elapsed),
      };
    },
  };
}
