import { daysUntil, nextBillingDate } from './nextBillingDate.ts';
import { knownStatus } from './planLabels.ts';

/** One day's usage: a tier's usage from a plan read, or the subscriber count from an account-index walk. */
export interface UsagePoint {
  /** `YYYY-MM-DD`, a UTC day. */
  day: string;
  usage: number;
}

/** The tier whose maximum the forecast watches, as the plan read gave it (null = not given). */
export interface ForecastTier {
  level: number | null;
  min: number | null;
  /** The last count still in the tier: the tier is left at `max + 1` (tier 1 = 0–500, tier 2 from 501). */
  max: number | null;
}

/** The knobs; each default is the one documented in docs/usage.md ("The usage forecast"). */
export interface ForecastOptions {
  /** Days of points the line is drawn through, today included. */
  windowDays?: number;
  /** Fewest points (days) in the window for any trend. */
  minPoints?: number;
  /** Below this R², a line that moves is too scattered to trust. */
  minR2?: number;
  /** Flat: the line moves less than this share of the usage (or of the tier's width, if smaller) per window. */
  flatShare?: number;
  /** Shrinking: the line falls by more than this share of usage per window. */
  shrinkShare?: number;
  /** A crossing further away than this many days is no date anyone should plan on. */
  horizonDays?: number;
}

export const forecastDefaults = {
  windowDays: 30,
  minPoints: 7,
  minR2: 0.5,
  flatShare: 0.02,
  shrinkShare: 0.05,
  horizonDays: 365,
} as const satisfies Required<ForecastOptions>;

export interface ForecastInput extends ForecastOptions {
  points: readonly UsagePoint[];
  tier: ForecastTier;
  billingStatus: string | null;
  billingDayOfMonth: number | null;
  /** The forecast's "now"; only its UTC day counts. */
  today: Date;
}

/** Why there is no forecast. */
export type NoForecastReason =
  /** A trial pays nothing, so there is no tier to move up to. */
  | 'trial'
  | 'cancelled'
  /** Not paying for another reason (a trial that ended). */
  | 'not_billed'
  /** Fewer than `minPoints` days in the window. */
  | 'too_few_points'
  /** The line barely moves and the days stay close to it. */
  | 'flat'
  /** The days scatter too much around the line for its direction to mean anything. */
  | 'noisy'
  /** Rising, but the tier has no maximum to reach (a top tier). */
  | 'no_tier_max'
  /** Rising (or past the maximum), but the account has no usable billing day to compare with. */
  | 'no_billing_day';

/** Facts every outcome carries, so a card can show "+140 in 30 days" with or without a forecast. */
interface Common {
  /** Points (distinct days) in the window. */
  points: number;
  /** Last point minus first point in the window; undefined with fewer than two. */
  change30: number | undefined;
}

/** The fitted line, for outcomes that have one. */
interface Trend extends Common {
  /** The line's slope: usage per day (negative when falling). */
  trendPerDay: number;
  /** How well the line fits, 0–1 (1 for a series that does not vary at all). */
  r2: number;
}

export type Forecast =
  | (Trend & {
      /** At this pace the tier's maximum is passed on or before the next billing date. */
      kind: 'likely_up';
      /** The tier's maximum; the account moves up at `max + 1`. */
      max: number;
      /**
       * `YYYY-MM-DD`: the day the line first passes `max`, never before today; or, when the usage is
       * already past it, the first day of the latest run of days past it.
       */
      reachesMaxOn: string;
      /** The last point is already past the maximum (and the line keeps it there until billing). */
      alreadyOver: boolean;
      /** `YYYY-MM-DD`. */
      nextBillingDate: string;
      daysToBilling: number;
      /** The line's usage on the next billing date. */
      projectedAtBilling: number;
      /** The tier it would bill at (at least): `level + 1`, or null when the level is unknown. */
      nextLevel: number | null;
    })
  | (Trend & {
      /** Rising, but the maximum is passed only after the next billing date. */
      kind: 'growing';
      max: number;
      /** `YYYY-MM-DD`; null when further than `horizonDays` away. */
      reachesMaxOn: string | null;
      nextBillingDate: string;
      daysToBilling: number;
      projectedAtBilling: number;
    })
  | (Trend & {
      /** Falling by more than `shrinkShare` over the window. */
      kind: 'shrinking';
      /** The share the line falls over the window (0.12 = 12%), of its value at the window's start. */
      fallShare: number;
    })
  | (Trend & {
      /** Falling, but by no more than `shrinkShare`: nothing to flag. */
      kind: 'steady';
      fallShare: number;
    })
  | (Common & {
      kind: 'none';
      why: NoForecastReason;
      /** Present once a line was drawn (flat, noisy, no_tier_max, no_billing_day). */
      trendPerDay: number | undefined;
      r2: number | undefined;
    });

