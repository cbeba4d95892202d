import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import { describe, expect, it } from 'vitest';
import { daysUntil, formatDate, nextBillingDate, ordinal } from '../../../src/billing/nextBillingDate.ts';

/** A UTC instant; a bare date means midnight UTC. */
const at = (iso: string) => new Date(iso.includes('T') ? iso : `${iso}T00:00:00Z`);
const day = (date: Date) => date.toISOString().slice(0, 10);

describe('nextBillingDate', () => {
  const cases = [
    {
      name: 'a billing day later this month falls this month',
      billingDay: 29,
      today: '2026-03-10',
      want: '2026-03-29',
    },
    {
      name: 'a billing day earlier this month rolls to next month',
      billingDay: 5,
      today: '2026-03-10',
      want: '2026-04-05',
    },
    { name: 'a billing day equal to today is today', billingDay: 10, today: '2026-03-10', want: '2026-03-10' },
    {
      name: 'a billing day equal to today is still today one second before UTC midnight',
      billingDay: 10,
      today: '2026-03-10T23:59:59Z',
      want: '2026-03-10',
    },
    { name: 'a billing day of 1 on the 1st is today', billingDay: 1, today: '2026-03-01', want: '2026-03-01' },
    { name: 'a billing day of 31 falls on 30 April', billingDay: 31, today: '2026-04-10', want: '2026-04-30' },
    { name: 'a billing day of 31 is today on 30 April', billingDay: 31, today: '2026-04-30', want: '2026-04-30' },
    {
      name: 'a billing day of 31 seen on 1 April falls on 30 April, not 1 May',
      billingDay: 31,
      today: '2026-04-01',
      want: '2026-04-30',
    },
    {
      name: 'a billing day of 30 seen on 31 January falls on the last day of February',
      billingDay: 30,
      today: '2027-01-31',
      want: '2027-02-28',
    },
    {
      name: 'a billing day of 29 falls on 29 February in a leap year',
      billingDay: 29,
      today: '2028-02-10',
      want: '2028-02-29',
    },
    {
      name: 'a billing day of 30 falls on 29 February in a leap year',
      billingDay: 30,
      today: '2028-02-10',
      want: '2028-02-29',
    },
    {
      name: 'a billing day of 31 falls on 29 February in a leap year',
      billingDay: 31,
      today: '2028-02-10',
      want: '2028-02-29',
    },
    {
      name: 'a billing day of 29 falls on 28 February in a non-leap year',
      billingDay: 29,
      today: '2027-02-10',
      want: '2027-02-28',
    },
    {
      name: 'a billing day of 30 falls on 28 February in a non-leap year',
      billingDay: 30,
      today: '2027-02-10',
      want: '2027-02-28',
    },
    {
      name: 'a billing day of 31 falls on 28 February in a non-leap year',
      billingDay: 31,
      today: '2027-02-10',
      want: '2027-02-28',
    },
    {
      name: 'a billing day of 31 is today on 28 February in a non-leap year',
      billingDay: 31,
      today: '2027-02-28',
      want: '2027-02-28',
    },
    {
      name: 'a billing day of 28 stays on the 28th in February',
      billingDay: 28,
      today: '2027-02-10',
      want: '2027-02-28',
    },
    {
      name: 'a billing day of 31 after February bills on 31 March',
      billingDay: 31,
      today: '2027-03-01',
      want: '2027-03-31',
    },
    {
      name: 'a billing day passed in December rolls into January of next year',
      billingDay: 5,
      today: '2026-12-20',
      want: '2027-01-05',
    },
    {
      name: 'a billing day of 1 seen on 2 December is 1 January of next year',
      billingDay: 1,
      today: '2026-12-02',
      want: '2027-01-01',
    },
    {
      name: 'a billing day of 31 is today on New Year’s Eve',
      billingDay: 31,
      today: '2026-12-31T12:00:00Z',
      want: '2026-12-31',
    },
  ];

  it.each(cases)('$name', ({ billingDay, today, want }) => {
    const got = nextBillingDate(billingDay, at(today));
    expect(got.toISOString()).toBe(`${want}T00:00:00.000Z`);
  });

  it.each([{ name: 'the next billing date is never before today', days: Array.from({ length: 31 }, (_, i) => i + 1) }])(
    '$name, for every billing day on every day of 2027 and 2028',
    ({ days }) => {
      for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2029, 0, 1); t += 86_400_000) {
        const today = new Date(t);
        for (const d of days) {
          const next = nextBillingDate(d, today);
          const wait = daysUntil(next, today);
          expect(wait, `day ${d} from ${day(today)}`).toBeGreaterThanOrEqual(0);
          expect(wait, `day ${d} from ${day(today)}`).toBeLessThanOrEqual(31);
        }
      }
    },
  );
});

