import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlanTier } from '../../../src/billing/plan.ts';
import {
  decode,
  emptySeries,
  encode,
  isoDay,
  type PlanPoint,
  SeriesFormatError,
  trim,
  upsertPlanPoint,
  upsertWalkPoint,
  utcDay,
  type WalkPoint,
} from '../../../src/history/series.ts';

const day0 = utcDay(Date.UTC(2025, 0, 1));
const open = (day: number, subscriberCount: number | null, billingStatus: string | null = 'Open'): WalkPoint => ({
  day,
  subscriberCount,
  billingStatus,
});
const tier = (over: Partial<PlanTier> = {}): PlanTier => ({
  usageType: 'CONTACTS',
  level: 2,
  min: 501,
  max: 2500,
  usage: 1200,
  price: 45,
  currency: 'USD',
  ...over,
});

/** mulberry32, so every run measures the same accounts. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A year of one account as the walks would see it: a size drawn across small and large lists
 * (e^3…e^11, about 20 to 60,000 contacts); on half of the days nothing moves, on most others a few
 * sign-ups or unsubscribes in proportion to the size, about every two months an import (up to
 * +20%) and about every four months a clean-up (up to −10%); now and then the status changes.
 */
function realisticYear(random: () => number, days = 365): WalkPoint[] {
  let count = Math.round(Math.exp(3 + random() * 8));
  let status = random() < 0.1 ? 'Trial' : 'Open';
  const points: WalkPoint[] = [];
  for (let d = 0; d < days; d++) {
    const r = random();
    if (r < 0.5) {
      // a quiet day
    } else if (r < 0.976) count += Math.round((random() - 0.45) * (4 + count * 0.003));
    else if (r < 0.992) count += Math.round(count * random() * 0.2);
    else count -= Math.round(count * random() * 0.1);
    count = Math.max(0, count);
    if (random() < 0.003) status = status === 'Open' ? 'Canceled' : 'Open';
    points.push(open(day0 + d, count, status));
  }
  return points;
}

describe('days', () => {
  it('counts UTC days since 1970 and names them as ISO dates', () => {
    expect(utcDay(0)).toBe(0);
    expect(utcDay(Date.UTC(2025, 2, 7, 23, 59, 59, 999))).toBe(utcDay(Date.UTC(2025, 2, 7)));
    expect(utcDay(Date.UTC(2025, 2, 8))).toBe(utcDay(Date.UTC(2025, 2, 7)) + 1);
    expect(isoDay(utcDay(Date.UTC(2025, 2, 7, 18)))).toBe('2025-03-07');
  });
});

