import type { IndexNotReady, IndexFacts } from '../accounts/finder.ts';
import type { IntervalInForce, LastWalk } from '../accounts/indexFeature.ts';
import type { AlertStore, LastNotification, SubscriptionsSeen } from '../alerts/alertStore.ts';
import type { DigestStore } from '../digests/digestStore.ts';
import { type DigestSchedule, lastRunAt, nextRunAt } from '../digests/schedule.ts';
import type { BuildInfo } from '../lifecycle/buildInfo.ts';
import type { RecentCount, RecentEvents } from '../lifecycle/recentEvents.ts';
import type { Logger } from '../logger.ts';
import type { QuotaSnapshot } from '../partner/quota.ts';
import type { TokenFacts } from '../partner/tokenProvider.ts';
import type { StoreHealth } from '../store/createStore.ts';
import type { ReplicaBeat } from '../store/replicaHeartbeat.ts';
import type { Asker } from './types.ts';

/** One part of the report: read, not read in time (or failed), or not part of this setup. */
export type Part<T> =
  { kind: 'ok'; value: T } | { kind: 'unavailable'; reason: 'timeout' | 'failed' } | { kind: 'not_set_up' };

export interface RunMode {
  receiver: 'http' | 'socket';
  demo: boolean;
  store: 'redis' | 'embedded';
}

export interface ReplicasSeen {
  /** This replica's id. */
  self: string;
  replicas: ReplicaBeat[];
}

export interface IndexReport {
  index: { kind: 'ready'; index: IndexFacts } | IndexNotReady;
  /** A walk is running now (on any replica). */
  walking: boolean;
  /** The interval in force; 0: walked only on `/plan reindex`. */
  refreshMs: number;
  /** `quota`: stretched past `configuredMs` so walks stay within a third of the daily quota. */
  refreshWhy: IntervalInForce['why'];
  /** ACCOUNT_INDEX_REFRESH_MINUTES, in ms. */
  configuredMs: number;
  /** When the index is due to be walked again (it is checked every quarter of the interval). */
  nextWalkAt: number | undefined;
  lastWalk: LastWalk | undefined;
}

export interface AlertsReport {
  /** `CC_WEBHOOK_SECRET` is set: the endpoint exists. */
  endpoint: boolean;
  /** `PUBLIC_URL` too: planbot points the topics at itself. */
  keepsSubscriptions: boolean;
  /** Where the topics pointed when planbot last read them (at start, or on `/plan alerts`). */
  subscriptions: SubscriptionsSeen | undefined;
  lastNotification: LastNotification | undefined;
  /** Channels and DMs with alerts on. */
  channels: number;
}

export interface DigestLine {
  channel: string;
  schedule: DigestSchedule;
  /** When its last digest was posted. */
  lastRun: number | undefined;
  nextAt: number | undefined;
  /** A run due more than `missedAfterMs` ago has not been posted. */
  missed: boolean;
}

export interface DigestsReport {
  /** `shared`: BullMQ on Redis (one replica posts each); `in-process`: this process's timers. */
  scheduler: 'shared' | 'in-process';
  /** Channels with a schedule. */
  total: number;
  /** Up to `digestsListed` of them, missed runs first, then the soonest. */
  listed: DigestLine[];
}

export interface StatusReport {
  now: number;
  build: BuildInfo;
  startedAt: number;
  mode: RunMode;
  replicas: Part<ReplicasSeen>;
  store: Part<StoreHealth>;
  /** null: no token is held now (the next call fetches one). */
  token: Part<TokenFacts | null>;
  rate: { perSecond: number; fleetWide: boolean; waitingAtGate: number } | undefined;
  /** 429 answers in the last hour, by API. */
  throttled: Array<Extract<RecentCount, { kind: 'throttled' }>>;
  /** Retries in the last hour, by API and why. */
  retries: Array<Extract<RecentCount, { kind: 'retry' }>>;
  quota: Part<QuotaSnapshot>;
  index: Part<IndexReport>;
  alerts: Part<AlertsReport>;
  digests: Part<DigestsReport>;
  /** Errors in the last hour, by kind, most frequent first. */
  errors: Array<Exclude<RecentCount, { kind: 'throttled' | 'retry' }>>;
}

