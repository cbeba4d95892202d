import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);

/**
 * The next date (UTC, at or after `today`) on which an account with this billing day is billed.
 * A billing day past the end of a month falls on that month's last day (the 31st bills on
 * 30 April and on 28 or 29 February).
 */
export function nextBillingDate(billingDayOfMonth: number, today: Date): Date {
  const start = dayjs.utc(today).startOf('day');
  for (let monthOffset = 0; monthOffset < 2; monthOffset++) {
    const month = start.add(monthOffset, 'month').startOf('month');
    const day = Math.min(billingDayOfMonth, month.daysInMonth());
    const candidate = month.date(day);
    if (!candidate.isBefore(start)) return candidate.toDate();
  }
  // Unreachable for days 1–31: next month always has a candidate on or after today.
  throw new RangeError(`billing day ${billingDayOfMonth} is not a day of the month`);
}

/** Whole days from `today` to `date`, both taken as UTC dates. */
export function daysUntil(date: Date, today: Date): number {
  return dayjs.utc(date).startOf('day').diff(dayjs.utc(today).startOf('day'), 'day');
}

/** "Tue, Dec 29, 2026" — a date people read at a glance. */
export function formatDate(date: Date): string {
  return dayjs.utc(date).format('ddd, MMM D, YYYY');
}

/** 1 → "1st", 22 → "22nd". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
