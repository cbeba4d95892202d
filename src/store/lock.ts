import type { Store } from './createStore.ts';

/** The lock was not free within the wait: the caller should try again later. */
export class LockTimeoutError extends Error {
  readonly code = 'lock_timeout';
  constructor(key: string) {
    super(`could not take the lock ${key} in time`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Runs `work` holding `key` across every replica sharing the store: for read-modify-write of one
 * stored value (a channel's alert feed) that two replicas may change at the same moment. The lock
 * expires after `ttlMs`, so a replica that dies holding it blocks the others for that long at most.
 */
export async function withLock<T>(
  store: Pick<Store, 'claim' | 'release'>,
  key: string,
  work: () => Promise<T>,
  options: { ttlMs?: number; waitMs?: number } = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? 10_000;
  const giveUpAt = Date.now() + (options.waitMs ?? 15_000);
  let pause = 2;
  while (!(await store.claim(`held:lock:${key}`, ttlMs))) {
    if (Date.now() > giveUpAt) throw new LockTimeoutError(key);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 50);
  }
  try {
    return await work();
  } finally {
    await store.release(`held:lock:${key}`);
  }
}
