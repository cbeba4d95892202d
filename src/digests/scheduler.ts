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
  /** Starts running digests (called once everything they need exists). */
  start(): Promise<void>;
  /** Sets a saved schedule up again at start-up (posting a run missed by under an hour). */
  restore(channel: string, schedule: DigestSchedule, setAt: number, lastRun: number | undefined): Promise<void>;
  /** (Re)schedules a channel; `setAt` is when the schedule was chosen (no catch-up before it). */
  set(channel: string, schedule: DigestSchedule, setAt: number, lastRun: number | undefined): Promise<void>;
  remove(channel: string): Promise<void>;
  nextRun(channel: string): Promise<Date | undefined>;
  /** Stops scheduling; a running digest gets `graceMs` to finish, then is handed back. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Runs one scheduled digest. `runKey` names the scheduled run, so running it again resumes it;
 * `signal` aborts at shutdown. Resolves true when it should be tried again.
 */
export type RunDigest = (
  channel: string,
  scheduledFor: Date,
  reason: 'scheduled' | 'catch-up',
  runKey: string,
  signal: AbortSignal,
) => Promise<boolean>;

/** The same name for the same scheduled run, whichever replica or restart runs it. */
export const scheduledRunKey = (channel: string, scheduledFor: Date) => `${channel}:${scheduledFor.toISOString()}`;

/** A run missed while planbot was down is posted at start if it is less than this late. */
export const catchUpWindowMs = 60 * 60_000;
/** Timers longer than this are re-armed (Node's limit is about 24.8 days). */
const maxTimerMs = 2 ** 31 - 1;

export function createInProcessScheduler(deps: { clock: Clock; run: RunDigest; logger: Logger }): DigestScheduler {
  const jobs = new Map<string, { schedule: DigestSchedule; next: Date; timer: unknown }>();
  const stopping = new AbortController();
  const active = new Set<Promise<unknown>>();
  const start = (channel: string, at: Date, reason: 'scheduled' | 'catch-up') => {
    // A retry is left to the next start's catch-up: the run's key resumes it without double posts.
    const run = deps.run(channel, at, reason, scheduledRunKey(channel, at), stopping.signal).catch((error: unknown) => {
      deps.logger.error({ err: error, event: 'digest_failed', channel }, `${reason} digest failed`);
    });
    active.add(run);
    void run.finally(() => active.delete(run));
  };

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
      start(channel, next, 'scheduled');
    };
    const timer = deps.clock.setTimeout(fire, Math.min(maxTimerMs, Math.max(0, next.getTime() - deps.clock.now())));
    jobs.set(channel, { schedule, next, timer });
  };

  return {
    async start() {
      // Timers are armed by set() and restore().
    },
    async restore(channel, schedule, setAt, lastRun) {
      await this.set(channel, schedule, setAt, lastRun);
    },
    async set(channel, schedule, setAt, lastRun) {
      await this.remove(channel);
      const now = deps.clock.now();
      arm(channel, schedule, now);
      const missed = lastRunAt(schedule, new Date(now));
      if (!missed || missed.getTime() <= setAt || (lastRun !== undefined && lastRun >= missed.getTime())) return;
      const lateMs = now - missed.getTime();
      if (lateMs < catchUpWindowMs) {
        deps.logger.info(
          { event: 'digest_catch_up', channel, scheduledFor: missed.toISOString(), lateMs },
          'posting a missed digest',
        );
        start(channel, missed, 'catch-up');
      } else {
        deps.logger.warn(
          { event: 'digest_skipped', channel, scheduledFor: missed.toISOString(), lateMs },
          'skipped a digest missed by over an hour',
        );
      }
    },
    async remove(channel) {
      const job = jobs.get(channel);
      if (job) deps.clock.clearTimeout(job.timer);
      jobs.delete(channel);
    },
    async nextRun(channel) {
      return jobs.get(channel)?.next;
    },
    async stop(graceMs) {
      for (const job of jobs.values()) deps.clock.clearTimeout(job.timer);
      jobs.clear();
      if (active.size === 0) return;
      const timer = setTimeout(() => stopping.abort(), graceMs);
      await Promise.all(active);
      clearTimeout(timer);
    },
  };
}
