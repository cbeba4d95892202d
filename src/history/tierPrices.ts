import type { BillingPlan, PlanTier } from '../billing/plan.ts';
import type { DurableKv } from '../store/createStore.ts';

/** A tier as some account's plan read showed it: what "likely to bill at tier 4 (about $85.00)" quotes. */
export interface KnownTier {
  level: number;
  min: number | null;
  max: number | null;
  price: number;
  currency: string | null;
  /** When it was read (epoch ms). */
  at: number;
}

/**
 * The tiers planbot has seen, by plan type, usage type and level, from every plan read of any
 * account: the price of the tier above an account's is known once any account on the same plan was
 * read at that tier. It makes no request of its own. A lost entry (a cache view, memory while
 * Redis is away) only means the card says the price is not known.
 */
export interface TierPriceBook {
  /** Remembers the priced tiers of a plan read at `at`. */
  record(plan: BillingPlan, at: number): Promise<void>;
  /** The tier one level above `tier` on the same plan, as last seen; undefined when never seen. */
  next(planType: string | null, tier: Pick<PlanTier, 'usageType' | 'level'>): Promise<KnownTier | undefined>;
}

const norm = (text: string | null) => text?.trim().toUpperCase() ?? '';
const keyOf = (planType: string | null, usageType: string | null, level: number) =>
  `tier:${norm(planType)}|${norm(usageType)}|${level}`;

export function createTierPriceBook(kv: DurableKv): TierPriceBook {
  // What this replica last wrote or read per key, so a repeated read of the same plan writes nothing.
  const seen = new Map<string, string>();
  const fingerprint = (t: KnownTier) => JSON.stringify([t.min, t.max, t.price, t.currency]);

  return {
    async record(plan, at) {
      for (const tier of plan.tiers) {
        if (tier.level === null || !Number.isInteger(tier.level) || tier.price === null) continue;
        const key = keyOf(plan.planType, tier.usageType, tier.level);
        const known: KnownTier = {
          level: tier.level,
          min: tier.min,
          max: tier.max,
          price: tier.price,
          currency: tier.currency,
          at,
        };
        const print = fingerprint(known);
        if (seen.get(key) === print) continue;
        // The key space is plan types × usage types × levels: a few hundred at most.
        if (seen.size > 10_000) seen.clear();
        seen.set(key, print);
        await kv.set(key, known);
      }
    },
    async next(planType, tier) {
      if (tier.level === null || !Number.isInteger(tier.level)) return undefined;
      return kv.get<KnownTier>(keyOf(planType, tier.usageType, tier.level + 1));
    },
  };
}
