import type { DurableKv, Store } from '../store/createStore.ts';
import { withLock } from '../store/lock.ts';
import { type AccountState, type Alert, sameState } from './accountState.ts';
import type { ChosenKind } from '../grammar/alertsCommand.ts';

/** Who gets alerts in a channel (or a person's DM with planbot). */
export interface ChannelAlerts {
  /** `watched`: the accounts the channel's watchlist names; `all`: every account of the partner. */
  scope: 'watched' | 'all';
  kinds: ChosenKind[];
  setBy: string;
  setAt: number;
}

/** The last state planbot read of an account, from any source, and the one before it when it changed. */
export interface KnownState {
  state: AccountState;
  at: number;
  before?: AccountState;
}

/** Alerts waiting to be posted in one channel, and the thread the latest burst is grouped in. */
export interface Feed {
  pending: Alert[];
  /** Keys of alerts already posted here (the most recent ones), so a retried append posts nothing twice. */
  posted: string[];
  group?: FeedGroup;
}

export interface FeedGroup {
  /** The summary message; the details reply in its thread. */
  ts: string;
  /** Alerts listed in the thread so far, by kind. */
  counts: Partial<Record<Alert['kind'], number>>;
  /** What the summary says. */
  shown: Partial<Record<Alert['kind'], number>>;
  startedAt: number;
  lastPostAt: number;
}

export interface Announced {
  stateKey: string;
  seq: number;
}

export interface LastNotification {
  at: number;
  eventType: string;
  accountId: string;
}

/** Where a topic points, as people may see it: the hook's URI holds the secret, so it is never kept or shown. */
export type TopicState = 'planbot' | 'elsewhere' | 'none';

export interface SubscriptionsSeen {
  at: number;
  topics: Array<{ topicId: number; state: TopicState }>;
}

export interface PendingTest {
  channel: string;
  userId: string;
  requestedAt: number;
}

const postedKept = 1000;

/** Everything alerts keep: per account, per channel, and the few facts `/plan alerts` shows. */
export class AlertStore {
  readonly #kv: DurableKv;
  readonly #known: DurableKv;
  readonly #locks: Pick<Store, 'claim' | 'release'>;

  /**
   * `known` holds what every plan read saw: written on each lookup, so it must never wait for an
   * absent Redis (a cache view, which falls back to memory); a lost entry only means an alert says
   * it knew no earlier state. Everything else here must not be lost.
   */
  constructor(kv: DurableKv, known: DurableKv, locks: Pick<Store, 'claim' | 'release'>) {
    this.#kv = kv;
    this.#known = known;
    this.#locks = locks;
  }

  // Per account.
  async known(accountId: string): Promise<KnownState | undefined> {
    return this.#known.get<KnownState>(`known:${accountId}`);
  }

  /** Records a read; when the state moved, the previous one is kept as `before`. */
  async remember(accountId: string, state: AccountState, at: number): Promise<void> {
    const known = await this.known(accountId);
    if (known && known.at > at) return;
    const record: KnownState =
      known && !sameState(known.state, state)
        ? { state, at, before: known.state }
        : { state, at, ...(known?.before ? { before: known.before } : {}) };
    await this.#known.set(`known:${accountId}`, record);
  }

  async setKnown(accountId: string, record: KnownState): Promise<void> {
    await this.#known.set(`known:${accountId}`, record);
  }

  /** The last state alerts announced for the account (`alertKey`), and how many announcements it has had. */
  async announced(accountId: string): Promise<Announced | undefined> {
    return this.#kv.get<Announced>(`announced:${accountId}`);
  }

  async setAnnounced(accountId: string, announced: Announced): Promise<void> {
    await this.#kv.set(`announced:${accountId}`, announced);
  }

  // Per channel.
  async channel(channel: string): Promise<ChannelAlerts | undefined> {
    return this.#kv.get<ChannelAlerts>(`channel:${channel}`);
  }

  async setChannel(channel: string, settings: ChannelAlerts): Promise<void> {
    await this.#kv.set(`channel:${channel}`, settings);
    await withLock(this.#locks, 'alerts:channels', async () => {
      const channels = await this.channels();
      if (!channels.includes(channel)) await this.#kv.set('channels', [...channels, channel]);
    });
  }

  async clearChannel(channel: string): Promise<void> {
    await this.#kv.delete(`channel:${channel}`);
    await withLock(this.#locks, 'alerts:channels', async () => {
      const channels = await this.channels();
      await this.#kv.set(
        'channels',
        channels.filter((c) => c !== channel),
      );
    });
  }

  /** Every channel with alerts on. */
  async channels(): Promise<string[]> {
    return (await this.#kv.get<string[]>('channels')) ?? [];
  }

  async feed(channel: string): Promise<Feed> {
    return (await this.#kv.get<Feed>(`feed:${channel}`)) ?? { pending: [], posted: [] };
  }

  /** Changes a channel's feed, one replica at a time. */
  async updateFeed<T>(channel: string, change: (feed: Feed) => T): Promise<T> {
    return withLock(this.#locks, `alerts:feed:${channel}`, async () => {
      const feed = await this.feed(channel);
      const result = change(feed);
      feed.posted = feed.posted.slice(-postedKept);
      await this.#kv.set(`feed:${channel}`, feed);
      return result;
    });
  }

  /** Queues an alert for the channel unless it is queued or was posted already; true when queued now. */
  async enqueue(channel: string, alert: Alert): Promise<boolean> {
    return this.updateFeed(channel, (feed) => {
      if (feed.posted.includes(alert.key) || feed.pending.some((a) => a.key === alert.key)) return false;
      feed.pending.push(alert);
      return true;
    });
  }

  // What `/plan alerts` shows.
  async lastNotification(): Promise<LastNotification | undefined> {
    return this.#kv.get<LastNotification>('last-notification');
  }

  async setLastNotification(last: LastNotification): Promise<void> {
    await this.#kv.set('last-notification', last);
  }

  async subscriptionsSeen(): Promise<SubscriptionsSeen | undefined> {
    return this.#kv.get<SubscriptionsSeen>('subscriptions');
  }

  async setSubscriptionsSeen(seen: SubscriptionsSeen): Promise<void> {
    await this.#kv.set('subscriptions', seen);
  }

  async pendingTest(): Promise<PendingTest | undefined> {
    return this.#kv.get<PendingTest>('pending-test');
  }

  /** A test lasts an hour: Constant Contact retries for that long, after which nothing will come. */
  async setPendingTest(test: PendingTest | undefined): Promise<void> {
    if (test) await this.#kv.set('pending-test', test, 3600_000);
    else await this.#kv.delete('pending-test');
  }
}
