import type { Keyv } from 'keyv';
import type { ConstantContactClient } from './constantContact.ts';
import { NotConfiguredError } from './errors.ts';
import type { BillingPlan } from '../billing/plan.ts';

export interface PlanResult {
  plan: BillingPlan;
  /** When the plan was read from Constant Contact (epoch ms). */
  fetchedAt: number;
}

export interface PlanLookup {
  /** False for the stand-in planbot uses without partner credentials. */
  readonly configured: boolean;
  /** `fresh`: skip the cache (a digest reports the account as it is now), but still share a call in flight. */
  get(accountId: string, deadline: number, options?: { fresh?: boolean }): Promise<PlanResult>;
}

/**
 * Lookups of one account at the same moment share one upstream call, and for `ttlMs` afterwards
 * they read the cached answer: people ask twice, and Share re-reads the card it shares.
 */
export function createPlanLookup(o: {
  client: ConstantContactClient;
  cache: Keyv;
  ttlMs: number;
  now?: () => number;
  /** Told of every plan read from Constant Contact (not of cache hits): alerts compare with it. */
  onRead?: (accountId: string, result: PlanResult) => void;
}): PlanLookup {
  const now = o.now ?? Date.now;
  const inFlight = new Map<string, Promise<PlanResult>>();
  const key = (accountId: string) => `cc:plan:${accountId}`;

  return {
    configured: true,
    async get(accountId, deadline, options = {}) {
      if (!options.fresh) {
        const cached = await o.cache.get<PlanResult>(key(accountId));
        if (cached) return cached;
      }
      let pending = inFlight.get(accountId);
      if (!pending) {
        pending = (async () => {
          const plan = await o.client.getPlan(accountId, deadline);
          const result = { plan, fetchedAt: now() };
          await o.cache.set(key(accountId), result, o.ttlMs);
          o.onRead?.(accountId, result);
          return result;
        })().finally(() => inFlight.delete(accountId));
        inFlight.set(accountId, pending);
      }
      return pending;
    },
  };
}

/** Without partner credentials: nothing can be looked up, and every caller says planbot isn't set up. */
export const unconfiguredPlanLookup: PlanLookup = {
  configured: false,
  async get() {
    throw new NotConfiguredError('Constant Contact partner credentials are not set');
  },
};