describe('the walk section', () => {
  it('an empty series is zero bytes and holds nothing', () => {
    expect(emptySeries.length).toBe(0);
    expect(decode(emptySeries)).toEqual({ walk: [], plans: [] });
    expect(encode({})).toEqual(emptySeries);
  });

  it('is laid out as documented: a quiet day is one byte, unchanged days are runs', () => {
    const walk = [
      open(day0, 100), // first point: from count 0 and no status, so a full point with its status
      open(day0 + 1, 103), // +3: one byte
      open(day0 + 2, 103), // unchanged for three days: one run byte
      open(day0 + 3, 103),
      open(day0 + 4, 103),
      open(day0 + 7, 90, 'Canceled'), // two days missed and a new status: a full point
      open(day0 + 8, null, 'Canceled'), // count unknown: a full point without a delta
      open(day0 + 9, 91, 'Canceled'), // +1 from the last known count
    ];
    const series = encode({ walk });
    const dayBytes = [...varint(day0)];
    expect([...series]).toEqual([
      2, // version
      0, // no plan section
      ...dayBytes,
      0xc0 | 4, // status follows, gap 1, count follows
      0xc8, // zig-zag(100) = 200, as a varint: two bytes
      0x01,
      1, // Open
      6, // zig-zag(+3)
      0x80 | 1, // run of 3
      0xc0 | 4 | 1, // gap and status follow
      3, // gap 3
      25, // zig-zag(-13)
      3, // Canceled
      0xc0 | 2, // count null
      2, // zig-zag(+1)
    ]);
    expect(decode(series).walk).toEqual(walk);
  });

  it('writes a status it does not know as text, once where it changes', () => {
    const walk = [open(day0, 5, 'Frozen ❄'), open(day0 + 1, 6, 'Frozen ❄'), open(day0 + 2, 6, null)];
    const series = encode({ walk });
    expect(decode(series).walk).toEqual(walk);
    expect(Buffer.from(series).toString('utf8').split('Frozen ❄').length).toBe(2);
  });

  it('keeps large counts, large moves and long gaps exactly', () => {
    const walk = [
      open(0, 0, null),
      open(1, 2 ** 50),
      open(2, -(2 ** 50)),
      open(3, 0),
      open(day0, 7_500_000),
      open(day0 + 65, 7_499_999),
      open(2 ** 31 - 1, 1),
    ];
    expect(decode(encode({ walk })).walk).toEqual(walk);
  });

  it('stores a count that is not a whole number, or beyond ±2^50, as unknown', () => {
    const walk = [open(day0, 12.5), open(day0 + 1, Number.NaN), open(day0 + 2, 2 ** 50 + 1), open(day0 + 3, 12)];
    expect(decode(encode({ walk })).walk.map((p) => p.subscriberCount)).toEqual([null, null, null, 12]);
  });

  it('splits a run longer than one token can hold', () => {
    const walk = Array.from({ length: 200 }, (_, i) => open(day0 + i, 42));
    const series = encode({ walk });
    expect(decode(series).walk).toEqual(walk);
    // header + first point + ceil(199 / 65) run bytes
    expect(series.length).toBeLessThanOrEqual(2 + 3 + 3 + 4);
  });

  it('round-trips any walk, point for point', () => {
    const status = fc.oneof(
      fc.constantFrom('Open', 'Trial', 'Canceled', 'Trial End', 'Suspended', null),
      fc.string({ maxLength: 12 }),
    );
    const count = fc.oneof(
      fc.integer({ min: 0, max: 5000 }),
      fc.constant(null),
      fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
      fc.integer({ min: -10, max: 10 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 1, max: 300 }), subscriberCount: count, billingStatus: status }), {
          maxLength: 300,
        }),
        fc.integer({ min: 0, max: 30_000 }),
        (steps, start) => {
          let day = start;
          const walk = steps.map((s) => open((day += s.gap), s.subscriberCount, s.billingStatus));
          expect(decode(encode({ walk })).walk).toEqual(walk);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes a year of realistic daily points in about a byte each (at most 1.5)', () => {
    const random = prng(7);
    let bytes = 0;
    let points = 0;
    for (let account = 0; account < 2_000; account++) {
      const walk = realisticYear(random);
      const series = encode({ walk });
      bytes += series.length;
      points += walk.length;
    }
    const perPoint = bytes / points;
    // 100,000 accounts × 365 days at this rate: about 26 MB of values.
    expect(perPoint).toBeLessThan(1.5);
    expect(perPoint).toBeGreaterThan(0.3);
  });

  it('costs at most about 1.1 bytes a point even when every day moves by up to ±60', () => {
    const random = prng(11);
    let count = 5_000;
    const walk = Array.from({ length: 365 }, (_, d) => open(day0 + d, (count += Math.round((random() - 0.5) * 120))));
    const series = encode({ walk });
    expect(series.length / walk.length).toBeLessThan(1.1);
  });
});

