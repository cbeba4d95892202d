import type { AlertStore, ChannelAlerts, LastNotification, SubscriptionsSeen } from '../alerts/alertStore.ts';
import type { Intake } from '../alerts/intake.ts';
import { type Subscriptions, topicStates } from '../alerts/subscriptions.ts';
import { parseAlertsCommand } from '../grammar/alertsCommand.ts';
import type { Logger } from '../logger.ts';
import { type Asker, type Failure, failureOf } from './types.ts';

/** What `/plan alerts` shows besides the channel's own setting. */
export interface AlertFacts {
  /** The webhook endpoint exists (`CC_WEBHOOK_SECRET` is set). */
  endpoint: boolean;
  /** planbot keeps the subscriptions itself (`PUBLIC_URL` is set too). */
  keepsSubscriptions: boolean;
  /** Where the topics point, read now or at planbot's last check; undefined when never read. */
  subscriptions: (SubscriptionsSeen & { live: boolean }) | undefined;
  lastNotification: LastNotification | undefined;
  /** Accounts this channel watches. */
  watched: number;
}

export type AlertsOutcome =
  | { kind: 'not_configured' }
  | { kind: 'paused' }
  | { kind: 'invalid'; word: string }
  | { kind: 'shown'; settings: ChannelAlerts | undefined; facts: AlertFacts }
  | { kind: 'set'; settings: ChannelAlerts; facts: AlertFacts }
  | { kind: 'off'; wasOn: boolean }
  /** `test` without the endpoint: nothing could arrive. */
  | { kind: 'no_endpoint' }
  | { kind: 'test_requested' }
  | { kind: 'test_failed'; failure: Failure }
  /** Demo mode: a sample account moved up a tier and its notification went through planbot. */
  | { kind: 'test_simulated'; accountId: string; alertsOn: boolean };

export function alertsOutcomeName(outcome: AlertsOutcome): string {
  return outcome.kind === 'invalid' ? 'invalid_input' : outcome.kind;
}

export interface AlertsUseCase {
  run(args: string[], asker: Asker): Promise<AlertsOutcome>;
}

export function createAlertsUseCase(deps: {
  store: AlertStore;
  watchlist: (channel: string) => Promise<string[]>;
  configured: boolean;
  endpoint: boolean;
  keepsSubscriptions: boolean;
  subscriptions: Subscriptions | undefined;
  /** Whether a hook URI is planbot's own endpoint. */
  isOurHook: (hookUri: string) => boolean;
  intake: Intake | undefined;
  /** Demo mode: moves a sample account up a tier and returns the notification Constant Contact would send. */
  simulateUpgrade?: (preferred: string[]) => Promise<{ accountId: string; body: string }>;
  storeAvailable: () => Promise<boolean>;
  logger: Logger;
  now: () => number;
}): AlertsUseCase {
  async function facts(channel: string): Promise<AlertFacts> {
    let subscriptions: AlertFacts['subscriptions'];
    const stored = await deps.store.subscriptionsSeen();
    if (deps.subscriptions && deps.endpoint) {
      try {
        const list = await deps.subscriptions.list(deps.now() + 5_000);
        const seen = topicStates(list, deps.isOurHook, deps.now());
        await deps.store.setSubscriptionsSeen(seen);
        subscriptions = { ...seen, live: true };
      } catch (error) {
        deps.logger.warn({ event: 'subscriptions_unreadable', err: error }, 'could not read the subscriptions');
      }
    }
    subscriptions ??= stored ? { ...stored, live: false } : undefined;
    return {
      endpoint: deps.endpoint,
      keepsSubscriptions: deps.keepsSubscriptions,
      subscriptions,
      lastNotification: await deps.store.lastNotification(),
      watched: (await deps.watchlist(channel)).length,
    };
  }

  return {
    async run(args, asker) {
      const channel = asker.channelId;
      if (!deps.configured) return { kind: 'not_configured' };
      if (!(await deps.storeAvailable())) return { kind: 'paused' };
      const cmd = parseAlertsCommand(args);
      switch (cmd.kind) {
        case 'invalid':
          return { kind: 'invalid', word: cmd.word };
        case 'show':
          return { kind: 'shown', settings: await deps.store.channel(channel), facts: await facts(channel) };
        case 'set': {
          const settings: ChannelAlerts = {
            scope: cmd.scope,
            kinds: cmd.kinds,
            setBy: asker.userId,
            setAt: deps.now(),
          };
          await deps.store.setChannel(channel, settings);
          return { kind: 'set', settings, facts: await facts(channel) };
        }
        case 'off': {
          const wasOn = (await deps.store.channel(channel)) !== undefined;
          await deps.store.clearChannel(channel);
          return { kind: 'off', wasOn };
        }
        case 'test':
          return test(asker);
      }
    },
  };

  async function test(asker: Asker): Promise<AlertsOutcome> {
    const channel = asker.channelId;
    if (!deps.endpoint || !deps.intake) return { kind: 'no_endpoint' };
    await deps.store.setPendingTest({ channel, userId: asker.userId, requestedAt: deps.now() });
    if (deps.simulateUpgrade) {
      const { accountId, body } = await deps.simulateUpgrade(await deps.watchlist(channel));
      await deps.intake.receive(body);
      return { kind: 'test_simulated', accountId, alertsOn: (await deps.store.channel(channel)) !== undefined };
    }
    try {
      await deps.subscriptions?.requestTest(1, deps.now() + 10_000);
      return { kind: 'test_requested' };
    } catch (error) {
      await deps.store.setPendingTest(undefined);
      deps.logger.warn({ event: 'alerts_test_failed', err: error }, 'Constant Contact refused the test request');
      return { kind: 'test_failed', failure: failureOf(error) };
    }
  }
}
