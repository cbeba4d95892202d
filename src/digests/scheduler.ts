import type { Logger } from '../logger.ts';
import { type DigestSchedule, lastRunAt, nextRunAt } from './schedule.ts';

/** Time as a parameter: the real clock in production, a hand-wound one in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Decides when each channel's digest runs. One small interface, so the embedded in-process
 * scheduler here and a Redis-backed one for several replicas can stand in for each other.
 */
export interface DigestScheduler {
  /** (Re)schedules a channel; `setAt` is when the schedule was chosen (no catch-up before it). */
  set(channel: string, schedule: DigestSchedule, setAt: number, lastRun: number | undefined): void;
  remove(channel: string): void;
  nextRun(channel: string): Date | undefined;
  stop(): void;
}

export type RunDigest = (channel: string, scheduledFor: Date, reason: 'scheduled' | 'catch-up') => Promise<void>;

/** A run missed while planbot was down is posted at start if it is less than this late. */
export const catchUpWindowMs = 60 * 60_000;
/** Timers longer than this are re-armed (Node's limit is about 24.8 days). */
const maxTimerMs = 2 ** 31 - 1;

export function createInProcessScheduler(deps: { clock: Clock; run: RunDigest; logger: Logger }): DigestScheduler {
  const jobs = new Map<string, { schedule: DigestSchedule; next: Date; timer: unknown }>();

  const arm = (channel: string, schedule: DigestSchedule, after: number) => {
    const next = nextRunAt(schedule, new Date(after));
    const fire = () => {
      const job = jobs.get(channel);
      if (!job || job.next !== next) return;
      if (deps.clock.now() < next.getTime()) {
        // A long wait was split into several timers.
        job.timer = deps.clock.setTimeout(fire, Math.min(maxTimerMs, next.getTime() - deps.clock.now()));
        return;
      }
      arm(channel, schedule, next.getTime());
      deps.run(channel, next, 'scheduled').catch((error: unknown) => {
        deps.logger.error({ err: error, event: 'digest_failed', channel }, 'scheduled digest failed');
      });
    };
    const timer = deps.clock.setTimeout(fire, Math.min(maxTimerMs, Math.max(0, next.getTime() - deps.clock.now())));
    jobs.set(channel, { schedule, next, timer });
  };

  return {
    set(channel, schedule, setAt, lastRun) {
      this.remove(channel);
      const now = deps.clock.now();
      arm(channel, schedule, now);
      const missed = lastRunAt(schedule, new Date(now));
      if (!missed || missed.getTime() <= setAt || (lastRun !== undefined && lastRun >= missed.getTime())) return;
      const lateMs = now - missed.getTime();
      if (lateMs < catchUpWindowMs) {
        deps.logger.info({ event: 'digest_catch_up', channel, scheduledFor: missed.toISOString(), lateMs }, 'posting a missed digest');
        deps.run(channel, missed, 'catch-up').catch((error: unknown) => {
          deps.logger.error({ err: error, event: 'digest_failed', channel }, 'catch-up digest failed');
        });
      } else {
        deps.logger.warn({ event: 'digest_skipped', channel, scheduledFor: missed.toISOString(), lateMs }, 'skipped a digest missed by over an hour');
      }
    },
    remove(channel) {
      const job = jobs.get(channel);
      if (job) deps.clock.clearTimeout(job.timer);
      jobs.delete(channel);
    },
    nextRun(channel) {
      return jobs.get(channel)?.next;
    },
    stop() {
      for (const job of jobs.values()) deps.clock.clearTimeout(job.timer);
      jobs.clear();
    },
  };
}
