import { describe, expect, it } from 'vitest';
import type { BillingPlan, PlanTier } from '../../../src/billing/plan.ts';
import { monthlyTotals, stepOutputs, stepOutputTypes } from '../../../src/billing/stepOutputs.ts';

const today = new Date('2026-06-10T15:00:00Z');

function tier(fields: Partial<PlanTier> = {}): PlanTier {
  return {
    usageType: 'CONTACTS',
    level: 1,
    min: 0,
    max: 500,
    usage: 490,
    price: 25,
    currency: 'USD',
    ...fields,
  };
}

function plan(fields: Partial<BillingPlan> = {}): BillingPlan {
  return { planType: 'BETTER', billingStatus: 'Open', billingDayOfMonth: 29, tiers: [tier()], ...fields };
}

describe('stepOutputs', () => {
  it.each([
    {
      name: 'a paying plan gives every output',
      plan: plan(),
      want: {
        plan_type: 'BETTER',
        plan_name: 'Email Plus',
        billing_status: 'Open',
        billing_day: 29,
        next_billing_date: '2026-06-29',
        monthly_price: 25,
        currency: 'USD',
        usage_percent: 98,
      },
    },
    {
      name: 'a trial has no billing day, next date, price, currency or usage: they are left out',
      plan: plan({ planType: 'TRIAL', billingStatus: 'Trial', billingDayOfMonth: null, tiers: [] }),
      want: { plan_type: 'TRIAL', plan_name: 'Trial', billing_status: 'Trial' },
    },
    {
      name: 'with several tiers, the price is their sum and the usage the fullest tier’s',
      plan: plan({
        tiers: [
          tier({ usage: 100, max: 500, price: 20 }),
          tier({ usageType: 'EMAILS', usage: 9000, max: 10_000, price: 15 }),
          tier({ usageType: 'STORAGE', usage: null, max: 100, price: 0 }),
          tier({ usageType: 'SMS', usage: 10, max: 0, price: null }),
        ],
      }),
      want: expect.objectContaining({ monthly_price: 35, currency: 'USD', usage_percent: 90 }),
    },
    {
      name: 'a plan code planbot does not know is its own name, exactly as it came',
      plan: plan({ planType: 'PLATINUM_2030' }),
      want: expect.objectContaining({ plan_type: 'PLATINUM_2030', plan_name: 'PLATINUM_2030' }),
    },
    {
      name: 'a known code in another case keeps its code as sent and gets its name',
      plan: plan({ planType: 'good' }),
      want: expect.objectContaining({ plan_type: 'good', plan_name: 'Email' }),
    },
    {
      name: 'no plan code leaves out the type and the name',
      plan: plan({ planType: null }),
      want: expect.objectContaining({ billing_status: 'Open' }),
      absent: ['plan_type', 'plan_name'],
    },
    {
      name: 'a canceled account keeps its billing day but has no next billing date',
      plan: plan({ billingStatus: 'cancelled' }),
      want: expect.objectContaining({ billing_status: 'Canceled', billing_day: 29 }),
      absent: ['next_billing_date'],
    },
    {
      name: 'an ended trial has no next billing date',
      plan: plan({ billingStatus: 'trial_end' }),
      want: expect.objectContaining({ billing_status: 'Trial End' }),
      absent: ['next_billing_date'],
    },
    {
      name: 'a status planbot does not know comes as it came, and is billed',
      plan: plan({ billingStatus: 'Suspended' }),
      want: expect.objectContaining({ billing_status: 'Suspended', next_billing_date: '2026-06-29' }),
    },
    {
      name: 'a paying account with no billing day has no next date either',
      plan: plan({ billingDayOfMonth: null }),
      want: expect.objectContaining({ billing_status: 'Open' }),
      absent: ['billing_day', 'next_billing_date'],
    },
    {
      name: 'a billing day already past this month bills next month',
      plan: plan({ billingDayOfMonth: 3 }),
      want: expect.objectContaining({ billing_day: 3, next_billing_date: '2026-07-03' }),
    },
    {
      name: 'the billing day today is billed today',
      plan: plan({ billingDayOfMonth: 10 }),
      want: expect.objectContaining({ next_billing_date: '2026-06-10' }),
    },
    {
      name: 'tiers in several currencies: the first currency’s total, the others not added in',
      plan: plan({
        tiers: [tier({ price: 20 }), tier({ price: 5, currency: 'EUR' }), tier({ price: 5.5, currency: 'usd ' })],
      }),
      want: expect.objectContaining({ monthly_price: 25.5, currency: 'USD' }),
    },
    {
      name: 'a priced tier with no currency gives a price without a currency',
      plan: plan({ tiers: [tier({ price: 12.5, currency: null })] }),
      want: expect.objectContaining({ monthly_price: 12.5 }),
      absent: ['currency'],
    },
    {
      name: 'tiers without prices give no price',
      plan: plan({ tiers: [tier({ price: null })] }),
      want: expect.objectContaining({ usage_percent: 98 }),
      absent: ['monthly_price', 'currency'],
    },
    {
      name: 'float dust is rounded away from the sum',
      plan: plan({ tiers: [tier({ price: 20.1 }), tier({ price: 5.2 })] }),
      want: expect.objectContaining({ monthly_price: 25.3 }),
    },
    {
      name: 'usage past the maximum is over 100 percent',
      plan: plan({ tiers: [tier({ usage: 600, max: 500 })] }),
      want: expect.objectContaining({ usage_percent: 120 }),
    },
    {
      name: 'small usage keeps two decimals',
      plan: plan({ tiers: [tier({ usage: 1, max: 300 })] }),
      want: expect.objectContaining({ usage_percent: 0.33 }),
    },
    {
      name: 'tiers with no usable maximum give no usage',
      plan: plan({ tiers: [tier({ max: null }), tier({ usage: null })] }),
      want: expect.objectContaining({ monthly_price: 50 }),
      absent: ['usage_percent'],
    },
    {
      name: 'a price sum too large for a number is no price',
      plan: plan({ tiers: [tier({ price: 1e308 }), tier({ price: 1e308 })] }),
      want: expect.objectContaining({ plan_type: 'BETTER' }),
      absent: ['monthly_price', 'currency'],
    },
  ])('$name', ({ plan, want, absent = [] }) => {
    const outputs = stepOutputs(plan, today);
    expect(outputs).toEqual(want);
    for (const name of absent) expect(outputs).not.toHaveProperty(name);
  });

  it('gives numbers as JSON numbers, the billing day as an integer and the date as YYYY-MM-DD', () => {
    const sent = JSON.parse(JSON.stringify(stepOutputs(plan({ tiers: [tier({ usage: 1, max: 3 })] }), today)));
    for (const [name, type] of Object.entries(stepOutputTypes)) {
      const value = sent[name];
      if (type === 'string') expect(typeof value, name).toBe('string');
      else expect(typeof value, name).toBe('number');
      if (type === 'integer') expect(Number.isInteger(value), name).toBe(true);
    }
    expect(sent.next_billing_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent.usage_percent).toBe(33.33);
  });

  it('never gives null, an empty string or a number that is not finite', () => {
    const plans = [
      plan({ planType: '  ', billingStatus: '', billingDayOfMonth: null, tiers: [] }),
      plan({
        tiers: [tier({ usage: 1e308, max: 5e-324, price: Number.MAX_VALUE }), tier({ price: Number.MAX_VALUE })],
      }),
    ];
    for (const p of plans) {
      for (const value of Object.values(stepOutputs(p, today))) {
        expect(value).not.toBeNull();
        expect(value).not.toBe('');
        if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
      }
    }
  });

  it('bills the 31st on the last day of a shorter month', () => {
    expect(stepOutputs(plan({ billingDayOfMonth: 31 }), new Date('2026-02-10T00:00:00Z')).next_billing_date).toBe(
      '2026-02-28',
    );
  });
});

describe('monthlyTotals', () => {
  it('sums per currency, in the order the currencies first appear, skipping tiers without a price', () => {
    expect(
      monthlyTotals([
        tier({ price: 5, currency: 'eur' }),
        tier({ price: 20, currency: 'USD' }),
        tier({ price: null, currency: 'GBP' }),
        tier({ price: 1.5, currency: 'EUR' }),
        tier({ price: 3, currency: null }),
      ]),
    ).toEqual([
      { currency: 'EUR', amount: 6.5 },
      { currency: 'USD', amount: 20 },
      { currency: null, amount: 3 },
    ]);
  });
});
