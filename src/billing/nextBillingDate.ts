/*
 * Plain UTC date arithmetic: every card computes these, and a handful of dayjs objects per call
 * made them the largest source of short-lived garbage on a card's path.
 */

const dayMs = 86_400_000;

/** The UTC midnight that starts `date`'s day. */
function startOfDay(date: Date): number {
  return Math.floor(date.getTime() / dayMs) * dayMs;
}

/** Days in a month; `month` may run past 11 (Date.UTC carries it into the next year). */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * The next date (UTC, at or after `today`) on which an account with this billing day is billed.
 * A billing day past the end of a month falls on that month's last day (the 31st bills on
 * 30 April and on 28 or 29 February).
 */
export function nextBillingDate(billingDayOfMonth: number, today: Date): Date {
  if (!Number.isInteger(billingDayOfMonth) || billingDayOfMonth < 1 || billingDayOfMonth > 31)
    throw new RangeError(`billing day ${billingDayOfMonth} is not a day of the month`);
  const start = startOfDay(today);
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth();
  for (let monthOffset = 0; monthOffset < 2; monthOffset++) {
    const day = Math.min(billingDayOfMonth, daysInMonth(year, month + monthOffset));
    const candidate = Date.UTC(year, month + monthOffset, day);
    if (candidate >= start) return new Date(candidate);
  }
  // Unreachable for days 1–31: next month always has a candidate on or after today.
  throw new RangeError(`no billing date for day ${billingDayOfMonth} after ${today.toISOString()}`);
}

/** Whole days from `today` to `date`, both taken as UTC dates. */
export function daysUntil(date: Date, today: Date): number {
  return Math.round((startOfDay(date) - startOfDay(today)) / dayMs);
}

/** Made once: building a formatter costs far more than using one. */
const dateFormat = new Intl.DateTimeFormat('en-US', {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "Tue, Dec 29, 2026" — a date people read at a glance. */
export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

/** 1 → "1st", 22 → "22nd". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
