import { Cron } from 'croner';
import { code } from '../text/mrkdwn.ts';

export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

/** When a channel's digest is posted, in a named time zone (daylight-saving changes keep the local time). */
export interface DigestSchedule {
  cadence: 'daily' | 'weekdays' | 'weekly';
  /** Only for weekly. */
  day?: Weekday;
  hour: number;
  minute: number;
  /** IANA name, e.g. `America/New_York`. */
  timeZone: string;
}

export type DigestCommand =
  | { kind: 'show' }
  | { kind: 'off' }
  | { kind: 'now' }
  /** timeZone undefined: use the time zone of the person who set it. */
  | {
      kind: 'set';
      cadence: DigestSchedule['cadence'];
      day?: Weekday;
      hour: number;
      minute: number;
      timeZone: string | undefined;
    }
  | { kind: 'invalid'; problem: string };

export const digestExample = '`/plan digest weekdays 08:30 America/New_York`';

/**
 * The user's words in a problem, which goes out as mrkdwn (and, for a mention, to everyone in the
 * thread): escaped, in a code span they cannot break out of, and at most 40 characters.
 */
const quoted = (text: string) => code(text, 40);

/** True for a time zone Intl knows by its IANA name (or UTC). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{1,63}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function parseTime(text: string): { hour: number; minute: number } | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

function parseDay(text: string): Weekday | undefined {
  const three = text.toLowerCase().slice(0, 3);
  const full = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
  const ok =
    (weekdays as readonly string[]).includes(three) && (text.length === 3 || full.includes(text.toLowerCase()));
  return ok ? (three as Weekday) : undefined;
}

/** `digest`, `digest off`, `digest now`, `digest daily|weekdays HH:MM [TZ]`, `digest weekly <day> HH:MM [TZ]`. */
export function parseDigestCommand(args: string[]): DigestCommand {
  const [first, ...rest] = args;
  if (first === undefined) return { kind: 'show' };
  const word = first.toLowerCase();
  if (word === 'off' && rest.length === 0) return { kind: 'off' };
  if (word === 'now' && rest.length === 0) return { kind: 'now' };
  if (word !== 'daily' && word !== 'weekdays' && word !== 'weekly') {
    return {
      kind: 'invalid',
      problem: `I don't know the digest schedule ${quoted(first)}: use daily, weekdays or weekly. For example ${digestExample}`,
    };
  }
  let day: Weekday | undefined;
  let parts = rest;
  if (word === 'weekly') {
    day = parts[0] === undefined ? undefined : parseDay(parts[0]);
    if (!day)
      return {
        kind: 'invalid',
        problem: 'a weekly digest needs a day (mon…sun). For example `/plan digest weekly mon 09:00 Europe/Berlin`',
      };
    parts = parts.slice(1);
  }
  const [timeText, zone, ...extra] = parts;
  const time = timeText === undefined ? undefined : parseTime(timeText);
  if (!time)
    return {
      kind: 'invalid',
      problem: `the time must be 24-hour HH:MM, like 08:30 or 17:00. For example ${digestExample}`,
    };
  if (extra.length)
    return { kind: 'invalid', problem: `I didn't understand ${quoted(extra.join(' '))}. For example ${digestExample}` };
  if (zone !== undefined && !isTimeZone(zone)) {
    return {
      kind: 'invalid',
      problem: `${quoted(zone)} is not a time zone I know: use an IANA name like America/New_York, Europe/London or UTC`,
    };
  }
  return { kind: 'set', cadence: word, day, hour: time.hour, minute: time.minute, timeZone: zone };
}

/** The cron pattern croner runs: minute hour * * days. */
export function cronPattern(s: DigestSchedule): string {
  const days =
    s.cadence === 'daily' ? '*' : s.cadence === 'weekdays' ? '1-5' : String(weekdays.indexOf(s.day ?? 'mon'));
  return `${s.minute} ${s.hour} * * ${days}`;
}

/** The first run strictly after `after`, in the schedule's time zone. */
export function nextRunAt(s: DigestSchedule, after: Date): Date {
  const next = new Cron(cronPattern(s), { timezone: s.timeZone, paused: true }).nextRun(after);
  if (!next) throw new RangeError(`no next run for ${cronPattern(s)}`);
  return next;
}

/** The latest run at or before `at` (undefined if none within the last 8 days). */
export function lastRunAt(s: DigestSchedule, at: Date): Date | undefined {
  const cron = new Cron(cronPattern(s), { timezone: s.timeZone, paused: true });
  const from = new Date(at.getTime() - 8 * 24 * 3600_000);
  let last: Date | undefined;
  for (let run = cron.nextRun(from); run && run.getTime() <= at.getTime(); run = cron.nextRun(run)) last = run;
  return last;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "weekdays at 08:30 (America/New_York)". */
export function describeSchedule(s: DigestSchedule): string {
  const when = s.cadence === 'weekly' ? `every ${s.day ?? 'mon'}` : s.cadence === 'daily' ? 'daily' : 'weekdays';
  return `${when} at ${pad(s.hour)}:${pad(s.minute)} (${s.timeZone})`;
}
