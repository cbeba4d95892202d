import { describe, expect, it } from 'vitest';
import { createInProcessScheduler } from '../../../src/digests/scheduler.ts';
import type { DigestSchedule } from '../../../src/digests/schedule.ts';
import { createLogger } from '../../../src/logger.ts';
import { fakeClock } from '../../helpers/fakeClock.ts';

const nyWeekdays: DigestSchedule = { cadence: 'weekdays', hour: 8, minute: 0, timeZone: 'America/New_York' };

function setup(start: string) {
  const clock = fakeClock(start);
  const runs: Array<{ channel: string; at: string; reason: string; clock: string }> = [];
  const scheduler = createInProcessScheduler({
    clock,
    logger: createLogger('silent'),
    run: async (channel, at, reason) => {
      runs.push({ channel, at: at.toISOString(), reason, clock: new Date(clock.now()).toISOString() });
      return false;
    },
  });
  return { clock, runs, scheduler };
}

describe('the in-process digest scheduler', () => {
  it('runs each weekday at 08:00 New York time, across the change to daylight saving', async () => {
    const { clock, runs, scheduler } = setup('2026-03-05T15:00:00Z');
    await scheduler.set('C1', nyWeekdays, clock.now(), undefined);
    await clock.advanceTo('2026-03-11T00:00:00Z');
    expect(runs.map((r) => r.at)).toEqual([
      '2026-03-06T13:00:00.000Z', // Friday, EST
      '2026-03-09T12:00:00.000Z', // Monday, EDT: still 08:00 local
      '2026-03-10T12:00:00.000Z',
    ]);
    expect(runs.every((r) => r.clock === r.at && r.reason === 'scheduled')).toBe(true);
  });

  it('runs a monthly-end weekly schedule and stops when removed', async () => {
    const { clock, runs, scheduler } = setup('2026-01-28T00:00:00Z');
    await scheduler.set(
      'C1',
      { cadence: 'weekly', day: 'sat', hour: 9, minute: 15, timeZone: 'UTC' },
      clock.now(),
      undefined,
    );
    await clock.advanceTo('2026-02-08T00:00:00Z');
    expect(runs.map((r) => r.at)).toEqual(['2026-01-31T09:15:00.000Z', '2026-02-07T09:15:00.000Z']);
    await scheduler.remove('C1');
    await clock.advanceTo('2026-03-01T00:00:00Z');
    expect(runs).toHaveLength(2);
    expect(await scheduler.nextRun('C1')).toBeUndefined();
  });

  it('says when the next run is', async () => {
    const { clock, scheduler } = setup('2026-03-06T14:00:00Z');
    await scheduler.set('C1', nyWeekdays, clock.now(), undefined);
    expect((await scheduler.nextRun('C1'))?.toISOString()).toBe('2026-03-09T12:00:00.000Z');
  });

  it('posts a run missed less than an hour ago once at start', async () => {
    const { clock, runs, scheduler } = setup('2026-03-10T12:40:00Z');
    await scheduler.set('C1', nyWeekdays, Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-03-09T12:00:00Z'));
    await clock.advance(0);
    expect(runs).toEqual([
      { channel: 'C1', at: '2026-03-10T12:00:00.000Z', reason: 'catch-up', clock: '2026-03-10T12:40:00.000Z' },
    ]);
  });

  it.each([
    {
      name: 'missed by more than an hour',
      start: '2026-03-10T13:30:00Z',
      lastRun: '2026-03-09T12:00:00Z',
      setAt: '2026-03-01T00:00:00Z',
    },
    {
      name: 'already posted',
      start: '2026-03-10T12:40:00Z',
      lastRun: '2026-03-10T12:00:05Z',
      setAt: '2026-03-01T00:00:00Z',
    },
    {
      name: 'scheduled after that run',
      start: '2026-03-10T12:40:00Z',
      lastRun: undefined,
      setAt: '2026-03-10T12:30:00Z',
    },
  ])('does not catch up a run $name', async ({ start, lastRun, setAt }) => {
    const { clock, runs, scheduler } = setup(start);
    await scheduler.set('C1', nyWeekdays, Date.parse(setAt), lastRun ? Date.parse(lastRun) : undefined);
    await clock.advance(0);
    expect(runs).toEqual([]);
  });
});
