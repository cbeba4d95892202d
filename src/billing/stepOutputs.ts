import type { Forecast } from './forecast.ts';
import { nextBillingDate } from './nextBillingDate.ts';
import type { BillingPlan, PlanTier } from './plan.ts';
import { isBilled, knownStatus, planTypeName } from './planLabels.ts';
import { usageShare } from './usage.ts';

/**
 * The facts the Workflow Builder step `get_billing_plan` gives a workflow, as JSON values: numbers
 * are numbers, a date is `YYYY-MM-DD`. A fact the plan does not have is absent, never null, empty
 * or zero (Slack leaves an optional output with no value unset). The step's `summary` is words, so
 * blocks/ writes it.
 */
export interface StepOutputs {
  /** The plan code exactly as Constant Contact sent it (`BETTER`). */
  plan_type?: string;
  /** Its name for people (`Email Plus`); a code planbot does not know, as it came. */
  plan_name?: string;
  /** Trial, Open, Canceled or Trial End (`cancelled` and `trial_end` read as those); any other value as it came. */
  billing_status?: string;
  /** 1–31; trials have none. */
  billing_day?: number;
  /** The next billing date (UTC), for paying accounts with a billing day. */
  next_billing_date?: string;
  /** The sum of the tiers' monthly prices in `currency` (tiers in other currencies are not added in). */
  monthly_price?: number;
  /** The currency of the first tier with a price; absent when that tier gave none. */
  currency?: string;
  /** The fullest tier: its usage as a percent of its maximum (98.5), over 100 when past it. */
  usage_percent?: number;
  /**
   * The usage forecast's trend for the fullest tier counted in contacts (else the fullest tier):
   * usage gained (negative: lost) per day, two decimals; absent when no line could be drawn.
   */
  usage_trend_per_day?: number;
  /** `YYYY-MM-DD`: the day that tier's usage passes its maximum at this pace, when the forecast gives one. */
  tier_max_reached_on?: string;
}

/** Each output's type as the manifest declares it; every one of them may be absent. */
export const stepOutputTypes = {
  plan_type: 'string',
  plan_name: 'string',
  billing_status: 'string',
  billing_day: 'integer',
  next_billing_date: 'string',
  monthly_price: 'number',
  currency: 'string',
  usage_percent: 'number',
  usage_trend_per_day: 'number',
  tier_max_reached_on: 'string',
} as const satisfies Record<keyof StepOutputs, 'string' | 'integer' | 'number'>;

/** One currency's monthly total. */
export interface MonthlyTotal {
  /** Upper-cased code, or null for tiers that gave no currency. */
  currency: string | null;
  amount: number;
}

/** Rounds to `places` decimals; a number too large to scale is already whole, and stays as it is. */
function round(n: number, places: number): number {
  const scale = 10 ** places;
  const rounded = Math.round(n * scale) / scale;
  return Number.isFinite(rounded) ? rounded : n;
}

/**
 * The tiers' monthly prices summed per currency, in the order the currencies first appear (tiers
 * with no price are skipped). Amounts in different currencies are never added together.
 */
export function monthlyTotals(tiers: PlanTier[]): MonthlyTotal[] {
  const totals = new Map<string, number>();
  for (const t of tiers) {
    if (t.price === null) continue;
    const code = t.currency?.trim().toUpperCase() ?? '';
    totals.set(code, (totals.get(code) ?? 0) + t.price);
  }
  // Float sums leave dust (20.1 + 5.2 = 25.299999999999997); six places keep every currency's minor units.
  return [...totals].map(([code, amount]) => ({ currency: code || null, amount: round(amount, 6) }));
}

/** The largest share of a tier's maximum in use, as a percent with two decimals; undefined when no tier has one. */
export function largestUsagePercent(tiers: PlanTier[]): number | undefined {
  let largest: number | undefined;
  for (const t of tiers) {
    const share = usageShare(t.usage, t.max);
    if (share !== null && (largest === undefined || share > largest)) largest = share;
  }
  return largest === undefined ? undefined : round(largest * 100, 2);
}

/** The usage type the forecast follows best: the index walks' subscriber counts measure it too. */
const countsContacts = (usageType: string | null) => usageType?.trim().toUpperCase() === 'CONTACTS';

/**
 * The index of the tier the trend outputs describe: the fullest tier counted in contacts, else the
 * fullest tier (a tier with no maximum counts as emptiest); undefined with no tier.
 */
export function trendTierIndex(tiers: PlanTier[]): number | undefined {
  const indexes = tiers.map((_, i) => i);
  const contacts = indexes.filter((i) => countsContacts((tiers[i] as PlanTier).usageType));
  let best: number | undefined;
  let bestShare = -1;
  for (const i of contacts.length > 0 ? contacts : indexes) {
    const t = tiers[i] as PlanTier;
    const share = usageShare(t.usage, t.max) ?? -1;
    if (best === undefined || share > bestShare) {
      best = i;
      bestShare = share;
    }
  }
  return best;
}

/** The trend outputs of one tier's forecast. */
function trendOutputs(forecast: Forecast): Pick<StepOutputs, 'usage_trend_per_day' | 'tier_max_reached_on'> {
  const outputs: Pick<StepOutputs, 'usage_trend_per_day' | 'tier_max_reached_on'> = {};
  const perDay = forecast.trendPerDay;
  // `+ 0` turns a -0 (a tiny fall rounded away) into 0.
  if (perDay !== undefined && Number.isFinite(perDay)) outputs.usage_trend_per_day = round(perDay, 2) + 0;
  if ((forecast.kind === 'likely_up' || forecast.kind === 'growing') && forecast.reachesMaxOn !== null)
    outputs.tier_max_reached_on = forecast.reachesMaxOn;
  return outputs;
}

/** `YYYY-MM-DD` of a UTC date. */
const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** Text from the API with something in it, or undefined. */
const given = (text: string | null) => (text !== null && text.trim() !== '' ? text : undefined);

/**
 * What the step outputs for this plan, read `today` (the next billing date counts from it).
 * `forecasts`: each tier's usage forecast in the plan's order, when the history could be read.
 */
export function stepOutputs(plan: BillingPlan, today: Date, forecasts?: readonly Forecast[]): StepOutputs {
  const outputs: StepOutputs = {};
  const planType = given(plan.planType);
  if (planType !== undefined) {
    outputs.plan_type = planType;
    outputs.plan_name = planTypeName(planType) ?? planType.trim();
  }
  const status = given(plan.billingStatus);
  if (status !== undefined) outputs.billing_status = knownStatus(status) ?? status.trim();
  if (plan.billingDayOfMonth !== null) {
    outputs.billing_day = plan.billingDayOfMonth;
    if (isBilled(plan.billingStatus))
      outputs.next_billing_date = isoDate(nextBillingDate(plan.billingDayOfMonth, today));
  }
  const [first] = monthlyTotals(plan.tiers);
  // An amount too large for a number (a sum past 1.8e308) is no price a workflow can use.
  if (first && Number.isFinite(first.amount)) {
    outputs.monthly_price = first.amount;
    if (first.currency !== null) outputs.currency = first.currency;
  }
  const usage = largestUsagePercent(plan.tiers);
  if (usage !== undefined) outputs.usage_percent = usage;
  const at = trendTierIndex(plan.tiers);
  const forecast = at === undefined ? undefined : forecasts?.[at];
  if (forecast) Object.assign(outputs, trendOutputs(forecast));
  return outputs;
}
