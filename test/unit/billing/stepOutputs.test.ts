import { describe, expect, it } from 'vitest';
import { type Forecast, forecastUsage } from '../../../src/billing/forecast.ts';
import type { BillingPlan, PlanTier } from '../../../src/billing/plan.ts';
import { monthlyTotals, stepOutputs, stepOutputTypes, trendTierIndex } from '../../../src/billing/stepOutputs.ts';

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
    const rising = forecastFor(tier({ usage: 1, max: 3 }), [0, 0, 0, 1, 1, 1, 1]);
    const sent = JSON.parse(
      JSON.stringify(stepOutputs(plan({ tiers: [tier({ usage: 1, max: 3 })] }), today, [rising])),
    );
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

/** The forecast of `t` over daily usage ending `today`, oldest first. */
function forecastFor(t: PlanTier, usage: number[], billingDayOfMonth = 29): Forecast {
  const day = (i: number) => new Date(today.getTime() - (usage.length - 1 - i) * 86_400_000).toISOString().slice(0, 10);
  return forecastUsage({
    points: usage.map((u, i) => ({ day: day(i), usage: u })),
    tier: { level: t.level, min: t.min, max: t.max },
    billingStatus: 'Open',
    billingDayOfMonth,
    today,
  });
}

const week = (first: number, step: number) => Array.from({ length: 7 }, (_, i) => first + step * i);

describe('stepOutputs: the usage forecast', () => {
  it('gives the trend per day (two decimals) and the day the maximum is passed, before the next billing', () => {
    // 440 on Jun 10, rising 10 a day: 501 is reached on Jun 17, before billing on Jun 29.
    const t = tier({ usage: 440 });
    const forecast = forecastFor(t, week(380, 10));
    expect(forecast.kind).toBe('likely_up');
    expect(stepOutputs(plan({ tiers: [t] }), today, [forecast])).toMatchObject({
      usage_trend_per_day: 10,
      tier_max_reached_on: '2026-06-17',
    });
  });

  it('gives the crossing of a tier growing past its maximum only after billing', () => {
    const t = tier({ usage: 360 });
    // 330, 335, …, 360: at 5 a day 501 is reached on Jul 9, after billing on Jun 29.
    const forecast = forecastFor(t, week(330, 5));
    expect(forecast.kind).toBe('growing');
    expect(stepOutputs(plan({ tiers: [t] }), today, [forecast])).toMatchObject({
      usage_trend_per_day: 5,
      tier_max_reached_on: '2026-07-09',
    });
  });

  it('gives a falling trend, rounded, with no crossing day', () => {
    const t = tier({ usage: 400 });
    const forecast = forecastFor(t, [460, 450, 440, 430, 420, 410, 400.02]);
    expect(forecast.kind).toBe('shrinking');
    const outputs = stepOutputs(plan({ tiers: [t] }), today, [forecast]);
    expect(outputs.usage_trend_per_day).toBe(-10);
    expect(outputs).not.toHaveProperty('tier_max_reached_on');
  });

  it('gives neither without a line (too few days) or without a forecast at all', () => {
    const t = tier();
    const few = forecastFor(t, [480, 490]);
    expect(few).toMatchObject({ kind: 'none', why: 'too_few_points' });
    for (const outputs of [stepOutputs(plan(), today, [few]), stepOutputs(plan(), today)]) {
      expect(outputs).not.toHaveProperty('usage_trend_per_day');
      expect(outputs).not.toHaveProperty('tier_max_reached_on');
    }
  });

  it('follows the fullest tier counted in contacts, else the fullest tier', () => {
    const emails = tier({ usageType: 'EMAILS', usage: 990, max: 1000 });
    const contactsLow = tier({ usage: 100, max: 500 });
    const contactsHigh = tier({ usageType: ' contacts ', usage: 450, max: 500 });
    expect(trendTierIndex([emails, contactsLow, contactsHigh])).toBe(2);
    expect(trendTierIndex([emails, tier({ usageType: 'SMS_CREDITS', usage: 1, max: 10 })])).toBe(0);
    // A top tier (no maximum) is still the contacts tier.
    expect(trendTierIndex([emails, tier({ max: null })])).toBe(1);
    expect(trendTierIndex([])).toBeUndefined();

    const rising = forecastFor(contactsHigh, week(390, 10));
    const falling = forecastFor(emails, [1060, 1050, 1040, 1030, 1020, 1010, 1000]);
    const outputs = stepOutputs(plan({ tiers: [emails, contactsLow, contactsHigh] }), today, [
      falling,
      falling,
      rising,
    ]);
    expect(outputs.usage_trend_per_day).toBe(10);
    // 450 on Jun 10 at 10 a day: 501 on Jun 16.
    expect(outputs.tier_max_reached_on).toBe('2026-06-16');
  });

  it('never gives -0', () => {
    const t = tier({ usage: 400 });
    // Flat but for a thousandth: the line is drawn, its slope rounds to zero.
    const flat = forecastFor(t, [400.003, 400.002, 400.002, 400.001, 400.001, 400, 400]);
    const perDay = stepOutputs(plan({ tiers: [t] }), today, [flat]).usage_trend_per_day;
    expect(perDay).toBe(0);
    expect(Object.is(perDay, -0)).toBe(false);
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