describe('upsertWalkPoint', () => {
  it('appends a new day, and replaces the same day: the day’s last wins', () => {
    let series = upsertWalkPoint(emptySeries, open(day0, 10));
    series = upsertWalkPoint(series, open(day0 + 1, 11));
    series = upsertWalkPoint(series, open(day0 + 1, 15, 'Canceled'));
    expect(decode(series).walk).toEqual([open(day0, 10), open(day0 + 1, 15, 'Canceled')]);
  });

  it('hands back the same array when the day already holds that point, so the write can be skipped', () => {
    const series = upsertWalkPoint(upsertWalkPoint(emptySeries, open(day0, 10)), open(day0 + 1, null, null));
    expect(upsertWalkPoint(series, open(day0 + 1, null, null))).toBe(series);
    expect(upsertWalkPoint(series, open(day0, 10))).toBe(series);
    expect(upsertWalkPoint(series, open(day0 + 1, 0, null))).not.toBe(series);
  });

  it('puts a point for an earlier day in its place', () => {
    let series = encode({ walk: [open(day0, 1), open(day0 + 10, 10)] });
    series = upsertWalkPoint(series, open(day0 + 5, 5));
    series = upsertWalkPoint(series, open(day0 - 3, 0));
    series = upsertWalkPoint(series, open(day0 + 5, 6));
    expect(decode(series).walk).toEqual([open(day0 - 3, 0), open(day0, 1), open(day0 + 5, 6), open(day0 + 10, 10)]);
  });

  it('leaves the plan points as they are', () => {
    const plans: PlanPoint[] = [{ day: day0, tiers: [tier()] }];
    const series = upsertWalkPoint(encode({ plans }), open(day0, 3));
    expect(decode(series)).toEqual({ walk: [open(day0, 3)], plans });
  });

  it('matches a plain list with the same upserts, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            day: fc.integer({ min: 0, max: 40 }),
            subscriberCount: fc.option(fc.integer({ min: 0, max: 200 })),
            billingStatus: fc.constantFrom('Open', 'Trial', null, 'Odd'),
          }),
          { maxLength: 80 },
        ),
        (upserts) => {
          let series = emptySeries;
          const expected = new Map<number, WalkPoint>();
          for (const u of upserts) {
            const point = open(day0 + u.day, u.subscriberCount, u.billingStatus);
            series = upsertWalkPoint(series, point);
            expected.set(point.day, point);
          }
          expect(decode(series).walk).toEqual([...expected.values()].sort((a, b) => a.day - b.day));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a day that is not a day number', () => {
    expect(() => upsertWalkPoint(emptySeries, open(1.5, 1))).toThrow(RangeError);
    expect(() => upsertWalkPoint(emptySeries, open(-1, 1))).toThrow(RangeError);
  });
});

describe('the plan section', () => {
  it('round-trips every kind of tier value: nulls, whole numbers, cents, other fractions, unknown texts', () => {
    const plans: PlanPoint[] = [
      {
        day: day0,
        tiers: [
          tier(),
          tier({ usageType: 'EMAILS', level: null, min: 0, max: null, usage: 250_000, price: 29.99, currency: 'CAD' }),
          tier({ usageType: 'SOMETHING_NEW', price: 1 / 3, currency: 'CHF', level: -1, usage: null }),
          tier({ usageType: null, currency: null, price: null, min: null, max: Number.MAX_SAFE_INTEGER }),
        ],
      },
      { day: day0 + 3, tiers: [] },
      { day: day0 + 4, tiers: [tier({ price: 0.07, usage: 2501, level: 3 })] },
    ];
    expect(decode(encode({ plans })).plans).toEqual(plans);
  });

  it('round-trips any tiers', () => {
    const number = fc.option(
      fc.oneof(
        fc.integer(),
        fc.maxSafeInteger(),
        fc.double({ noNaN: true }),
        fc.integer({ min: -100_000, max: 100_000 }).map((c) => c / 100),
      ),
    );
    const text = fc.option(fc.oneof(fc.constantFrom('CONTACTS', 'USD', 'EMAILS', 'EUR'), fc.string({ maxLength: 8 })));
    const arbitraryTier = fc.record({
      usageType: text,
      level: number,
      min: number,
      max: number,
      usage: number,
      price: number,
      currency: text,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 50_000 }), { maxLength: 10 }),
        fc.array(fc.array(arbitraryTier, { maxLength: 4 }), { minLength: 10, maxLength: 10 }),
        (days, tierLists) => {
          const plans = days.sort((a, b) => a - b).map((day, i) => ({ day, tiers: tierLists[i] ?? [] }));
          // -0 is read back as 0; every other value exactly.
          const noNegativeZero = (v: unknown) => (Object.is(v, -0) ? 0 : v);
          expect(decode(encode({ plans })).plans).toEqual(
            plans.map((p) => ({
              day: p.day,
              tiers: p.tiers.map((t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, noNegativeZero(v)]))),
            })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a plan read in a few bytes a tier', () => {
    const series = encode({ plans: [{ day: day0, tiers: [tier(), tier({ usageType: 'EMAILS', level: 1 })] }] });
    expect(series.length).toBeLessThan(40);
  });

  it('upserts by day (the day’s last wins), leaving the walk points alone', () => {
    const walk = [open(day0, 5), open(day0 + 1, 6)];
    let series = encode({ walk });
    series = upsertPlanPoint(series, { day: day0 + 1, tiers: [tier({ usage: 1 })] });
    series = upsertPlanPoint(series, { day: day0, tiers: [tier({ usage: 0 })] });
    series = upsertPlanPoint(series, { day: day0 + 1, tiers: [tier({ usage: 2 })] });
    expect(decode(series)).toEqual({
      walk,
      plans: [
        { day: day0, tiers: [tier({ usage: 0 })] },
        { day: day0 + 1, tiers: [tier({ usage: 2 })] },
      ],
    });
    expect(upsertPlanPoint(series, { day: day0 + 1, tiers: [tier({ usage: 2 })] })).toBe(series);
  });

  it('copies the tiers it is given', () => {
    const given = tier();
    const series = upsertPlanPoint(emptySeries, { day: day0, tiers: [given] });
    given.usage = 999_999;
    expect(decode(series).plans[0]?.tiers[0]?.usage).toBe(1200);
  });
});

