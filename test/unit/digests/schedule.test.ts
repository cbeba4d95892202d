import { describe, expect, it } from 'vitest';
import {
  cronPattern,
  type DigestSchedule,
  describeSchedule,
  isTimeZone,
  lastRunAt,
  nextRunAt,
  parseDigestCommand,
} from '../../../src/digests/schedule.ts';

const words = (s: string) => s.split(' ').filter(Boolean);

describe('parseDigestCommand', () => {
  it.each([
    { input: '', want: { kind: 'show' } },
    { input: 'off', want: { kind: 'off' } },
    { input: 'now', want: { kind: 'now' } },
    { input: 'daily 08:30', want: { kind: 'set', cadence: 'daily', hour: 8, minute: 30, timeZone: undefined } },
    {
      input: 'weekdays 7:05 America/New_York',
      want: { kind: 'set', cadence: 'weekdays', hour: 7, minute: 5, timeZone: 'America/New_York' },
    },
    {
      input: 'weekly Monday 09:00 Europe/Berlin',
      want: { kind: 'set', cadence: 'weekly', day: 'mon', hour: 9, minute: 0, timeZone: 'Europe/Berlin' },
    },
    {
      input: 'weekly sun 23:59 UTC',
      want: { kind: 'set', cadence: 'weekly', day: 'sun', hour: 23, minute: 59, timeZone: 'UTC' },
    },
  ])('reads "digest $input"', ({ input, want }) => {
    expect(parseDigestCommand(words(input))).toMatchObject(want);
  });

  it.each([
    ['hourly 08:00', /daily, weekdays or weekly/],
    ['daily 24:00', /24-hour HH:MM/],
    ['daily 8am', /24-hour HH:MM/],
    ['daily 08:60', /24-hour HH:MM/],
    ['weekly 09:00', /needs a day/],
    ['weekly funday 09:00', /needs a day/],
    ['daily 08:00 Mars/Olympus', /not a time zone I know/],
    ['daily 08:00 UTC extra', /didn't understand/],
  ])('explains what is wrong with "digest %s", with an example', (input, want) => {
    const got = parseDigestCommand(words(input));
    expect(got.kind).toBe('invalid');
    expect(got.kind === 'invalid' && got.problem).toMatch(want);
    expect(got.kind === 'invalid' && got.problem).toMatch(/For example|IANA name/);
  });

  it.each([
    ['<!channel>', "I don't know the digest schedule `&lt;!channel&gt;`: use daily"],
    ['daily 08:30 <!here>', '`&lt;!here&gt;` is not a time zone I know'],
    ['weekly mon 09:00 UTC <@U0123>', "I didn't understand `&lt;@U0123&gt;`."],
    ['x`<!channel>`', "`x'&lt;!channel&gt;'`"],
  ])(
    'quotes "digest %s" escaped, in a code span it cannot close (a mention posts this for the whole thread)',
    (input, want) => {
      const got = parseDigestCommand(words(input));
      expect(got.kind === 'invalid' && got.problem).toContain(want);
    },
  );

  it('quotes at most 40 characters of what it did not understand', () => {
    const got = parseDigestCommand(words(`daily 08:30 UTC ${'word '.repeat(100)}`));
    expect(got.kind === 'invalid' && got.problem.length).toBeLessThan(200);
  });

  it('knows real time zones and refuses made-up ones', () => {
    expect(isTimeZone('America/Los_Angeles')).toBe(true);
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('Nowhere/Town')).toBe(false);
    expect(isTimeZone('../etc/passwd')).toBe(false);
  });
});

const nyWeekdays: DigestSchedule = { cadence: 'weekdays', hour: 8, minute: 0, timeZone: 'America/New_York' };

describe('when a digest runs', () => {
  it.each<{ name: string; s: DigestSchedule; after: string; want: string }>([
    {
      name: 'weekdays skip the weekend',
      s: nyWeekdays,
      after: '2026-03-06T14:00:00Z',
      want: '2026-03-09T12:00:00.000Z',
    },
    {
      name: 'New York keeps 08:00 local before daylight saving',
      s: nyWeekdays,
      after: '2026-03-05T14:00:00Z',
      want: '2026-03-06T13:00:00.000Z',
    },
    {
      name: 'and after it (08:00 EDT is 12:00 UTC)',
      s: nyWeekdays,
      after: '2026-03-09T13:00:00Z',
      want: '2026-03-10T12:00:00.000Z',
    },
    {
      name: 'and when it ends in November (07:30 EST is 12:30 UTC)',
      s: nyWeekdays,
      after: '2026-11-02T12:30:00Z',
      want: '2026-11-02T13:00:00.000Z',
    },
    {
      name: 'Berlin weekly on Sunday across its change',
      s: { cadence: 'weekly', day: 'sun', hour: 7, minute: 30, timeZone: 'Europe/Berlin' },
      after: '2026-03-22T07:00:00Z',
      want: '2026-03-29T05:30:00.000Z',
    },
    {
      name: 'daily rolls over a month end and a year end',
      s: { cadence: 'daily', hour: 6, minute: 0, timeZone: 'UTC' },
      after: '2026-12-31T06:00:00Z',
      want: '2027-01-01T06:00:00.000Z',
    },
  ])('$name', ({ s, after, want }) => {
    expect(nextRunAt(s, new Date(after)).toISOString()).toBe(want);
  });

  it('finds the run just missed, for catching up after a restart', () => {
    expect(lastRunAt(nyWeekdays, new Date('2026-03-10T12:40:00Z'))?.toISOString()).toBe('2026-03-10T12:00:00.000Z');
    expect(lastRunAt(nyWeekdays, new Date('2026-03-09T11:59:00Z'))?.toISOString()).toBe('2026-03-06T13:00:00.000Z');
  });

  it('says the schedule the way people set it', () => {
    expect(describeSchedule(nyWeekdays)).toBe('weekdays at 08:00 (America/New_York)');
    expect(cronPattern({ cadence: 'weekly', day: 'fri', hour: 17, minute: 5, timeZone: 'UTC' })).toBe('5 17 * * 5');
  });
});
