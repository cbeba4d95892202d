import { describe, expect, it } from 'vitest';
import { type BillingPlan } from '../../../src/billing/plan.ts';
import { parseBillingPlan } from '../../../src/partner/parse.ts';

const empty: BillingPlan = { planType: null, billingStatus: null, billingDayOfMonth: null, tiers: [] };
const blankTier = { usageType: null, level: null, min: null, max: null, usage: null, price: null, currency: null };

describe('parseBillingPlan', () => {
  it('reads the vendor’s example plan', () => {
    expect(
      parseBillingPlan({
        plan_type: 'GOOD',
        current_tiers: [
          {
            usage_type: 'CONTACTS',
            current_usage: 1.0,
            tier: 1,
            tier_min: 0,
            tier_max: 500,
            price: 20.0,
            currency_code: 'USD',
          },
        ],
        billing_status: 'Open',
        billing_day_of_month: 29,
      }),
    ).toEqual({
      planType: 'GOOD',
      billingStatus: 'Open',
      billingDayOfMonth: 29,
      tiers: [{ usageType: 'CONTACTS', level: 1, min: 0, max: 500, usage: 1, price: 20, currency: 'USD' }],
    });
  });

  it.each([
    { name: 'null', body: null },
    { name: 'undefined', body: undefined },
    { name: 'a string', body: 'Service Unavailable' },
    { name: 'an HTML error page', body: '<html><body>502</body></html>' },
    { name: 'a number', body: 42 },
    { name: 'true', body: true },
    { name: 'an array of errors', body: [{ error_key: 'x', error_message: 'y' }] },
    { name: 'an empty object', body: {} },
  ])('never throws on $name and says nothing is known', ({ body }) => {
    expect(parseBillingPlan(body)).toEqual(empty);
  });

  it.each([
    { name: 'day 1 is kept', day: 1, want: 1 },
    { name: 'day 31 is kept', day: 31, want: 31 },
    { name: 'day 0 is not a day', day: 0, want: null },
    { name: 'day 32 is not a day', day: 32, want: null },
    { name: 'day 1.5 is not a day', day: 1.5, want: null },
    { name: 'a negative day is not a day', day: -3, want: null },
    { name: 'a day sent as a string is not trusted', day: '15', want: null },
    { name: 'NaN is not a day', day: Number.NaN, want: null },
    { name: 'Infinity is not a day', day: Number.POSITIVE_INFINITY, want: null },
    { name: 'null is no day (trials)', day: null, want: null },
  ])('billing day: $name', ({ day, want }) => {
    expect(parseBillingPlan({ billing_day_of_month: day }).billingDayOfMonth).toBe(want);
  });

  it.each([
    { name: 'a blank plan type is not shown', body: { plan_type: '   ' }, want: { ...empty } },
    { name: 'a numeric plan type is not shown', body: { plan_type: 7 }, want: { ...empty } },
    {
      name: 'a status that is an object is not shown',
      body: { billing_status: { value: 'Open' } },
      want: { ...empty },
    },
    { name: 'tiers that are not a list are none', body: { current_tiers: 'CONTACTS' }, want: { ...empty } },
    { name: 'tiers that are an object are none', body: { current_tiers: { 0: { price: 1 } } }, want: { ...empty } },
    {
      name: 'junk entries in the tier list are skipped',
      body: { current_tiers: [null, 1, 'x', true, {}] },
      want: { ...empty, tiers: [blankTier] },
    },
    {
      name: 'numbers sent as strings are not trusted',
      body: {
        current_tiers: [
          {
            usage_type: 'CONTACTS',
            current_usage: '1',
            tier: '1',
            tier_min: '0',
            tier_max: '500',
            price: '20.00',
            currency_code: 'USD',
          },
        ],
      },
      want: { ...empty, tiers: [{ ...blankTier, usageType: 'CONTACTS', currency: 'USD' }] },
    },
    {
      name: 'a tier with missing fields keeps what it has',
      body: { current_tiers: [{ price: 0, currency_code: '' }] },
      want: { ...empty, tiers: [{ ...blankTier, price: 0 }] },
    },
  ])('$name', ({ body, want }) => {
    expect(parseBillingPlan(body)).toEqual(want);
  });

  it('reads fields only from the body itself, not from a JSON "__proto__" key', () => {
    expect(parseBillingPlan(JSON.parse('{"__proto__": {"plan_type": "GOLD", "billing_day_of_month": 5}}'))).toEqual(
      empty,
    );
  });

  it('keeps every tier of a long list', () => {
    const body = { current_tiers: Array.from({ length: 200 }, (_, i) => ({ tier: i })) };
    expect(parseBillingPlan(body).tiers.map((t) => t.level)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
