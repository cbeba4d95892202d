import type { BillingPlan, PlanTier } from '../billing/plan.ts';
import type { UpstreamFailure } from '../partner/errors.ts';
import type { AccountChange } from './changes.ts';
import type { LikelyUpTier } from './tierOutlook.ts';

/** One watched account as a digest saw it. */
export interface DigestAccount {
  accountId: string;
  plan?: BillingPlan;
  failure?: UpstreamFailure | 'internal';
  changes: AccountChange[];
  billingSoon?: { date: Date; inDays: number };
  nearLimit: Array<{ tier: PlanTier; share: number }>;
  /** Tiers the account's usage history says are likely to bill one tier up; absent when not known. */
  likelyUp?: LikelyUpTier[];
}

export interface DigestInput {
  accounts: DigestAccount[];
  /** The channel's first digest: there is nothing to compare with yet. */
  first: boolean;
  now: Date;
  sample: boolean;
}
