import { createNodeRedisClient, type Job, Queue, Worker } from 'bullmq';
import type { RedisClientType } from 'redis';
import type { Logger } from '../logger.ts';
import { cronPattern } from './schedule.ts';
import { catchUpWindowMs, type DigestScheduler, type RunDigest, scheduledRunKey } from './scheduler.ts';

interface DigestJobData {
  channel: string;
}

const queueName = 'digests';
const schedulerId = (channel: string) => `digest:${channel}`;

/** The time a scheduler-made job was due: its id is `repeat:<scheduler>:<millis>`. */
function dueAt(job: Job<DigestJobData>): Date {
  const millis = Number(/:(\d+)$/.exec(job.id ?? '')?.[1]);
  return new Date(Number.isFinite(millis) && millis > 0 ? millis : job.timestamp + (job.opts.delay ?? 0));
}

/**
 * Digests for several replicas, on BullMQ's job schedulers in the shared Redis. Each schedule makes
 * one job per due time (its id holds the time), so however many replicas upsert the same schedule,
 * each digest is one job, run by one worker. A worker that dies stops renewing the job's lock; after
 * `takeoverMs` another replica's worker takes the job back, and the run's saved progress keeps it
 * from posting anything twice. While Redis is away, nothing runs; due jobs wait in Redis.
 */
export async function createQueueScheduler(o: {
  /** A new Redis client each time (BullMQ needs its own, one of them blocking). */
  newClient: () => RedisClientType;
  prefix: string;
  logger: Logger;
  run: RunDigest;
  now: () => number;
  takeoverMs: number;
}): Promise<DigestScheduler> {
  let lastError = '';
  const onError = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    // BullMQ repeats connection errors while Redis is away: log each new one once.
    if (message !== lastError) o.logger.warn({ event: 'digest_queue_error', error: message }, 'digest queue error');
    lastError = message;
  };
  const connection = () => {
    const client = createNodeRedisClient(o.newClient());
    // Connection errors are re-emitted here; without a listener they would crash the process.
    client.on('error', (error: unknown) => onError(error));
    return client;
  };
  const prefix = `${o.prefix}:bull`;
  const queue = new Queue<DigestJobData>(queueName, { connection: connection(), prefix });
  const stopping = new AbortController();

  const process = async (job: Job<DigestJobData>) => {
    const channel = job.data.channel;
    const due = dueAt(job);
    const lateMs = o.now() - due.getTime();
    if (lateMs > catchUpWindowMs && job.attemptsMade === 0) {
      o.logger.warn(
        { event: 'digest_skipped', channel, scheduledFor: due.toISOString(), lateMs },
        'skipped a digest missed by over an hour',
      );
      return;
    }
    const retry = await o.run(
      channel,
      due,
      lateMs > 60_000 ? 'catch-up' : 'scheduled',
      scheduledRunKey(channel, due),
      stopping.signal,
    );
    // Thrown, BullMQ tries again later (backoff), possibly on another replica; the run resumes.
    if (retry) throw new Error(`digest for ${channel} not finished; it will be tried again`);
  };

  const worker = new Worker<DigestJobData>(queueName, process, {
    connection: connection(),
    prefix,
    // Started by start(), once everything the runs need exists.
    autorun: false,
    concurrency: 2,
    // The lock is renewed every half lockDuration; a dead worker's job is taken back within takeoverMs.
    lockDuration: Math.max(1_000, o.takeoverMs / 2),
    stalledInterval: Math.max(1_000, o.takeoverMs / 2),
    maxStalledCount: 3,
  });
  worker.on('error', onError);
  queue.on('error', onError);
  worker.on('failed', (job, error) => {
    if (job)
      o.logger.warn(
        { event: 'digest_job_retry', channel: job.data.channel, attempt: job.attemptsMade, error: error.message },
        'digest will be tried again',
      );
  });

  const upsert = (channel: string, schedule: Parameters<DigestScheduler['set']>[1]) =>
    queue.upsertJobScheduler(
      schedulerId(channel),
      { pattern: cronPattern(schedule), tz: schedule.timeZone },
      {
        name: 'digest',
        data: { channel },
        opts: {
          attempts: 6,
          backoff: { type: 'exponential', delay: 10_000 },
          removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
        },
      },
    );

  return {
    async start() {
      void worker.run().catch(onError);
    },
    async set(channel, schedule) {
      await upsert(channel, schedule);
    },
    async restore(channel, schedule) {
      // Left alone when Redis already has it: upserting again could replace a due job that waited out an outage.
      const existing = await queue.getJobScheduler(schedulerId(channel));
      if (existing?.pattern === cronPattern(schedule) && existing.tz === schedule.timeZone) return;
      await upsert(channel, schedule);
    },
    async remove(channel) {
      await queue.removeJobScheduler(schedulerId(channel));
    },
    async nextRun(channel) {
      const scheduler = await queue.getJobScheduler(schedulerId(channel));
      return scheduler?.next ? new Date(scheduler.next) : undefined;
    },
    async stop(graceMs) {
      // close() stops taking jobs and waits for running ones; past the grace they are handed back.
      const timer = setTimeout(() => stopping.abort(), graceMs);
      // While Redis is away BullMQ's close waits for it; the process must still stop.
      const closed = await within(
        worker.close().then(() => queue.close()),
        graceMs + 3_000,
      );
      clearTimeout(timer);
      if (!closed) {
        o.logger.warn(
          { event: 'digest_queue_close_timeout' },
          'the digest queue did not close in time (is Redis away?); stopping anyway',
        );
        void worker.close(true).catch(() => undefined);
      }
    },
  };
}

function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}
