import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import { type Forecast, forecastDefaults } from '../billing/forecast.ts';
import { formatCount, formatMoney } from '../billing/money.ts';
import type { KnownTier } from '../history/tierPrices.ts';
import type { TierTrend } from '../history/trends.ts';
import { safeText } from '../text/mrkdwn.ts';

dayjs.extend(utc);

/**
 * The lines a plan card adds under a tier from the account's usage history: the 30-day change with
 * its sparkline, and what the forecast says, worded as docs/usage.md ("The usage forecast")
 * describes them. Steady and no-forecast tiers get no sentence: the card stays glanceable, and the
 * reasons are for the docs.
 */

const windowDays = forecastDefaults.windowDays;

/** "Dec 20" for a `YYYY-MM-DD` day; "Jan 3, 2027" when it is not in `now`'s year (UTC). */
export function shortDay(day: string, now: Date): string {
  const date = dayjs.utc(day);
  if (!date.isValid()) return safeText(day, 20);
  return date.format(date.year() === dayjs.utc(now).year() ? 'MMM D' : 'MMM D, YYYY');
}

/** "+140 in 30 days", "−35 in 30 days", "no change in 30 days". */
export function changeText(change: number): string {
  const shown = formatCount(Math.abs(change));
  // Below what formatCount shows (two decimals), a change would read "+0".
  if (shown === '0') return `no change in ${windowDays} days`;
  return `${change > 0 ? '+' : '−'}${shown} in ${windowDays} days`;
}

/**
 * The sparkline in a code span, without the blank days before the first count and after the last
 * (a new account's chart would otherwise open on weeks of nothing, and Slack may not treat a span
 * that starts with a space as code); undefined when no day has a count.
 */
export function sparklineText(sparkline: string): string | undefined {
  const drawn = sparkline.trim().replace(/`/g, '');
  return drawn === '' ? undefined : `\`${drawn}\``;
}

/** "`▁▂▃▅▆▇` +140 in 30 days"; undefined with fewer than two days counted. */
export function trendLine(trend: TierTrend): string | undefined {
  if (trend.change30 === undefined) return undefined;
  const chart = sparklineText(trend.sparkline);
  return chart ? `${chart} ${changeText(trend.change30)}` : changeText(trend.change30);
}

/** "likely to bill at tier 4 (about $85.00 a month)", or that the price is not known. */
function billsAt(nextLevel: number | null, nextTier: KnownTier | undefined): string {
  const tier = nextLevel === null ? 'the next tier' : `tier ${formatCount(nextLevel)}`;
  const price = nextTier
    ? `about ${safeText(formatMoney(nextTier.price, nextTier.currency), 60)} a month`
    : "planbot has not seen that tier's price yet";
  return `likely to bill at ${tier} (${price})`;
}

/** The forecast as one sentence; undefined for steady and no-forecast tiers. */
export function forecastSentence(forecast: Forecast, nextTier: KnownTier | undefined, now: Date): string | undefined {
  switch (forecast.kind) {
    case 'likely_up': {
      const max = formatCount(forecast.max);
      const billing = shortDay(forecast.nextBillingDate, now);
      const bill = billsAt(forecast.nextLevel, nextTier);
      if (forecast.alreadyOver)
        return `Past ${max} since ${shortDay(forecast.reachesMaxOn, now)}; at this pace still past it on the next billing date (${billing}): ${bill}.`;
      // A crossing on the billing day itself counts: Constant Contact bills at the tier reached that day.
      if (forecast.reachesMaxOn === forecast.nextBillingDate)
        return `At this pace reaches ${max} around ${billing}, the next billing date: ${bill}.`;
      return `At this pace reaches ${max} around ${shortDay(forecast.reachesMaxOn, now)}, before the next billing date (${billing}): ${bill}.`;
    }
    case 'growing': {
      const max = formatCount(forecast.max);
      return forecast.reachesMaxOn === null
        ? `Growing: at this pace reaches ${max} more than a year from now.`
        : `At this pace reaches ${max} around ${shortDay(forecast.reachesMaxOn, now)}, after the next billing date.`;
    }
    case 'shrinking':
      return `Down ${Math.round(forecast.fallShare * 100)}% in ${windowDays} days.`;
    case 'steady':
    case 'none':
      return undefined;
  }
}

/** Every line the history adds to a tier, each on its own line; empty when it adds nothing. */
export function tierTrendLines(entry: { trend: TierTrend; nextTier?: KnownTier }, now: Date): string[] {
  const lines = [trendLine(entry.trend), forecastSentence(entry.trend.forecast, entry.nextTier, now)];
  return lines.filter((line): line is string => line !== undefined);
}
