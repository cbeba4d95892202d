import type { Audit } from '../audit/audit.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError, NotConfiguredError } from '../partner/errors.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import type { DurableQueue, QueuedItem } from '../store/durableQueue.ts';
import { type Alert, alertKey, kindOfChange, stateOf, unknownState } from './accountState.ts';
import type { AlertStore, KnownState, PendingTest } from './alertStore.ts';
import { decide } from './decide.ts';
import { kindOfEvent, type StoredNotification } from './notification.ts';
import { channelsFor } from './targets.ts';

export interface AlertWorker {
  start(): void;
  /** Wakes the worker: a notification was just stored. */
  kick(): void;
  /** Stops taking notifications; waits (bounded) for the one being worked on. */
  stop(waitMs: number): Promise<void>;
}

/** Failures that will not pass by trying again: the notification is set aside. */
const finalFailures = new Set(['not_found', 'forbidden', 'bad_request']);

/**
 * Works through stored notifications one at a time: one plan read each, through the same rate gate
 * as everything else, so a burst of notifications holds one place in the gate's queue and a
 * person's lookup waits one turn at most. A notification stays stored until its alerts are queued
 * for their channels: a replica that dies on it leaves it to the next take once the lease ends.
 */
export function createAlertWorker(o: {
  queue: DurableQueue<StoredNotification>;
  store: AlertStore;
  lookup: PlanLookup;
  /** The account's name from the index, when it is indexed. */
  accountName: (accountId: string) => Promise<string | null>;
  watchlist: (channel: string) => Promise<string[]>;
  /** Told which channels got new alerts to post. */
  queued: (channels: string[]) => void;
  /** Told when the test notification `/plan alerts test` asked for has come. */
  testArrived: (test: PendingTest, notification: StoredNotification) => Promise<void>;
  audit: Audit;
  logger: Logger;
  now: () => number;
  leaseMs?: number;
  pollMs?: number;
  /** Tries before a notification whose plan cannot be read is alerted from the notification alone (a lease apart each). */
  maxAttempts?: number;
}): AlertWorker {
  const leaseMs = o.leaseMs ?? 30_000;
  const pollMs = o.pollMs ?? 1_000;
  const maxAttempts = o.maxAttempts ?? 60;
  let stopped = true;
  let wake: (() => void) | undefined;
  let running: Promise<void> | undefined;

  const record = (n: StoredNotification, outcome: string, started: number) =>
    o.audit.record({
      action: 'webhook',
      command: 'alert',
      user: undefined,
      team: undefined,
      channel: '-',
      target: `${n.accountId} ${n.eventType}`,
      outcome,
      durationMs: o.now() - started,
    });

  async function checkTest(n: StoredNotification) {
    const test = await o.store.pendingTest();
    if (!test || n.receivedAt < test.requestedAt) return;
    await o.store.setPendingTest(undefined);
    await o.testArrived(test, n);
  }

  /**
   * Queues an alert from what the notification itself says, when its plan cannot be read. Nothing
   * is marked announced or known: the change was not seen, so a later read still compares with
   * the state before it. The notification's id keys the alert, so working on it again posts nothing
   * twice. While the quota is spent, the account, the kind and the UTC day key it instead: a
   * notification Constant Contact repeats (with a new delivery, and nothing read to tell the two
   * apart) says nothing the first alert did not.
   */
  async function alertUnread(
    n: StoredNotification,
    known: KnownState | undefined,
    why: NonNullable<Alert['unread']>,
    detail: { code: string; attempts: number },
    started: number,
  ) {
    const kind = kindOfEvent(n.eventType);
    const alert: Alert = {
      accountId: n.accountId,
      kind,
      eventType: n.eventType,
      previous: known?.state,
      current: unknownState(),
      unread: why,
      name: await o.accountName(n.accountId).catch(() => null),
      at: o.now(),
      key:
        why === 'quota_exceeded'
          ? `${n.accountId}#unread:${kind}:${new Date(o.now()).toISOString().slice(0, 10)}`
          : `${n.accountId}#unread:${n.id}`,
    };
    const channels = await channelsFor(n.accountId, kind, o.store, o.watchlist);
    const fresh: string[] = [];
    for (const channel of channels) if (await o.store.enqueue(channel, alert)) fresh.push(channel);
    o.logger.warn(
      {
        event: 'alert_plan_unread',
        accountId: n.accountId,
        eventType: n.eventType,
        why,
        ...detail,
        channels: channels.length,
        queued: fresh.length,
      },
      why === 'quota_exceeded'
        ? "today's Constant Contact quota is spent: the alert goes out now from what the notification says, without the current plan"
        : 'the plan a notification named could not be read after every try: the alert goes out from what the notification says',
    );
    record(n, channels.length === 0 ? 'no_channel' : `alert_${kind}_unread`, started);
    if (fresh.length > 0) o.queued(fresh);
  }

  /** True when the notification is finished with (worked on, or set aside). */
  async function work(item: QueuedItem<StoredNotification>): Promise<boolean> {
    const n = item.item;
    const started = o.now();
    await checkTest(n).catch((error: unknown) =>
      o.logger.warn({ event: 'alert_test_report_failed', err: error }, 'could not report the test notification'),
    );
    const known = await o.store.known(n.accountId);
    const announced = await o.store.announced(n.accountId);
    let plan;
    try {
      // Fresh: the lookup cache could still hold the state from before the change.
      ({ plan } = await o.lookup.get(n.accountId, o.now() + 60_000, { fresh: true, purpose: 'alert' }));
    } catch (error) {
      const code = isUpstreamError(error)
        ? error.code
        : error instanceof NotConfiguredError
          ? 'not_configured'
          : 'internal';
      const final = finalFailures.has(code) || code === 'not_configured';
      // A spent quota comes back only at 00:00 UTC: holding the alert that long, or retrying until it
      // is dropped, would keep people from a change they asked to hear about. It goes out now instead.
      const unread = final
        ? undefined
        : code === 'quota_exceeded'
          ? 'quota_exceeded'
          : item.attempts >= maxAttempts
            ? 'unavailable'
            : undefined;
      if (unread) {
        await alertUnread(n, known, unread, { code, attempts: item.attempts }, started);
        return true;
      }
      o.logger[final ? 'warn' : 'info'](
        { event: 'alert_read_failed', accountId: n.accountId, code, attempts: item.attempts, final, err: error },
        final
          ? 'could not read the plan a notification named; setting it aside'
          : 'could not read the plan yet; will try again',
      );
      if (final) record(n, `read_${code}`, started);
      return final;
    }
    const current = stateOf(plan);
    const decision = decide(n.accountId, current, known, announced?.stateKey);
    if (decision.kind === 'announced') {
      await o.store.remember(n.accountId, current, o.now());
      record(n, 'already_announced', started);
      return true;
    }
    const seq = (announced?.seq ?? 0) + 1;
    const eventKind = kindOfEvent(n.eventType);
    const kind = kindOfChange(decision.previous, current, eventKind);
    const alert: Alert = {
      accountId: n.accountId,
      kind,
      eventType: n.eventType,
      previous: decision.previous,
      current,
      name: await o.accountName(n.accountId).catch(() => null),
      at: o.now(),
      key: `${n.accountId}#${seq}`,
    };
    const channels = await channelsFor(n.accountId, kind, o.store, o.watchlist);
    // Queued before the state is marked announced: a crash in between queues again, and the feed
    // ignores an alert it already holds or posted.
    const fresh: string[] = [];
    for (const channel of channels) if (await o.store.enqueue(channel, alert)) fresh.push(channel);
    await o.store.setAnnounced(n.accountId, { stateKey: alertKey(n.accountId, current), seq });
    await o.store.setKnown(n.accountId, {
      state: current,
      at: o.now(),
      ...(decision.previous ? { before: decision.previous } : {}),
    });
    record(n, channels.length === 0 ? 'no_channel' : `alert_${kind}`, started);
    if (fresh.length > 0) o.queued(fresh);
    return true;
  }

  async function loop() {
    while (!stopped) {
      let item: QueuedItem<StoredNotification> | undefined;
      try {
        item = await o.queue.take(leaseMs);
      } catch (error) {
        o.logger.warn({ event: 'alert_queue_unavailable', err: error }, 'could not read the notification queue');
      }
      if (!item) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        continue;
      }
      try {
        if (await work(item)) await o.queue.done(item.id);
      } catch (error) {
        // The store failed mid-way: the lease runs out and the notification is worked on again.
        o.logger.error({ event: 'alert_work_failed', id: item.id, err: error }, 'could not work on a notification');
      }
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      running = loop();
    },
    kick() {
      wake?.();
    },
    async stop(waitMs) {
      stopped = true;
      wake?.();
      if (running) await Promise.race([running, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    },
  };
}
