import type { PartnerAccount } from '../billing/account.ts';
import { type Forecast, forecastUsage } from '../billing/forecast.ts';
import { nextBillingDate } from '../billing/nextBillingDate.ts';
import type { PlanTier } from '../billing/plan.ts';
import type { AccountHistory } from './historyStore.ts';
import { isoDay, utcDay } from './series.ts';
import { contactsTier, latestPlan, tierUsagePoints } from './trends.ts';

/** One account as the radar sees it: its latest facts and where its contacts are heading. */
export interface AccountOutlook {
  account: PartnerAccount;
  /** The latest contacts count planbot has (plan read or index walk), and its day (`YYYY-MM-DD`). */
  usage: number | null;
  usageOn: string | null;
  /** The contacts tier of the latest plan read; undefined when planbot never read the plan. */
  tier: PlanTier | undefined;
  planType: string | null;
  billingDay: number | null;
  /** `YYYY-MM-DD` of the latest plan read, or null. */
  readOn: string | null;
  forecast: Forecast;
}

/** What the radar lists: up to `limit` accounts of each kind. */
export interface Radar {
  /** Likely to pass their tier's maximum by their next billing date, soonest first. */
  likelyUp: AccountOutlook[];
  /** Rising but not by billing (or with no tier or billing day known yet), fastest growth first. */
  growing: AccountOutlook[];
  /** Falling by more than the threshold, steepest first. */
  shrinking: AccountOutlook[];
  /** Accounts looked at, and how many of them had enough history for any trend. */
  accounts: number;
  withTrend: number;
  /**
   * Rising accounts whose plan planbot never read, read `staleDays` ago or more, or read before a
   * billing date since: their plan reads would sharpen the forecast. Most promising first.
   */
  needsRead: string[];
  /** `YYYY-MM-DD` the radar was drawn for. */
  day: string;
}

export interface RadarOptions {
  /** Accounts shown per list. Default 10. */
  limit?: number;
  /** A plan read older than this many days no longer counts as knowing the tier. Default 30. */
  staleDays?: number;
}

/** Rising: a trend that goes up and is not flat or noise. */
export function isRising(f: Forecast): boolean {
  if (f.kind === 'likely_up' || f.kind === 'growing') return true;
  return f.kind === 'none' && (f.why === 'no_tier_max' || f.why === 'no_billing_day') && (f.trendPerDay ?? 0) > 0;
}

/** The share the contacts grow in 30 days at the trend's pace (0.12 = 12%). */
export function growthShare(o: AccountOutlook): number {
  const perDay = o.forecast.trendPerDay ?? 0;
  return o.usage !== null && o.usage > 0 ? (perDay * 30) / o.usage : perDay > 0 ? Infinity : 0;
}

/** One account's outlook from its history: the contacts tier, usage and forecast as of `now` (epoch ms). */
export function outlookOf(account: PartnerAccount, history: AccountHistory, now: number): AccountOutlook {
  const today = new Date(now);
  const plan = latestPlan(history);
  const tier = contactsTier(plan);
  const points = tierUsagePoints(history, tier?.usageType ?? 'CONTACTS', utcDay(now));
  const last = points.at(-1);
  const forecast = forecastUsage({
    points,
    tier: { level: tier?.level ?? null, min: tier?.min ?? null, max: tier?.max ?? null },
    billingStatus: account.billingStatus,
    billingDayOfMonth: plan?.billingDay ?? null,
    today,
  });
  return {
    account,
    usage: last?.usage ?? null,
    usageOn: last?.day ?? null,
    tier,
    planType: plan?.planType ?? null,
    billingDay: plan?.billingDay ?? null,
    readOn: plan ? isoDay(plan.day) : null,
    forecast,
  };
}

