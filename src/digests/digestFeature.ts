import type { Store } from '../store/createStore.ts';
import type { DigestStore } from './digestStore.ts';
import type { DigestScheduler } from './scheduler.ts';

/** Scheduled digests as a feature: schedules survive restarts, a stop hands a running digest back. */
export interface DigestFeature {
  start(): Promise<void>;
  /** A running digest gets `graceMs` to finish, then is handed back to be resumed. */
  stop(graceMs: number): Promise<void>;
}

export function createDigestFeature(o: {
  store: DigestStore;
  scheduler: DigestScheduler;
  /** Schedules are restored only from a reachable store (never from a replica's memory). */
  health: Store['health'];
  /** False without partner credentials: there is nothing to restore. */
  configured: boolean;
}): DigestFeature {
  return {
    async start() {
      // Set each saved schedule up again, posting a run missed by under an hour.
      if (o.configured && (await o.health()) === 'ok') {
        for (const channel of await o.store.scheduledChannels()) {
          const record = await o.store.schedule(channel);
          if (record) await o.scheduler.restore(channel, record.schedule, record.setAt, await o.store.lastRun(channel));
        }
      }
      await o.scheduler.start();
    },
    stop: (graceMs) => o.scheduler.stop(graceMs),
  };
}
