import type { DigestRunner, DigestRunResult } from '../digests/runDigest.ts';
import type { DigestStore } from '../digests/digestStore.ts';
import { type DigestSchedule, parseDigestCommand } from '../digests/schedule.ts';
import type { DigestScheduler } from '../digests/scheduler.ts';
import type { Logger } from '../logger.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import { type ScheduleFacts, scheduleFacts } from './digestFacts.ts';
import type { Asker } from './types.ts';

/** What came of `/plan digest …` in a channel. */
export type DigestSettingsOutcome =
  | { kind: 'not_configured' }
  | { kind: 'paused' }
  /** `problem` is mrkdwn from the schedule's grammar, the person's words escaped. */
  | { kind: 'invalid'; problem: string }
  | { kind: 'shown'; schedule: ScheduleFacts; watched: number }
  | { kind: 'off' }
  /** `digest now`: the run goes on after the first answer; `run` resolves with how it ended. */
  | { kind: 'started'; run: () => Promise<DigestRunResult['outcome']> }
  | {
      kind: 'set';
      schedule: DigestSchedule;
      /** Where the time zone came from: the command, the person's Slack profile, or UTC for want of either. */
      zone: 'given' | 'profile' | 'utc';
      facts: ScheduleFacts;
    };

export function digestSettingsOutcomeName(outcome: DigestSettingsOutcome): string {
  return outcome.kind === 'invalid' ? 'invalid_input' : outcome.kind;
}

export interface DigestSettingsUseCase {
  run(args: string[], asker: Asker): Promise<DigestSettingsOutcome>;
}

export function createDigestSettingsUseCase(deps: {
  store: DigestStore;
  scheduler: DigestScheduler;
  runner: DigestRunner;
  lookup: PlanLookup;
  /** The person's IANA time zone from their Slack profile. */
  userTimeZone: (userId: string) => Promise<string | undefined>;
  logger: Logger;
  now: () => number;
  storeAvailable: () => Promise<boolean>;
}): DigestSettingsUseCase {
  return {
    async run(args, asker) {
      const channel = asker.channelId;
      if (!deps.lookup.configured) return { kind: 'not_configured' };
      if (!(await deps.storeAvailable())) {
        deps.logger.warn(
          { event: 'digest_command_refused', why: 'store unavailable', channel, command: 'digest' },
          'digest command refused while the store is away',
        );
        return { kind: 'paused' };
      }
      const parsed = parseDigestCommand(args);
      switch (parsed.kind) {
        case 'invalid':
          return { kind: 'invalid', problem: parsed.problem };
        case 'show':
          return {
            kind: 'shown',
            schedule: await scheduleFacts(deps.store, deps.scheduler, channel),
            watched: (await deps.store.watchlist(channel)).length,
          };
        case 'off':
          await deps.store.clearSchedule(channel);
          await deps.scheduler.remove(channel);
          return { kind: 'off' };
        case 'now':
          return { kind: 'started', run: async () => (await deps.runner.run(channel, 'now')).outcome };
        case 'set': {
          let timeZone = parsed.timeZone;
          let zone: 'given' | 'profile' | 'utc' = 'given';
          if (!timeZone) {
            timeZone = await deps.userTimeZone(asker.userId);
            zone = timeZone === undefined ? 'utc' : 'profile';
          }
          const schedule: DigestSchedule = {
            cadence: parsed.cadence,
            ...(parsed.day ? { day: parsed.day } : {}),
            hour: parsed.hour,
            minute: parsed.minute,
            timeZone: timeZone ?? 'UTC',
          };
          const setAt = deps.now();
          await deps.store.setSchedule(channel, { schedule, setBy: asker.userId, setAt });
          await deps.scheduler.set(channel, schedule, setAt, await deps.store.lastRun(channel));
          return { kind: 'set', schedule, zone, facts: await scheduleFacts(deps.store, deps.scheduler, channel) };
        }
      }
    },
  };
}
