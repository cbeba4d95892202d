import { describe, expect, it } from 'vitest';
import {
  change30,
  dailyUsage,
  forecastUsage,
  type Forecast,
  type ForecastInput,
  type UsagePoint,
} from '../../../src/billing/forecast.ts';

const DAY_MS = 86_400_000;
/** A UTC instant; a bare date is noon UTC, so the tests also show only the UTC day counts. */
const at = (iso: string) => new Date(iso.includes('T') ? iso : `${iso}T12:00:00Z`);
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** One point a day ending on `lastDay`; a null leaves that day out. */
function daily(lastDay: string, values: (number | null)[]): UsagePoint[] {
  return values.flatMap((usage, i) =>
    usage === null ? [] : [{ day: addDays(lastDay, i - values.length + 1), usage }],
  );
}

/** `n` daily points ending on `lastDay`, rising by `step` a day from `first`. */
const ramp = (lastDay: string, first: number, step: number, n = 30) =>
  daily(
    lastDay,
    Array.from({ length: n }, (_, i) => first + step * i),
  );

/** Tier 3 of the partner page's pattern: 1,001–2,500 contacts. */
const tier3 = { level: 3, min: 1001, max: 2500 };

function input(fields: Partial<ForecastInput> = {}): ForecastInput {
  return {
    points: ramp('2026-12-10', 2120, 10),
    tier: tier3,
    billingStatus: 'Open',
    billingDayOfMonth: 29,
    today: at('2026-12-10'),
    ...fields,
  };
}

