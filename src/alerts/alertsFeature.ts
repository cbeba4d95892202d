import type { AccessVerdict } from '../access/accessGate.ts';
import type { Audit } from '../audit/audit.ts';
import type { Logger } from '../logger.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import type { SlackPoster } from '../slackApi/poster.ts';
import type { Store } from '../store/createStore.ts';
import type { Alert } from './accountState.ts';
import type { AlertStore, PendingTest } from './alertStore.ts';
import { type AlertRenderer, createAlertDispatcher } from './dispatcher.ts';
import { createIntake, type Intake } from './intake.ts';
import type { StoredNotification } from './notification.ts';
import { type Subscriptions, syncSubscriptions } from './subscriptions.ts';
import { createAlertWorker } from './worker.ts';

/** Real-time alerts as a feature: the webhook's intake, the worker, the posting, the subscriptions. */
export interface AlertsFeature {
  /** Undefined when `CC_WEBHOOK_SECRET` is not set: there is no endpoint. */
  intake: Intake | undefined;
  start(): void;
  stop(waitMs: number): Promise<void>;
}

export function createAlertsFeature(o: {
  store: Store;
  alerts: AlertStore;
  lookup: PlanLookup;
  accountName: (accountId: string) => Promise<string | null>;
  watchlist: (channel: string) => Promise<string[]>;
  poster: SlackPoster;
  render: AlertRenderer & { testArrived(test: PendingTest, notification: StoredNotification): SlackMessage };
  mayPostIn: (channel: string) => Promise<AccessVerdict>;
  onPosted: (alert: Alert) => void;
  countNotification: (outcome: string) => void;
  audit: Audit;
  logger: Logger;
  now: () => number;
  /** Planbot's API key: a notification must carry it. */
  apiKey: string | undefined;
  /** The endpoint exists (the secret is set). */
  endpoint: boolean;
  /** Set with PUBLIC_URL: planbot keeps topics 1–4 pointing here. */
  hookUri: string | undefined;
  subscriptions: Subscriptions | undefined;
  leaseMs?: number;
  gatherMs?: number;
}): AlertsFeature {
  const { logger } = o;
  const queue = o.store.queue<StoredNotification>('cc-notifications');
  const dispatcher = createAlertDispatcher({
    store: o.alerts,
    locks: o.store,
    poster: o.poster,
    render: o.render,
    mayPostIn: o.mayPostIn,
    onPosted: o.onPosted,
    audit: o.audit,
    logger,
    now: o.now,
    gatherMs: o.gatherMs,
  });
  const worker = createAlertWorker({
    queue,
    store: o.alerts,
    lookup: o.lookup,
    accountName: o.accountName,
    watchlist: o.watchlist,
    queued: (channels) => dispatcher.kick(channels),
    testArrived: async (test, notification) => {
      await o.poster.post(test.channel, o.render.testArrived(test, notification));
    },
    audit: o.audit,
    logger,
    now: o.now,
    leaseMs: o.leaseMs,
  });
  const intake = o.endpoint
    ? createIntake({
        queue,
        store: o.alerts,
        apiKey: o.apiKey,
        stored: () => worker.kick(),
        count: o.countNotification,
        audit: o.audit,
        logger,
        now: o.now,
      })
    : undefined;
  let syncTimer: NodeJS.Timeout | undefined;

  const sync = (attempt: number) => {
    if (!o.subscriptions || !o.hookUri) return;
    void syncSubscriptions({
      subscriptions: o.subscriptions,
      hookUri: o.hookUri,
      store: o.alerts,
      locks: o.store,
      logger,
      now: o.now,
    }).then(
      (result) => {
        if (result.kind === 'elsewhere')
          return logger.info(
            { event: 'subscriptions_sync_elsewhere' },
            'another replica is checking the subscriptions',
          );
        logger.info(
          { event: 'subscriptions_synced', changed: result.changed, unchanged: result.unchanged },
          result.changed.length > 0
            ? `pointed Constant Contact topics ${result.changed.join(', ')} at planbot's webhook`
            : 'Constant Contact topics 1–4 already point at planbot’s webhook',
        );
      },
      (error: unknown) => {
        const retryMs = Math.min(60_000 * 2 ** attempt, 30 * 60_000);
        logger.warn(
          { event: 'subscriptions_sync_failed', err: error, retryMs },
          'could not check the Constant Contact subscriptions; will try again',
        );
        syncTimer = setTimeout(() => sync(attempt + 1), retryMs).unref();
      },
    );
  };

  return {
    intake,
    start() {
      // Without partner credentials there is nothing to read; notifications wait in the store.
      if (!o.lookup.configured) return;
      worker.start();
      dispatcher.start();
      sync(0);
    },
    async stop(waitMs) {
      if (syncTimer) clearTimeout(syncTimer);
      await Promise.all([worker.stop(waitMs), dispatcher.stop(waitMs)]);
    },
  };
}
