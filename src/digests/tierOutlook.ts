import type { Forecast } from '../billing/forecast.ts';
import type { BillingPlan, PlanTier } from '../billing/plan.ts';
import type { HistoryStore } from '../history/historyStore.ts';
import type { KnownTier, TierPriceBook } from '../history/tierPrices.ts';
import { planTrends } from '../history/trends.ts';

export type LikelyUpForecast = Extract<Forecast, { kind: 'likely_up' }>;

/** A tier of a watched account likely to bill one tier up at its next billing. */
export interface LikelyUpTier {
  tier: PlanTier;
  forecast: LikelyUpForecast;
  /** The tier above as some account's plan read showed it; undefined when planbot has not seen it. */
  nextTier: KnownTier | undefined;
}

export type TierOutlook =
  | { ok: true; likelyUp: LikelyUpTier[] }
  /** The history (or the price book) did not answer in time, or failed: the account is left out. */
  | { ok: false; why: 'timeout' | 'failed'; error?: unknown };

/** The tiers of a plan just read (at `at`, epoch ms) that its history says are likely to move up. Never rejects. */
export type DigestOutlook = (accountId: string, plan: BillingPlan, at: number) => Promise<TierOutlook>;

/** What one account's reads may take before the digest goes on without its outlook. */
export const outlookTimeoutMs = 150;

export function createDigestOutlook(deps: {
  history: Pick<HistoryStore, 'history'>;
  tierPrices: Pick<TierPriceBook, 'next'>;
  timeoutMs?: number;
}): DigestOutlook {
  const timeoutMs = deps.timeoutMs ?? outlookTimeoutMs;

  async function likelyUp(accountId: string, plan: BillingPlan, at: number): Promise<LikelyUpTier[]> {
    const trends = planTrends(await deps.history.history(accountId), plan, at);
    const likely = plan.tiers.flatMap((tier, i) => {
      const forecast = trends[i]?.forecast;
      return forecast?.kind === 'likely_up' ? [{ tier, forecast }] : [];
    });
    // A price the book cannot give is only a price the line says is not known.
    return Promise.all(
      likely.map(async (l) => ({
        ...l,
        nextTier: await deps.tierPrices.next(plan.planType, l.tier).catch(() => undefined),
      })),
    );
  }

  return (accountId, plan, at) =>
    new Promise<TierOutlook>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, why: 'timeout' }), timeoutMs);
      likelyUp(accountId, plan, at)
        .then(
          (tiers) => resolve({ ok: true, likelyUp: tiers }),
          (error: unknown) => resolve({ ok: false, why: 'failed', error }),
        )
        .finally(() => clearTimeout(timer));
    });
}
