import type { Logger } from '../logger.ts';
import type { WebhookSubscription } from '../partner/constantContact.ts';
import type { Store } from '../store/createStore.ts';
import type { AlertStore, SubscriptionsSeen, TopicState } from './alertStore.ts';

/** The partner API's webhook subscriptions, as alerts use them. */
export interface Subscriptions {
  list(deadline: number): Promise<WebhookSubscription[]>;
  put(topicId: number, hookUri: string, deadline: number): Promise<void>;
  requestTest(topicId: number, deadline: number): Promise<void>;
}

/** The four topics: tier upgrade, tier downgrade, account cancelled, account disabled. */
export const alertTopics = [1, 2, 3, 4] as const;

export type SyncResult =
  | { kind: 'synced'; changed: number[]; unchanged: number[] }
  /** Another replica is making the same check right now. */
  | { kind: 'elsewhere' };

/** Where each topic points, told apart by `isOurs` (the hook's path ends in planbot's secret). */
export function topicStates(
  subscriptions: WebhookSubscription[],
  isOurs: (hookUri: string) => boolean,
  at: number,
): SubscriptionsSeen {
  return {
    at,
    topics: alertTopics.map((topicId) => {
      const hookUri = subscriptions.find((s) => s.topicId === topicId)?.hookUri ?? null;
      const state: TopicState = hookUri === null ? 'none' : isOurs(hookUri) ? 'planbot' : 'elsewhere';
      return { topicId, state };
    }),
  };
}

/**
 * Makes topics 1–4 point at planbot's endpoint: reads them, and PUTs only those that differ, so a
 * restart costs one request and changes nothing. One replica at a time.
 */
export async function syncSubscriptions(o: {
  subscriptions: Subscriptions;
  hookUri: string;
  store: AlertStore;
  locks: Pick<Store, 'claim' | 'release'>;
  logger: Logger;
  now: () => number;
}): Promise<SyncResult> {
  const key = 'held:alerts-subscription-sync';
  if (!(await o.locks.claim(key, 120_000))) return { kind: 'elsewhere' };
  try {
    const deadline = () => o.now() + 30_000;
    const current = await o.subscriptions.list(deadline());
    const changed: number[] = [];
    const unchanged: number[] = [];
    for (const topic of alertTopics) {
      if (current.find((s) => s.topicId === topic)?.hookUri === o.hookUri) {
        unchanged.push(topic);
        continue;
      }
      await o.subscriptions.put(topic, o.hookUri, deadline());
      changed.push(topic);
    }
    await o.store.setSubscriptionsSeen({
      at: o.now(),
      topics: alertTopics.map((topicId) => ({ topicId, state: 'planbot' as const })),
    });
    return { kind: 'synced', changed, unchanged };
  } finally {
    await o.locks.release(key);
  }
}
