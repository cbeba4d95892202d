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

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Never throws: whatever the API returns becomes a BillingPlan with nulls where it said nothing usable. */
export function parseBillingPlan(body: unknown): BillingPlan {
  const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const day = num(o.billing_day_of_month);
  const tiers = Array.isArray(o.current_tiers) ? o.current_tiers : [];
  return {
    planType: text(o.plan_type),
    billingStatus: text(o.billing_status),
    billingDayOfMonth: day !== null && Number.isInteger(day) && day >= 1 && day <= 31 ? day : null,
    tiers: tiers
      .filter((t): t is Record<string, unknown> => !!t && typeof t === 'object')
      .map((t) => ({
        usageType: text(t.usage_type),
        level: num(t.tier),
        min: num(t.tier_min),
        max: num(t.tier_max),
        usage: num(t.current_usage),
        price: num(t.price),
        currency: text(t.currency_code),
      })),
  };
}
