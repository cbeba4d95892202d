import type { DigestStore } from '../digests/digestStore.ts';
import type { DigestSchedule } from '../digests/schedule.ts';
import type { DigestScheduler } from '../digests/scheduler.ts';

/** A channel's digest schedule as people are told it: none, or the schedule and its next run. */
export interface ScheduleFacts {
  schedule: DigestSchedule | undefined;
  next: Date | undefined;
}

export async function scheduleFacts(
  store: DigestStore,
  scheduler: DigestScheduler,
  channel: string,
): Promise<ScheduleFacts> {
  const record = await store.schedule(channel);
  if (!record) return { schedule: undefined, next: undefined };
  return { schedule: record.schedule, next: await scheduler.nextRun(channel) };
}