export type StatusOutcome =
  /** Not in `ADMIN_USER_IDS` (or nobody is). */
  | { kind: 'refused' }
  /** An admin asked where others would see the answer (a mention in a channel). */
  | { kind: 'not_here' }
  | { kind: 'report'; report: StatusReport };

export function statusOutcomeName(outcome: StatusOutcome): string {
  return outcome.kind === 'refused' ? 'not_admin' : outcome.kind;
}

/** How long each source may take: one slow source shows "unavailable" instead of stalling the rest. */
export const sourceWaitMs = 1_500;
/** Scheduled digests read per report (each is a few store reads); the rest are counted. */
export const digestsRead = 50;
export const digestsListed = 10;
/** A scheduled run not posted this long after it was due counts as missed (a run takes a little while). */
export const missedAfterMs = 15 * 60_000;

export interface StatusUseCase {
  /** `where`: `private` (the slash command, a DM) or `conversation` (a mention others can read). */
  run(asker: Asker, where: 'private' | 'conversation'): Promise<StatusOutcome>;
}

export interface StatusSources {
  admins: readonly string[];
  build: BuildInfo;
  startedAt: number;
  mode: RunMode;
  storeHealth: () => Promise<StoreHealth>;
  /** With Redis: the replicas' heartbeats. */
  replicas?: { self: string; seen: () => Promise<ReplicaBeat[]> };
  /** With partner credentials. */
  token?: () => Promise<TokenFacts | undefined>;
  rate?: { perSecond: number; fleetWide: boolean; waitingAtGate: () => number };
  recent: Pick<RecentEvents, 'counts'>;
  /** The quota governor's snapshot; unset: the quota is not counted. */
  quota?: () => Promise<QuotaSnapshot>;
  /** With partner credentials. */
  index?: {
    status: () => Promise<{ kind: 'ready'; index: IndexFacts } | IndexNotReady | { kind: 'not_configured' }>;
    walks: () => Promise<{ last: LastWalk | undefined; running: boolean }>;
    /** The interval the walks keep now (stretched when the daily quota needs it), not only the setting. */
    interval: () => IntervalInForce;
  };
  alerts: {
    store: Pick<AlertStore, 'subscriptionsSeen' | 'lastNotification' | 'channels'>;
    endpoint: boolean;
    keepsSubscriptions: boolean;
  };
  digests: {
    store: Pick<DigestStore, 'scheduledChannels' | 'schedule' | 'lastRun'>;
    shared: boolean;
  };
  logger: Logger;
  now: () => number;
  waitMs?: number;
}

const late = Symbol('late');

