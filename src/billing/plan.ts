/** A usage tier of a Constant Contact billing plan, as far as the API told us (null = not given). */
export interface PlanTier {
  usageType: string | null;
  level: number | null;
  min: number | null;
  max: number | null;
  usage: number | null;
  /** Monthly price of the tier. */
  price: number | null;
  currency: string | null;
}

/** A client account's billing plan, parsed defensively from the partner API. */
export interface BillingPlan {
  planType: string | null;
  billingStatus: string | null;
  /** 1–31, or null (trials). */
  billingDayOfMonth: number | null;
  tiers: PlanTier[];
}