/** Every account's outlook, in the order of `accounts`: the CSV's rows. */
export async function* outlooks(
  accounts: readonly PartnerAccount[],
  histories: (ids: readonly string[]) => AsyncIterable<AccountHistory>,
  now: number,
): AsyncIterable<AccountOutlook> {
  let i = 0;
  for await (const history of histories(accounts.map((a) => a.id))) {
    const account = accounts[i++] as PartnerAccount;
    yield outlookOf(account, history, now);
  }
}

/**
 * Whether a rising account's plan is worth reading: never read, read `staleDays` ago or more, or
 * billed since the read (the tier may have changed then). A recent read that showed no contacts tier
 * or no billing day is not read again before that: the plan would say the same.
 */
function readIsDue(o: AccountOutlook, staleBefore: number, now: number): boolean {
  if (o.readOn === null) return true;
  const readDay = utcDay(Date.parse(`${o.readOn}T00:00:00Z`));
  if (readDay < staleBefore) return true;
  if (o.billingDay === null || !Number.isInteger(o.billingDay) || o.billingDay < 1 || o.billingDay > 31) return false;
  return nextBillingDate(o.billingDay, new Date((readDay + 1) * dayMs)).getTime() <= now;
}

const dayMs = 86_400_000;

const reachDay = (o: AccountOutlook) => (o.forecast.kind === 'likely_up' ? o.forecast.reachesMaxOn : '');
const fallShare = (o: AccountOutlook) => (o.forecast.kind === 'shrinking' ? o.forecast.fallShare : 0);

/**
 * The radar over every account of the index: each account's outlook from its history, ranked. One
 * pass; only the accounts that make a list are kept, so memory does not grow with the book.
 */
export async function drawRadar(
  accounts: readonly PartnerAccount[],
  histories: (ids: readonly string[]) => AsyncIterable<AccountHistory>,
  now: number,
  options: RadarOptions = {},
): Promise<Radar> {
  const limit = options.limit ?? 10;
  const staleBefore = utcDay(now) - (options.staleDays ?? 30);
  const likelyUp: AccountOutlook[] = [];
  const growing: AccountOutlook[] = [];
  const shrinking: AccountOutlook[] = [];
  const reads: Array<{ id: string; score: number }> = [];
  let withTrend = 0;
  // Keeps the best `limit` of a list: sorted and cut whenever it has grown to four times that.
  const keep = (list: AccountOutlook[], o: AccountOutlook, order: (a: AccountOutlook, b: AccountOutlook) => number) => {
    list.push(o);
    if (list.length >= limit * 4) list.sort(order).splice(limit);
  };
  const soonest = (a: AccountOutlook, b: AccountOutlook) =>
    reachDay(a) < reachDay(b) ? -1 : reachDay(a) > reachDay(b) ? 1 : growthShare(b) - growthShare(a);
  const fastest = (a: AccountOutlook, b: AccountOutlook) =>
    growthShare(b) - growthShare(a) || (b.usage ?? 0) - (a.usage ?? 0);
  const steepest = (a: AccountOutlook, b: AccountOutlook) => fallShare(b) - fallShare(a);

  for await (const o of outlooks(accounts, histories, now)) {
    const f = o.forecast;
    if (f.kind !== 'none' || f.trendPerDay !== undefined) withTrend++;
    if (f.kind === 'likely_up') keep(likelyUp, o, soonest);
    else if (f.kind === 'shrinking') keep(shrinking, o, steepest);
    else if (isRising(f)) keep(growing, o, fastest);
    if (isRising(f) && readIsDue(o, staleBefore, now)) {
      reads.push({ id: o.account.id, score: (f.kind === 'likely_up' ? 1e6 : 0) + Math.min(growthShare(o), 1e5) });
    }
  }
  return {
    likelyUp: likelyUp.sort(soonest).slice(0, limit),
    growing: growing.sort(fastest).slice(0, limit),
    shrinking: shrinking.sort(steepest).slice(0, limit),
    accounts: accounts.length,
    withTrend,
    needsRead: reads.sort((a, b) => b.score - a.score).map((r) => r.id),
    day: isoDay(utcDay(now)),
  };
}
