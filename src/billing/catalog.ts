/** Units Rebilly uses for intervals, trials and periods. */
export type TimeUnit = 'day' | 'week' | 'month' | 'year';

export interface Bracket {
  price: number;
  /** null = no upper bound. */
  maxQuantity: number | null;
}

/** The five price formulas of today's API, or one we do not know (shown as "not shown"). */
export type Pricing =
  | { formula: 'fixed-fee'; price: number }
  | { formula: 'flat-rate'; price: number; minQuantity: number | null; maxQuantity: number | null }
  | { formula: 'stairstep' | 'tiered' | 'volume'; brackets: Bracket[]; minQuantity: number | null }
  | { formula: 'unknown'; name: string | null };

/** A Rebilly catalog plan, parsed defensively: one-time sale, subscription or trial-only. */
export interface CatalogPlan {
  id: string;
  name: string | null;
  productId: string | null;
  currency: string | null;
  description: string | null;
  /** false = inactive (marked); true or missing = active. */
  isActive: boolean;
  kind: 'one-time' | 'subscription' | 'trial-only';
  pricing: Pricing | null;
  interval: { unit: TimeUnit; length: number; limit: number | null } | null;
  trial: { price: number; unit: TimeUnit; length: number } | null;
  setup: { price: number } | null;
}

/** One page of catalog search results. */
export interface PlanSearchPage {
  plans: CatalogPlan[];
  /** From `Pagination-Total`; null when the API did not say. */
  total: number | null;
  limit: number;
  offset: number;
}

/** Rebilly answers every offset past 1000 as if it were 1000. */
export const maxOffset = 1000;

/** Plans planbot shows on one page of a catalog search. */
export const catalogPageSize = 10;