describe('nextBillingDate against a calendar library', () => {
  dayjs.extend(utc);
  /** The rule as a calendar library states it: this month's or next month's billing day, capped at the month's last day. */
  const oracle = (billingDay: number, today: Date) => {
    const start = dayjs.utc(today).startOf('day');
    for (const offset of [0, 1]) {
      const month = start.add(offset, 'month').startOf('month');
      const candidate = month.date(Math.min(billingDay, month.daysInMonth()));
      if (!candidate.isBefore(start)) return candidate.toISOString();
    }
    throw new Error('no candidate');
  };

  it('agrees on every billing day, every day from 2026 to 2029, early and late in the UTC day', () => {
    let checked = 0;
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2030, 0, 1); t += 86_400_000) {
      for (const today of [new Date(t), new Date(t + 86_399_000)]) {
        for (let d = 1; d <= 31; d++) {
          expect(nextBillingDate(d, today).toISOString(), `day ${d} from ${today.toISOString()}`).toBe(
            oracle(d, today),
          );
          checked++;
        }
      }
    }
    expect(checked).toBe(1461 * 2 * 31);
  });

  it('formats every day of 2026 to 2029 as the library does', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2030, 0, 1); t += 86_400_000) {
      const date = new Date(t + 82_800_000);
      expect(formatDate(date)).toBe(dayjs.utc(date).format('ddd, MMM D, YYYY'));
    }
  });

  it.each([0, 32, -1, 1.5])('refuses a billing day of %s, which no month has', (billingDay) => {
    expect(() => nextBillingDate(billingDay, at('2026-03-10'))).toThrow(RangeError);
  });
});

describe('daysUntil', () => {
  it.each([
    {
      name: 'the same UTC date is 0 days away whatever the time of day',
      date: '2026-03-10T23:59:00Z',
      today: '2026-03-10T00:00:00Z',
      want: 0,
    },
    {
      name: 'tomorrow is 1 day away even one minute before midnight',
      date: '2026-03-11',
      today: '2026-03-10T23:59:00Z',
      want: 1,
    },
    { name: 'a date across the new year counts the days between', date: '2027-01-05', today: '2026-12-20', want: 16 },
    { name: 'a leap day counts in a leap year', date: '2028-03-01', today: '2028-02-28', want: 2 },
    { name: 'there is no leap day in a non-leap year', date: '2027-03-01', today: '2027-02-28', want: 1 },
  ])('$name', ({ date, today, want }) => {
    expect(daysUntil(at(date), at(today))).toBe(want);
  });
});

describe('formatDate', () => {
  it.each([
    { name: 'a date reads as weekday, month, day and year', date: '2026-12-29', want: 'Tue, Dec 29, 2026' },
    { name: 'a leap day reads as 29 February', date: '2028-02-29', want: 'Tue, Feb 29, 2028' },
    { name: 'a single-digit day has no leading zero', date: '2027-01-05', want: 'Tue, Jan 5, 2027' },
    { name: 'a late-evening UTC instant keeps its UTC date', date: '2026-03-10T23:30:00Z', want: 'Tue, Mar 10, 2026' },
  ])('$name', ({ date, want }) => {
    expect(formatDate(at(date))).toBe(want);
  });
});

describe('ordinal', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [24, '24th'],
    [30, '30th'],
    [31, '31st'],
    [111, '111th'],
    [112, '112th'],
    [101, '101st'],
  ])('%i is written %s', (n, want) => {
    expect(ordinal(n)).toBe(want);
  });
});