const DAY_MS = 86_400_000;

/** Days already parsed: a radar over a whole book of accounts sees the same few dozen days again and again. */
const parsedDays = new Map<string, number | undefined>();

/** Day number (days since 1970-01-01 UTC) of a `YYYY-MM-DD` day, or undefined for anything else. */
function dayNumber(day: string): number | undefined {
  if (parsedDays.has(day)) return parsedDays.get(day);
  const n = parseDay(day);
  if (parsedDays.size >= 4_096) parsedDays.clear();
  parsedDays.set(day, n);
  return n;
}

function parseDay(day: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March; the round trip catches it.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) return undefined;
  return ms / DAY_MS;
}

const isoDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const todayNumber = (today: Date) => Math.floor(today.getTime() / DAY_MS);

interface DayPoint {
  x: number;
  y: number;
}

/**
 * The window's points, oldest first, one per day: days from `today − windowDays + 1` to `today`.
 * Malformed days and non-finite usage are dropped; of two points for one day the later one in the
 * list wins (it is the later reading).
 */
function windowPoints(points: readonly UsagePoint[], today: Date, windowDays: number): DayPoint[] {
  const last = todayNumber(today);
  const first = last - windowDays + 1;
  const byDay = new Map<number, number>();
  for (const p of points) {
    const x = dayNumber(p.day);
    if (x === undefined || x < first || x > last || !Number.isFinite(p.usage)) continue;
    byDay.set(x, p.usage);
  }
  return [...byDay].map(([x, y]) => ({ x, y })).sort((a, b) => a.x - b.x);
}

/**
 * The usage of each of the last `days` days, oldest first and ending today; null for a day with no
 * point. This is what the sparkline draws.
 */
export function dailyUsage(
  points: readonly UsagePoint[],
  today: Date,
  days = forecastDefaults.windowDays,
): (number | null)[] {
  const values: (number | null)[] = Array.from({ length: Math.max(0, days) }, () => null);
  const first = todayNumber(today) - days + 1;
  for (const p of windowPoints(points, today, days)) values[p.x - first] = p.y;
  return values;
}

function changeOf(pts: readonly DayPoint[]): number | undefined {
  const first = pts[0];
  const last = pts.at(-1);
  return first && last && pts.length >= 2 ? last.y - first.y : undefined;
}

/**
 * Usage on the last day with a point minus usage on the first, within the last `days` days ending
 * today ("+140 in 30 days"); undefined with fewer than two points.
 */
export function change30(
  points: readonly UsagePoint[],
  today: Date,
  days = forecastDefaults.windowDays,
): number | undefined {
  return changeOf(windowPoints(points, today, days));
}

interface Fit {
  slope: number;
  r2: number;
  /** Root mean square distance of the points from the line. */
  rms: number;
}

/** Least-squares line through the points (at least two distinct days). */
function fitLine(pts: readonly DayPoint[]): Fit {
  const n = pts.length;
  // Centred sums: usage in the millions would lose digits in the textbook Σxy − n·x̄·ȳ form.
  const mx = pts.reduce((s, p) => s + p.x, 0) / n;
  const my = pts.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of pts) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  const slope = sxy / sxx;
  // Residuals summed directly: syy − slope·sxy cancels badly when usage is in the millions.
  let ssRes = 0;
  for (const p of pts) ssRes += (p.y - my - slope * (p.x - mx)) ** 2;
  // A series that never varies is fitted perfectly; R² would be 0/0.
  const r2 = syy === 0 ? 1 : Math.min(1, Math.max(0, 1 - ssRes / syy));
  return { slope, r2, rms: Math.sqrt(ssRes / n) };
}

/** A billing day the helper can use (1–31), or null. */
const usableBillingDay = (day: number | null) =>
  day !== null && Number.isInteger(day) && day >= 1 && day <= 31 ? day : null;

const finiteOrNull = (n: number | null) => (n !== null && Number.isFinite(n) ? n : null);

/**
 * The usage forecast for one tier: a straight least-squares line through the last `windowDays` days
 * of points, continued from the last point, compared with the tier's maximum and the next billing
 * date. Pure: `today` is the only clock.
 */