type Want = Partial<Record<string, unknown>>;
/** Numbers compared to 6 decimals (a least-squares slope carries float dust); everything else exactly. */
function expectForecast(got: Forecast, want: Want) {
  for (const [key, value] of Object.entries(want)) {
    const actual = (got as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number' && typeof actual === 'number') expect(actual, key).toBeCloseTo(value, 6);
    else expect(actual, key).toEqual(value);
  }
}

describe('forecastUsage', () => {
  const cases: { name: string; input: ForecastInput; want: Want }[] = [
    {
      name: 'rising 10 a day from 2,410 passes 2,500 on Dec 20, before billing on Dec 29: likely up',
      input: input(),
      want: {
        kind: 'likely_up',
        trendPerDay: 10,
        r2: 1,
        change30: 290,
        points: 30,
        max: 2500,
        reachesMaxOn: '2026-12-20',
        alreadyOver: false,
        nextBillingDate: '2026-12-29',
        daysToBilling: 19,
        projectedAtBilling: 2600,
        nextLevel: 4,
      },
    },
    {
      name: 'rising 2 a day passes 2,500 only on Jan 25, after billing: growing',
      input: input({ points: ramp('2026-12-10', 2352, 2) }),
      want: {
        kind: 'growing',
        trendPerDay: 2,
        change30: 58,
        reachesMaxOn: '2027-01-25',
        nextBillingDate: '2026-12-29',
        daysToBilling: 19,
        projectedAtBilling: 2448,
      },
    },
    {
      name: 'reaching the maximum exactly on the billing date is likely up',
      input: input({ billingDayOfMonth: 20 }),
      want: { kind: 'likely_up', reachesMaxOn: '2026-12-20', nextBillingDate: '2026-12-20', daysToBilling: 10 },
    },
    {
      name: 'reaching the maximum the day after the billing date is growing',
      input: input({ billingDayOfMonth: 19 }),
      want: { kind: 'growing', reachesMaxOn: '2026-12-20', nextBillingDate: '2026-12-19' },
    },
    {
      name: 'the account moves up at max + 1: usage exactly at 2,500 is still in the tier',
      input: input({ points: ramp('2026-12-10', 2210, 10), billingDayOfMonth: 10 }),
      want: { kind: 'growing', reachesMaxOn: '2026-12-11', nextBillingDate: '2026-12-10', daysToBilling: 0 },
    },
    {
      name: 'falling 5 a day (6.2% in 30 days) is shrinking',
      input: input({ points: ramp('2026-12-10', 2400, -5) }),
      want: { kind: 'shrinking', trendPerDay: -5, change30: -145, fallShare: 150 / 2405 },
    },
    {
      name: 'falling 2 a day (2.5% in 30 days) is steady: under the 5% that counts as shrinking',
      input: input({ points: ramp('2026-12-10', 2400, -2) }),
      want: { kind: 'steady', trendPerDay: -2, change30: -58, fallShare: 60 / 2402 },
    },
    {
      name: 'the same usage every day is flat: no forecast',
      input: input({ points: ramp('2026-12-10', 1800, 0) }),
      want: { kind: 'none', why: 'flat', trendPerDay: 0, r2: 1, change30: 0, points: 30 },
    },
    {
      name: 'a few contacts up and down around a level is flat',
      input: input({
        points: daily(
          '2026-12-10',
          Array.from({ length: 30 }, (_, i) => (i % 2 ? 1803 : 1797)),
        ),
      }),
      want: { kind: 'none', why: 'flat', change30: 6 },
    },
    {
      name: 'rising 3 a day under swings of ±200 is noisy: R² far under 0.5',
      input: input({
        points: daily(
          '2026-12-10',
          Array.from({ length: 30 }, (_, i) => 1800 + 3 * i + (i % 2 ? 200 : -200)),
        ),
      }),
      want: { kind: 'none', why: 'noisy', points: 30 },
    },
    {
      name: 'swings of ±100 around a level are noisy, not flat',
      input: input({
        points: daily(
          '2026-12-10',
          Array.from({ length: 30 }, (_, i) => (i % 2 ? 1900 : 1700)),
        ),
      }),
      want: { kind: 'none', why: 'noisy' },
    },
    {
      name: 'six points are too few: no line at all, but the 30-day change is there',
      input: input({ points: daily('2026-12-10', [2360, null, 2380, null, null, 2390, null, 2400, null, 2410]) }),
      want: { kind: 'none', why: 'too_few_points', points: 5, change30: 50, trendPerDay: undefined, r2: undefined },
    },
    {
      name: 'six points over the window are too few',
      input: input({ points: ramp('2026-12-10', 2360, 10, 6) }),
      want: { kind: 'none', why: 'too_few_points', points: 6, change30: 50 },
    },
    {
      name: 'seven points spread over 30 days (gaps) are enough, and the gaps do not bend the line',
      input: input({
        points: [29, 24, 19, 14, 9, 5, 0].map((back) => ({
          day: addDays('2026-12-10', -back),
          usage: 2410 - 10 * back,
        })),
      }),
      want: { kind: 'likely_up', points: 7, trendPerDay: 10, change30: 290, reachesMaxOn: '2026-12-20' },
    },
    {
      name: 'every other day missing: the slope is still per day',
      input: input({
        points: daily(
          '2026-12-10',
          Array.from({ length: 30 }, (_, i) => (i % 2 ? 2120 + 10 * i : null)),
        ),
      }),
      want: { kind: 'likely_up', points: 15, trendPerDay: 10, reachesMaxOn: '2026-12-20' },
    },
    {
      name: 'points older than 30 days and points after today are left out',
      input: input({
        points: [{ day: '2026-11-10', usage: 0 }, ...ramp('2026-12-10', 2120, 10), { day: '2026-12-11', usage: 9_999 }],
      }),
      want: { kind: 'likely_up', points: 30, trendPerDay: 10, change30: 290 },
    },
    {
      name: 'two points for one day: the later one in the list wins',
      input: input({
        points: [
          ...ramp('2026-12-10', 2120, 10),
          { day: '2026-12-10', usage: 2000 },
          { day: '2026-12-10', usage: 2410 },
        ],
      }),
      want: { kind: 'likely_up', points: 30, change30: 290 },
    },
    {
      name: 'malformed days and non-finite usage are skipped',
      input: input({
        points: [
          ...ramp('2026-12-10', 2120, 10),
          { day: '2026-11-31', usage: 0 },
          { day: '12/09/2026', usage: 0 },
          { day: '2026-12-09', usage: Number.NaN },
          { day: '2026-12-08', usage: Infinity },
        ],
      }),
      want: { kind: 'likely_up', points: 30, trendPerDay: 10 },
    },
    {
      name: 'a trial gets no forecast, however fast it grows',
      input: input({ billingStatus: 'Trial', billingDayOfMonth: null }),
      want: { kind: 'none', why: 'trial', change30: 290, points: 30 },
    },
    {
      name: 'a cancelled account gets no forecast',
      input: input({ billingStatus: 'Canceled' }),
      want: { kind: 'none', why: 'cancelled' },
    },
    {
      name: 'a cancelled account spelled the British way gets no forecast',
      input: input({ billingStatus: 'cancelled' }),
      want: { kind: 'none', why: 'cancelled' },
    },
    {
      name: 'an ended trial is not billed: no forecast',
      input: input({ billingStatus: 'Trial End' }),
      want: { kind: 'none', why: 'not_billed' },
    },
    {
      name: 'a status planbot does not know is taken as paying, as elsewhere',
      input: input({ billingStatus: 'Suspended' }),
      want: { kind: 'likely_up' },
    },
    {
      name: 'no status at all is taken as paying',
      input: input({ billingStatus: null }),
      want: { kind: 'likely_up' },
    },
    {
      name: 'a paying account with no billing day: a line, but no date to compare it with',
      input: input({ billingDayOfMonth: null }),
      want: { kind: 'none', why: 'no_billing_day', trendPerDay: 10 },
    },
    {
      name: 'a billing day of 0 is no billing day',
      input: input({ billingDayOfMonth: 0 }),
      want: { kind: 'none', why: 'no_billing_day' },
    },
    {
      name: 'a billing day of 32 is no billing day',
      input: input({ billingDayOfMonth: 32 }),
      want: { kind: 'none', why: 'no_billing_day' },
    },
    {
      name: 'a top tier (no maximum) has nothing to reach',
      input: input({ tier: { level: 32, min: 2_500_001, max: null }, points: ramp('2026-12-10', 2_600_000, 3_000) }),
      want: { kind: 'none', why: 'no_tier_max', trendPerDay: 3000, change30: 87_000 },
    },
    {
      name: 'on a top tier, +29,000 on 2.6 million (1.1% in 30 days) is flat: under 2% of usage',
      input: input({ tier: { level: 32, min: 2_500_001, max: null }, points: ramp('2026-12-10', 2_600_000, 1_000) }),
      want: { kind: 'none', why: 'flat', trendPerDay: 1000, change30: 29_000 },
    },
    {
      name: 'a small account in a wide tier: 107 down to 100 is shrinking, not lost against the tier width',
      input: input({ tier: { level: 1, min: 0, max: 500 }, points: ramp('2026-12-10', 107.25, -0.25) }),
      want: { kind: 'shrinking', trendPerDay: -0.25, fallShare: 7.5 / 107.5 },
    },
    {
      name: 'a tier 1 account moving less than 2 contacts in 30 days at 100 is flat',
      input: input({ tier: { level: 1, min: 0, max: 500 }, points: ramp('2026-12-10', 98.55, 0.05) }),
      want: { kind: 'none', why: 'flat' },
    },
    {
      name: 'a top tier can still be shrinking',
      input: input({ tier: { level: 32, min: 2_500_001, max: null }, points: ramp('2026-12-10', 3_000_000, -10_000) }),
      want: { kind: 'shrinking', trendPerDay: -10_000, fallShare: 300_000 / 3_010_000 },
    },
    {
      name: 'tier 32 in the millions, passing 2,500,000 on the billing date: likely to bill at tier 33',
      input: input({
        tier: { level: 32, min: 2_000_001, max: 2_500_000 },
        points: ramp('2026-06-15', 2_450_000 - 29 * 12_500, 12_500),
        billingDayOfMonth: 20,
        today: at('2026-06-15'),
      }),
      want: {
        kind: 'likely_up',
        trendPerDay: 12_500,
        reachesMaxOn: '2026-06-20',
        nextBillingDate: '2026-06-20',
        projectedAtBilling: 2_512_500,
        nextLevel: 33,
      },
    },
    {
      name: 'tier 32 in the millions growing 1,000 a day passes 2,500,000 after billing',
      input: input({
        tier: { level: 32, min: 2_000_001, max: 2_500_000 },
        points: ramp('2026-06-15', 2_421_000, 1_000),
        billingDayOfMonth: 20,
        today: at('2026-06-15'),
      }),
      want: { kind: 'growing', trendPerDay: 1000, change30: 29_000, reachesMaxOn: '2026-08-05' },
    },
    {
      name: 'Jan 30 with a billing day of 31 bills Jan 31; passing the maximum then is likely up',
      input: input({ points: ramp('2027-01-30', 2205, 10), billingDayOfMonth: 31, today: at('2027-01-30') }),
      want: { kind: 'likely_up', reachesMaxOn: '2027-01-31', nextBillingDate: '2027-01-31', daysToBilling: 1 },
    },
    {
      name: 'a billing day of 31 in February bills Feb 28; passing on Feb 28 is likely up',
      input: input({ points: ramp('2027-02-10', 2040, 10), billingDayOfMonth: 31, today: at('2027-02-10') }),
      want: { kind: 'likely_up', reachesMaxOn: '2027-02-28', nextBillingDate: '2027-02-28', daysToBilling: 18 },
    },
    {
      name: 'a billing day of 31 in February: passing on Mar 2 is after billing on Feb 28',
      input: input({ points: ramp('2027-02-10', 2020, 10), billingDayOfMonth: 31, today: at('2027-02-10') }),
      want: { kind: 'growing', reachesMaxOn: '2027-03-02', nextBillingDate: '2027-02-28' },
    },
    {
      name: 'a billing day of 31 in a leap February bills Feb 29; passing then is likely up',
      input: input({ points: ramp('2028-02-10', 2030, 10), billingDayOfMonth: 31, today: at('2028-02-10') }),
      want: { kind: 'likely_up', reachesMaxOn: '2028-02-29', nextBillingDate: '2028-02-29', daysToBilling: 19 },
    },
    {
      name: 'a billing day of 31 in a leap February: passing on Mar 1 is growing',
      input: input({ points: ramp('2028-02-10', 2020, 10), billingDayOfMonth: 31, today: at('2028-02-10') }),
      want: { kind: 'growing', reachesMaxOn: '2028-03-01', nextBillingDate: '2028-02-29' },
    },
    {
      name: 'a billing day of 31 in April bills on the 30th',
      input: input({ points: ramp('2026-04-10', 2190, 10), billingDayOfMonth: 31, today: at('2026-04-10') }),
      want: { kind: 'likely_up', reachesMaxOn: '2026-04-13', nextBillingDate: '2026-04-30', daysToBilling: 20 },
    },
    {
      name: 'a billing day of 31 in a 31-day month bills on the 31st',
      input: input({ points: ramp('2026-12-10', 2120, 10), billingDayOfMonth: 31 }),
      want: { kind: 'likely_up', nextBillingDate: '2026-12-31', daysToBilling: 21, projectedAtBilling: 2620 },
    },
    {
      name: 'a window across a month end (Jan 12 to Feb 10) is 30 days of points',
      input: input({ points: ramp('2027-02-10', 2040, 10, 40), billingDayOfMonth: 31, today: at('2027-02-10') }),
      want: { kind: 'likely_up', points: 30, change30: 290 },
    },
    {
      name: 'already past the maximum and staying there: likely up since the first day past it',
      input: input({ points: ramp('2026-12-10', 2600, 0) }),
      want: {
        kind: 'likely_up',
        alreadyOver: true,
        reachesMaxOn: '2026-11-11',
        projectedAtBilling: 2600,
        nextLevel: 4,
      },
    },
    {
      name: 'past the maximum since Nov 26 and rising: likely up, reached on Nov 26',
      input: input({ points: ramp('2026-12-10', 2360, 10) }),
      want: { kind: 'likely_up', alreadyOver: true, reachesMaxOn: '2026-11-26' },
    },
    {
      name: 'past the maximum, but falling back under it before billing: shrinking',
      input: input({ points: ramp('2026-12-10', 2665, -5) }),
      want: { kind: 'shrinking', trendPerDay: -5, fallShare: 150 / 2670 },
    },
    {
      name: 'past the maximum with no billing day: nothing to compare with',
      input: input({ points: ramp('2026-12-10', 2600, 0), billingDayOfMonth: null }),
      want: { kind: 'none', why: 'no_billing_day' },
    },
    {
      name: 'a stale last point: a crossing the line puts before today is reported as today',
      input: input({ points: ramp('2026-12-05', 2200, 10) }),
      want: { kind: 'likely_up', alreadyOver: false, reachesMaxOn: '2026-12-10', points: 25 },
    },
    {
      name: 'a crossing more than a year away has no date',
      input: input({ tier: { level: 1, min: 0, max: 500 }, points: ramp('2026-12-10', 85.5, 0.5) }),
      want: { kind: 'growing', trendPerDay: 0.5, reachesMaxOn: null },
    },
    {
      name: 'only the UTC day of today counts: one second before midnight is still Dec 10',
      input: input({ today: at('2026-12-10T23:59:59Z') }),
      want: { kind: 'likely_up', reachesMaxOn: '2026-12-20', daysToBilling: 19 },
    },
    {
      name: 'the knobs can be turned: with minPoints 3, three points make a line',
      input: input({ points: ramp('2026-12-10', 2390, 10, 3), minPoints: 3 }),
      want: { kind: 'likely_up', points: 3, reachesMaxOn: '2026-12-20' },
    },
    {
      name: 'an undefined knob keeps its default',
      input: input({ points: ramp('2026-12-10', 2360, 10, 6), minPoints: undefined }),
      want: { kind: 'none', why: 'too_few_points' },
    },
  ];

  it.each(cases)('$name', ({ input: given, want }) => {
    expectForecast(forecastUsage(given), want);
  });

  it('never reads the clock: the same input gives the same answer', () => {
    expect(forecastUsage(input())).toEqual(forecastUsage(input()));
  });
});

describe('change30', () => {
  const today = at('2026-12-10');
  it.each([
    { name: 'no points: no change', points: [], want: undefined },
    { name: 'one point: no change', points: [{ day: '2026-12-10', usage: 5 }], want: undefined },
    { name: 'rising: last minus first', points: ramp('2026-12-10', 2120, 10), want: 290 },
    { name: 'falling is negative', points: ramp('2026-12-10', 2400, -5), want: -145 },
    {
      name: 'only the last 30 days count',
      points: [{ day: '2026-11-10', usage: 0 }, ...ramp('2026-12-10', 100, 1, 2)],
      want: 1,
    },
    {
      name: 'in any order',
      points: [
        { day: '2026-12-10', usage: 640 },
        { day: '2026-11-20', usage: 500 },
      ],
      want: 140,
    },
  ])('$name', ({ points, want }) => {
    expect(change30(points, today)).toBe(want);
  });
});

describe('dailyUsage', () => {
  it('is one value a day for the last 30 days, ending today, null where a day has no point', () => {
    const values = dailyUsage(
      [
        { day: '2026-12-10', usage: 3 },
        { day: '2026-12-08', usage: 1 },
        { day: '2026-11-11', usage: 7 },
        { day: '2026-11-10', usage: 9 },
      ],
      at('2026-12-10'),
    );
    expect(values).toHaveLength(30);
    expect(values[0]).toBe(7);
    expect(values.slice(-3)).toEqual([1, null, 3]);
    expect(values.filter((v) => v !== null)).toHaveLength(3);
  });
});
