import { parseBillingPlan } from '../../src/partner/parse.ts';

/** An Open GOOD plan billed on the 15th with one CONTACTS tier (100 of 500, $20); override any field. */
export const planWith = (overrides: Record<string, unknown> = {}) =>
  parseBillingPlan({
    plan_type: 'GOOD',
    billing_status: 'Open',
    billing_day_of_month: 15,
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        current_usage: 100,
        tier: 1,
        tier_min: 0,
        tier_max: 500,
        price: 20,
        currency_code: 'USD',
      },
    ],
    ...overrides,
  });
