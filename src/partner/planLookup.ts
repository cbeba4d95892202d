import type { Keyv } from 'keyv';
import type { ConstantContactClient } from './constantContact.ts';
import { NotConfiguredError } from './errors.ts';
import { isForPeople, type QuotaPurpose } from './quota.ts';
import type { BillingPlan } from '../billing/plan.ts';

export interface PlanResult {
  plan: BillingPlan;
  /** When the plan was read from Constant Contact (epoch ms). */
  fetchedAt: number;
}

export interface PlanLookup {
  /** False for the stand-in planbot uses without partner credentials. */
  readonly configured: boolean;
  /**
   * `fresh`: skip the cache (a digest reports the account as it is now), but still share a call in
   * flight. `purpose`: what the read is for, for the daily quota (a person's lookup by default).
   */
  get(accountId: string, deadline: number, options?: { fresh?: boolean; purpose?: QuotaPurpose }): Promise<PlanResult>;
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
  /**
   * Where the cache write and `onRead` run: in a quiet moment after the answer (see afterAnswers.ts).
   * Until they have run, lookups of the account (not fresh reads) get the plan just read, for
   * `ttlMs` from the read as the cache would; their failures are the deferrer's to log, not the
   * person's.
   */
  later: (task: () => Promise<void>) => void;
}): PlanLookup {
  const now = o.now ?? Date.now;
  const inFlight = new Map<string, Promise<PlanResult>>();
  /** Plans read whose cache write is still to run (see `later`). */
  const unsaved = new Map<string, PlanResult>();
  const key = (accountId: string) => `cc:plan:${accountId}`;

  return {
    configured: true,
    async get(accountId, deadline, options = {}) {
      if (!options.fresh) {
        // Read a moment ago, and its cache write not run yet: the same answer, without a call.
        const justRead = unsaved.get(accountId);
        if (justRead && now() - justRead.fetchedAt < o.ttlMs) return justRead;
        const cached = await o.cache.get<PlanResult>(key(accountId));
        if (cached) return cached;
      }
      const purpose = options.purpose ?? 'lookup';
      // People's reads and background reads share calls only among themselves: a background read
      // refused at the quota's reserve must not turn a person's lookup away with it.
      const flight = `${isForPeople(purpose) ? 'people' : 'background'}:${accountId}`;
      let pending = inFlight.get(flight);
      if (!pending) {
        pending = (async () => {
          const plan = await o.client.getPlan(accountId, deadline, purpose);
          const result = { plan, fetchedAt: now() };
          unsaved.set(accountId, result);
          o.later(async () => {
            try {
              // The read is shown for ttlMs from when it was read, however late this write runs.
              const left = o.ttlMs - (now() - result.fetchedAt);
              if (left > 0) await o.cache.set(key(accountId), result, left);
              o.onRead?.(accountId, result);
            } finally {
              if (unsaved.get(accountId) === result) unsaved.delete(accountId);
            }
          });
          return result;
        })().finally(() => inFlight.delete(flight));
        inFlight.set(flight, pending);
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