export function forecastUsage(input: ForecastInput): Forecast {
  const o = { ...forecastDefaults, ...definedOnly(input) };
  const pts = windowPoints(input.points, input.today, o.windowDays);
  const common: Common = { points: pts.length, change30: changeOf(pts) };
  const none = (why: NoForecastReason, fit?: Fit): Forecast => ({
    kind: 'none',
    why,
    ...common,
    trendPerDay: fit?.slope,
    r2: fit?.r2,
  });

  // No tier change to forecast for an account that does not pay.
  const status = knownStatus(input.billingStatus);
  if (status === 'Trial') return none('trial');
  if (status === 'Canceled') return none('cancelled');
  if (status !== undefined && status !== 'Open') return none('not_billed');

  const lastPoint = pts.at(-1);
  if (pts.length < Math.max(2, o.minPoints) || lastPoint === undefined) return none('too_few_points');

  const fit = fitLine(pts);
  const trend = { ...common, trendPerDay: fit.slope, r2: fit.r2 };
  const last = lastPoint.y;
  const max = finiteOrNull(input.tier.max);
  const min = finiteOrNull(input.tier.min);

  // "Flat" is measured against the usage, or the tier's width when that is smaller, so a small
  // account's real change is not lost against a wide tier; never under one contact.
  const width = max !== null && min !== null && max > min ? max - min : Infinity;
  const flatLimit = Math.max(1, o.flatShare * Math.min(Math.abs(last), width));
  const movement = Math.abs(fit.slope) * o.windowDays;
  const flat = movement < flatLimit && fit.rms < flatLimit;
  if (!flat && (fit.r2 < o.minR2 || movement < flatLimit)) return none('noisy', fit);

  const billingDay = usableBillingDay(input.billingDayOfMonth);
  const billing = billingDay === null ? null : nextBillingDate(billingDay, input.today);
  const billingX = billing === null ? null : todayNumber(billing);
  const atBilling = (x: number) => last + fit.slope * (x - lastPoint.x);
  const billingFacts = (x: number, date: Date) => ({
    nextBillingDate: isoDay(x),
    daysToBilling: daysUntil(date, input.today),
    projectedAtBilling: atBilling(x),
  });
  const nextLevel = input.tier.level === null ? null : input.tier.level + 1;

  // The first whole count past the maximum: 500 is still tier 1, 501 is tier 2.
  const above = max === null ? null : Math.floor(max) + 1;

  // Already past the maximum: whatever the shape, what matters is whether it is still past it at billing.
  if (max !== null && above !== null && last >= above) {
    if (billing === null || billingX === null) return none('no_billing_day', fit);
    if (atBilling(billingX) >= above) {
      // The latest run of days past the maximum started here.
      let since = lastPoint;
      for (const p of pts.toReversed()) {
        if (p.y < above) break;
        since = p;
      }
      return {
        kind: 'likely_up',
        ...trend,
        max,
        reachesMaxOn: isoDay(since.x),
        alreadyOver: true,
        ...billingFacts(billingX, billing),
        nextLevel,
      };
    }
  }

  if (flat) return none('flat', fit);

  if (fit.slope < 0) {
    const fall = -fit.slope * o.windowDays;
    // Share of the line's value at the window's start (the line is anchored at the last point).
    const start = last + fall;
    const fallShare = start > 0 ? fall / start : 0;
    return { kind: fallShare > o.shrinkShare ? 'shrinking' : 'steady', ...trend, fallShare };
  }

  if (max === null || above === null) return none('no_tier_max', fit);
  if (billing === null || billingX === null) return none('no_billing_day', fit);

  // First whole day on which the line, continued from the last point, passes the maximum. The
  // epsilon keeps float dust (100.00000000001 days) from pushing the day one later.
  const days = Math.max(1, Math.ceil((above - last) / fit.slope - 1e-9));
  const reachX = Math.max(lastPoint.x + days, todayNumber(input.today));
  if (reachX <= billingX) {
    return {
      kind: 'likely_up',
      ...trend,
      max,
      reachesMaxOn: isoDay(reachX),
      alreadyOver: false,
      ...billingFacts(billingX, billing),
      nextLevel,
    };
  }
  const withinHorizon = reachX - todayNumber(input.today) <= o.horizonDays;
  return {
    kind: 'growing',
    ...trend,
    max,
    reachesMaxOn: withinHorizon ? isoDay(reachX) : null,
    ...billingFacts(billingX, billing),
  };
}

/** The options actually given: an `undefined` knob keeps its default instead of erasing it. */
function definedOnly(input: ForecastInput): ForecastOptions {
  const given: ForecastOptions = {};
  for (const key of Object.keys(forecastDefaults) as (keyof ForecastOptions)[]) {
    const value = input[key];
    if (value !== undefined) given[key] = value;
  }
  return given;
}