/** `/plan status`: planbot's own health, for the people in `ADMIN_USER_IDS` only. */
export function createStatusUseCase(deps: StatusSources): StatusUseCase {
  const waitMs = deps.waitMs ?? sourceWaitMs;

  async function part<T>(name: string, read: (() => Promise<T>) | undefined): Promise<Part<T>> {
    if (!read) return { kind: 'not_set_up' };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof late>((resolve) => {
      timer = setTimeout(() => resolve(late), waitMs);
    });
    const reading = Promise.resolve().then(read);
    try {
      const value = await Promise.race([reading, timeout]);
      if (value === late) {
        // Still running: its outcome no longer matters, but it must not surface as an unhandled rejection.
        reading.catch(() => undefined);
        deps.logger.warn(
          { event: 'status_source_late', source: name, waitMs },
          'a status source did not answer in time',
        );
        return { kind: 'unavailable', reason: 'timeout' };
      }
      return { kind: 'ok', value };
    } catch (error) {
      deps.logger.warn({ event: 'status_source_failed', source: name, err: error }, 'a status source failed');
      return { kind: 'unavailable', reason: 'failed' };
    } finally {
      clearTimeout(timer);
    }
  }

  async function indexReport(index: NonNullable<StatusSources['index']>): Promise<IndexReport> {
    const [status, walks] = await Promise.all([index.status(), index.walks()]);
    const ready = status.kind === 'ready' ? status : undefined;
    const interval = index.interval();
    return {
      index: ready ?? { kind: 'index_not_ready', building: walks.running },
      walking: walks.running,
      refreshMs: interval.ms,
      refreshWhy: interval.why,
      configuredMs: interval.configuredMs,
      nextWalkAt: ready && interval.ms > 0 ? ready.index.builtAt + interval.ms : undefined,
      lastWalk: walks.last,
    };
  }

  async function alertsReport(): Promise<AlertsReport> {
    const { store } = deps.alerts;
    const [subscriptions, lastNotification, channels] = await Promise.all([
      store.subscriptionsSeen(),
      store.lastNotification(),
      store.channels(),
    ]);
    return {
      endpoint: deps.alerts.endpoint,
      keepsSubscriptions: deps.alerts.keepsSubscriptions,
      subscriptions,
      lastNotification,
      channels: channels.length,
    };
  }

  async function digestsReport(): Promise<DigestsReport> {
    const { store } = deps.digests;
    const now = deps.now();
    const channels = await store.scheduledChannels();
    const lines = await Promise.all(
      channels.slice(0, digestsRead).map(async (channel): Promise<DigestLine | undefined> => {
        const [record, lastRun] = await Promise.all([store.schedule(channel), store.lastRun(channel)]);
        if (!record) return undefined;
        const due = lastRunAt(record.schedule, new Date(now - missedAfterMs))?.getTime();
        const missed = due !== undefined && due >= record.setAt && (lastRun ?? 0) < due;
        let nextAt: number | undefined;
        try {
          nextAt = nextRunAt(record.schedule, new Date(now)).getTime();
        } catch {
          nextAt = undefined;
        }
        return { channel, schedule: record.schedule, lastRun, nextAt, missed };
      }),
    );
    const listed = lines
      .filter((line): line is DigestLine => line !== undefined)
      .sort((a, b) => Number(b.missed) - Number(a.missed) || (a.nextAt ?? Infinity) - (b.nextAt ?? Infinity))
      .slice(0, digestsListed);
    return { scheduler: deps.digests.shared ? 'shared' : 'in-process', total: channels.length, listed };
  }

  async function report(): Promise<StatusReport> {
    const { replicas, token, index } = deps;
    const [replicasPart, store, tokenPart, quota, indexPart, alerts, digests] = await Promise.all([
      part('replicas', replicas ? async () => ({ self: replicas.self, replicas: await replicas.seen() }) : undefined),
      part('store', deps.storeHealth),
      part('token', token ? async () => (await token()) ?? null : undefined),
      part('quota', deps.quota),
      part('index', index ? () => indexReport(index) : undefined),
      part('alerts', alertsReport),
      part('digests', digestsReport),
    ]);
    const counts = deps.recent.counts();
    return {
      now: deps.now(),
      build: deps.build,
      startedAt: deps.startedAt,
      mode: deps.mode,
      replicas: replicasPart,
      store,
      token: tokenPart,
      rate: deps.rate
        ? {
            perSecond: deps.rate.perSecond,
            fleetWide: deps.rate.fleetWide,
            waitingAtGate: deps.rate.waitingAtGate(),
          }
        : undefined,
      throttled: counts.filter((c) => c.kind === 'throttled'),
      retries: counts.filter((c) => c.kind === 'retry'),
      quota,
      index: indexPart,
      alerts,
      digests,
      errors: counts.filter((c) => c.kind !== 'throttled' && c.kind !== 'retry'),
    };
  }

  return {
    async run(asker, where) {
      if (!deps.admins.includes(asker.userId)) return { kind: 'refused' };
      // Operational detail is for the admin alone: never posted where a channel reads it.
      if (where === 'conversation') return { kind: 'not_here' };
      return { kind: 'report', report: await report() };
    },
  };
}