describe('trim', () => {
  it('drops walk and plan points before the oldest day kept', () => {
    const walk = Array.from({ length: 10 }, (_, i) => open(day0 + i, 100 + i * 3, i < 4 ? 'Trial' : 'Open'));
    const plans = [0, 4, 8].map((d) => ({ day: day0 + d, tiers: [tier({ usage: d })] }));
    const series = trim(encode({ walk, plans }), day0 + 5);
    expect(decode(series)).toEqual({ walk: walk.slice(5), plans: plans.slice(2) });
  });

  it('cuts a run of unchanged days in the middle', () => {
    const walk = Array.from({ length: 30 }, (_, i) => open(day0 + i, 77));
    expect(decode(trim(encode({ walk }), day0 + 12)).walk).toEqual(walk.slice(12));
  });

  it('hands back the same array when nothing is that old', () => {
    const series = encode({ walk: [open(day0, 1)], plans: [{ day: day0 + 1, tiers: [] }] });
    expect(trim(series, day0)).toBe(series);
    expect(trim(emptySeries, day0)).toBe(emptySeries);
  });

  it('is zero bytes once every point is gone', () => {
    const series = encode({ walk: [open(day0, 1)], plans: [{ day: day0, tiers: [tier()] }] });
    expect(trim(series, day0 + 1)).toEqual(emptySeries);
  });

  it('keeps the walk when only plan points are that old, and the reverse', () => {
    const a = encode({ walk: [open(day0 + 5, 1)], plans: [{ day: day0, tiers: [tier()] }] });
    expect(decode(trim(a, day0 + 1))).toEqual({ walk: [open(day0 + 5, 1)], plans: [] });
    const b = encode({ walk: [open(day0, 1)], plans: [{ day: day0 + 5, tiers: [tier()] }] });
    expect(decode(trim(b, day0 + 1))).toEqual({ walk: [], plans: [{ day: day0 + 5, tiers: [tier()] }] });
  });

  it('matches filtering the decoded points, for any walk and any cut', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ gap: fc.integer({ min: 1, max: 5 }), count: fc.option(fc.integer({ min: 0, max: 90 })) }),
          {
            maxLength: 200,
          },
        ),
        fc.integer({ min: 0, max: 600 }),
        (steps, cut) => {
          let day = day0;
          const walk = steps.map((s) => open((day += s.gap), s.count, s.count === null ? null : 'Open'));
          expect(decode(trim(encode({ walk }), day0 + cut)).walk).toEqual(walk.filter((p) => p.day >= day0 + cut));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('a year of walks, one upsert and one trim a day', () => {
  it('keeps the window, and stays as small as encoding it in one go', () => {
    const walk = realisticYear(prng(3), 500);
    let apart = emptySeries;
    let together = emptySeries;
    for (const point of walk) {
      apart = trim(upsertWalkPoint(apart, point), point.day - 399);
      together = upsertWalkPoint(together, point, point.day - 399);
    }
    expect(decode(apart).walk).toEqual(walk.slice(100));
    expect(apart).toEqual(encode({ walk: walk.slice(100) }));
    expect(together).toEqual(apart);
  });
});

describe('upsertWalkPoint with the oldest day kept', () => {
  it('trims both sections in the same pass', () => {
    const walk = [open(day0, 1), open(day0 + 1, 2), open(day0 + 2, 3)];
    const plans = [0, 2].map((d) => ({ day: day0 + d, tiers: [tier({ usage: d })] }));
    const series = upsertWalkPoint(encode({ walk, plans }), open(day0 + 3, 4), day0 + 2);
    expect(decode(series)).toEqual({ walk: [open(day0 + 2, 3), open(day0 + 3, 4)], plans: plans.slice(1) });
  });

  it('trims even when the day’s point is unchanged, and hands back the same array only when nothing is that old', () => {
    const series = encode({ walk: [open(day0, 1), open(day0 + 1, 2)] });
    expect(upsertWalkPoint(series, open(day0 + 1, 2), day0)).toBe(series);
    expect(decode(upsertWalkPoint(series, open(day0 + 1, 2), day0 + 1)).walk).toEqual([open(day0 + 1, 2)]);
    const withPlan = encode({ walk: [open(day0 + 1, 2)], plans: [{ day: day0, tiers: [] }] });
    expect(decode(upsertWalkPoint(withPlan, open(day0 + 1, 2), day0 + 1))).toEqual({
      walk: [open(day0 + 1, 2)],
      plans: [],
    });
  });

  it('does not keep a point that is itself older than the window', () => {
    const series = upsertWalkPoint(encode({ walk: [open(day0 + 5, 1)] }), open(day0, 9), day0 + 1);
    expect(decode(series).walk).toEqual([open(day0 + 5, 1)]);
    expect(upsertWalkPoint(emptySeries, open(day0, 9), day0 + 1)).toEqual(emptySeries);
  });
});

describe('plan facts (version 2)', () => {
  it('keeps the billing day and the plan type of each plan point, known codes in one byte', () => {
    const plans: PlanPoint[] = [
      { day: day0, tiers: [tier()], billingDay: 31, planType: 'GOLD' },
      { day: day0 + 1, tiers: [tier()], billingDay: 1, planType: 'NEW_PLAN' },
      { day: day0 + 2, tiers: [tier()] },
    ];
    const series = encode({ plans });
    expect(decode(series).plans).toEqual(plans);
    const known = encode({ plans: [{ day: day0, tiers: [], billingDay: 15, planType: 'BETTER' }] });
    // version, plan length, day (3 bytes), billing day, plan type, tier count
    expect([...known]).toEqual([2, 6, ...varint(day0), 15, 3, 0]);
  });

  it('keeps no billing day that is not 1–31', () => {
    for (const billingDay of [0, 32, 1.5, -1, null]) {
      const series = encode({ plans: [{ day: day0, tiers: [], billingDay }] });
      expect(decode(series).plans[0]?.billingDay).toBeUndefined();
    }
  });

  it('reads a version 1 series and writes it back as version 2, points unchanged', () => {
    // Version 1: plan points without billing day or plan type.
    const v1 = Uint8Array.from([1, 1 + varint(day0).length, ...varint(day0), 0, ...varint(day0), 0xc4, 0xc8, 0x01, 1]);
    expect(decode(v1)).toEqual({ walk: [open(day0, 100)], plans: [{ day: day0, tiers: [] }] });
    const upgraded = upsertWalkPoint(v1, open(day0 + 1, 101));
    expect(upgraded[0]).toBe(2);
    expect(decode(upgraded)).toEqual({
      walk: [open(day0, 100), open(day0 + 1, 101)],
      plans: [{ day: day0, tiers: [] }],
    });
    const withPlan = upsertPlanPoint(v1, { day: day0 + 1, tiers: [], billingDay: 9 });
    expect(decode(withPlan).plans).toEqual([
      { day: day0, tiers: [] },
      { day: day0 + 1, tiers: [], billingDay: 9 },
    ]);
    expect(decode(trim(v1, day0 + 1))).toEqual({ walk: [], plans: [] });
  });
});

describe('bytes it cannot read', () => {
  it.each([
    ['another version', [3, 0]],
    ['a plan section past the end', [1, 9, 0]],
    ['a walk that ends mid-value', [1, 0, 0x80]],
    ['an unknown walk token', [1, 0, 10, 0xc8]],
    ['an unknown status code', [1, 0, 10, 0xc4, 0, 9]],
    ['a zero gap', [1, 0, 10, 0xc1, 0, 0]],
    ['a runaway varint', [1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['a text that is not UTF-8', [1, 0, 10, 0xc4, 0, 0xff, 2, 0xc3, 0x28]],
    ['plan points out of order', [1, 6, 10, 0, 0, 0, 0, 0]],
  ])('%s is a SeriesFormatError', (_, bytes) => {
    expect(() => decode(Uint8Array.from(bytes))).toThrow(SeriesFormatError);
  });

  it('never throws anything else, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SeriesFormatError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}
