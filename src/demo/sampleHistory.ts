import { sampleAccounts, sampleDirectory } from './samplePartnerApi.ts';

/** Days of sample history demo mode writes: the days before today, this many. */
export const sampleHistoryDays = 60;

/** One sample day of an account: what a walk and a plan read would have seen. */
export interface SampleDay {
  /** UTC day number (days since 1970-01-01). */
  day: number;
  subscriberCount: number;
  billingStatus: string | null;
  /** The sample plan as the API would have answered that day: its contacts usage moved to the day's count. */
  plan: Record<string, unknown>;
}

interface SamplePath {
  /** Contacts gained a day (negative: lost). */
  perDay: number;
  /** Largest day-to-day jitter around the line, in contacts. */
  jitter: number;
  /** Days of history: a trial is younger than the rest. */
  days: number;
}

/**
 * How each sample account's contacts moved to where the sample API has them today. Each path is
 * measured back from today, so every forecast comes out the same whatever the date:
 *
 * - `demo-plus` went past its tier's maximum (2,500) a few days ago and still rises: already over
 *   and rising, it is likely to bill a tier up on every day of the month, its billing day included
 *   (a line still short of the maximum would read "growing" on the days just before billing).
 * - `demo-email` gains 2 a day: it passes 500 about 80 days from now, after any next billing date,
 *   so it is growing.
 * - `demo-gold` loses 25 a day, about 8% a month: shrinking.
 */
const paths: Record<string, SamplePath> = {
  'demo-email': { perDay: 2, jitter: 1, days: sampleHistoryDays },
  'demo-plus': { perDay: 9, jitter: 3, days: sampleHistoryDays },
  'demo-gold': { perDay: -25, jitter: 6, days: sampleHistoryDays },
  'demo-trial': { perDay: 1.5, jitter: 1, days: 14 },
  'demo-ended': { perDay: 0, jitter: 0, days: sampleHistoryDays },
  'demo-canceled': { perDay: -1, jitter: 1, days: sampleHistoryDays },
};

/** A fixed, repeating wobble (−1…1), so the lines look read from life but never turn noisy. */
const wobble = [0, 0.6, -0.4, 1, -0.8, 0.2, -1, 0.4, -0.2, 0.8];

const contactsTier = (tier: Record<string, unknown>) => tier.usage_type === 'CONTACTS';

/**
 * Each sample account's days before `today` (a UTC day number), oldest first, ending where the
 * sample API's numbers are today, so today's live walks and reads carry each line on. Pure.
 */
export function sampleHistory(today: number): Array<{ accountId: string; days: SampleDay[] }> {
  return sampleDirectory.flatMap((entry) => {
    const accountId = entry.encoded_account_id as string;
    const path = paths[accountId];
    const plan = sampleAccounts[accountId] as Record<string, unknown> | undefined;
    if (!path || !plan) return [];
    const now = entry.subscriber_count as number;
    const days: SampleDay[] = [];
    for (let back = path.days; back >= 1; back--) {
      const jitter = Math.round((wobble[back % wobble.length] as number) * path.jitter);
      const count = Math.max(0, Math.round(now - path.perDay * back) + jitter);
      const tiers = (plan.current_tiers as Array<Record<string, unknown>>).map((t) =>
        contactsTier(t) ? { ...t, current_usage: count } : t,
      );
      days.push({
        day: today - back,
        subscriberCount: count,
        billingStatus: entry.billing_status as string | null,
        plan: { ...plan, current_tiers: tiers },
      });
    }
    return [{ accountId, days }];
  });
}
