import { createAccessGate, type AccessGate } from './access/accessGate.ts';
import { createPersonLimiter } from './access/personLimiter.ts';
import {
  type AccountIndexFeature,
  createAccountIndexFeature,
  unconfiguredAccountIndex,
} from './accounts/indexFeature.ts';
import type { PlanAnswerDeps } from './answers/planAnswer.ts';
import { stateOf } from './alerts/accountState.ts';
import { type AlertsFeature, createAlertsFeature } from './alerts/alertsFeature.ts';
import { AlertStore } from './alerts/alertStore.ts';
import type { Subscriptions } from './alerts/subscriptions.ts';
import { type Audit, createAudit } from './audit/audit.ts';
import { alertDetails, alertSummary, singleAlert } from './blocks/alertMessages.ts';
import { testArrived } from './blocks/alertReplies.ts';
import { auditDigest } from './blocks/auditMessages.ts';
import { digestCredentialsRefused, digestMessages } from './blocks/digestMessages.ts';
import type { Config } from './config.ts';
import { type SampleApi, sampleAccounts, samplePriceList, startSamplePartnerApi } from './demo/samplePartnerApi.ts';
import { createDigestFeature, type DigestFeature } from './digests/digestFeature.ts';
import { DigestStore } from './digests/digestStore.ts';
import { createDigestRunner, type DigestRunner } from './digests/runDigest.ts';
import { createDigestOutlook } from './digests/tierOutlook.ts';
import { type Clock, createInProcessScheduler, type DigestScheduler, systemClock } from './digests/scheduler.ts';
import { createAfterAnswers } from './lifecycle/afterAnswers.ts';
import { readBuildInfo } from './lifecycle/buildInfo.ts';
import { createInflight, type Inflight } from './lifecycle/inflight.ts';
import { createRecentEvents, type RecentEvents } from './lifecycle/recentEvents.ts';
import { createNotifier, type Notifier } from './lifecycle/notifier.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createConstantContactClient } from './partner/constantContact.ts';
import { parseBillingPlan } from './partner/parse.ts';
import { createFleetBook, createFleetLimiter } from './partner/fleetLimiter.ts';
import { createHttpClient, type HttpClient, instrumentHttp } from './partner/httpClient.ts';
import { createPlanLookup, type PlanLookup, unconfiguredPlanLookup } from './partner/planLookup.ts';
import { createQuotaGovernor, type QuotaGovernor } from './partner/quota.ts';
import { createRateGate, type RateGate } from './partner/rateGate.ts';
import { createRebillyClient, type RebillyClient, unconfiguredRebilly } from './partner/rebilly.ts';
import { defaultRetryPolicy, type RetryPolicy } from './partner/retryPolicy.ts';
import { TokenProvider } from './partner/tokenProvider.ts';
import { createSlackDirectory } from './slackApi/directory.ts';
import { createSlackPoster } from './slackApi/poster.ts';
import { createSlackViews, type SlackViews } from './slackApi/views.ts';
import { publishHome } from './listeners/events/appHome.ts';
import { countFailures, createResponder, type Respond, RespondError } from './slackApi/responder.ts';
import { createBotClient, createLookupClient } from './slackApi/webClients.ts';
import { webhookPath } from './receiver/webhookRoute.ts';
import { createHistoryStore } from './history/historyStore.ts';
import { writeSampleHistory } from './history/demoHistory.ts';
import { createTierPriceBook } from './history/tierPrices.ts';
import { memoTrends } from './history/trendsMemo.ts';
import { createRadarReads, type RadarReads } from './history/radarReads.ts';
import { createRadarUseCase } from './usecases/radar.ts';
import { createFileUploader } from './slackApi/files.ts';
import type { BillingPlan } from './billing/plan.ts';
import { planTrends } from './history/trends.ts';
import { cacheKv, createEmbeddedStore, type Store } from './store/createStore.ts';
import { createReplicaHeartbeat, type ReplicaHeartbeat, replicaId } from './store/replicaHeartbeat.ts';
import { createAlertsUseCase } from './usecases/alerts.ts';
import { createHomeUseCase, type HomeUseCase } from './usecases/home.ts';
import { RecentLookups } from './accounts/recentLookups.ts';
import type { AccountFinder } from './accounts/finder.ts';
import { createDigestSettingsUseCase } from './usecases/digestSettings.ts';
import { type CardTrends, createPlanUseCases } from './usecases/plan.ts';
import { createPlansUseCase, type PlansUseCase } from './usecases/plans.ts';
import { createWatchUseCase } from './usecases/watch.ts';
import { createStatusUseCase } from './usecases/status.ts';

/** How long a plan read is shown from the cache, and its trends with it. */
const planCacheTtlMs = 60_000;

/** What tests and benchmarks may put in place of the defaults (the outside world, and time). */
export interface DepsOptions {
  config: Config;
  logger: Logger;
  now?: () => number;
  http?: HttpClient;
  retryPolicy?: RetryPolicy;
  store?: Store;
  respond?: Respond;
  /** Time for the digest scheduler (tests wind it by hand); its now() is planbot's clock. */
  clock?: Clock;
  metrics?: Metrics;
}

/** Every dependency planbot's surfaces use, built once and passed down; nothing is a singleton. */
export interface Deps extends PlanAnswerDeps {
  config: Config;
  logger: Logger;
  now: () => number;
  metrics: Metrics;
  store: Store;
  plans: PlansUseCase;
  access: AccessGate;
  audit: Audit;
  respond: Respond;
  inflight: Inflight;
  /** Told when an answer ends or starts waiting at the rate gate: the receiver may take on more. */
  roomFreed: Notifier;
  /** Lookups waiting their turn at the rate gate (they take up no room in the receiver's window). */
  waitingAtGate: () => number;
  accountIndex: AccountIndexFeature;
  digests: DigestFeature;
  /** Constant Contact's notifications turned into alerts. */
  alertsFeature: AlertsFeature;
  views: SlackViews;
  home: HomeUseCase;
  /** The radar's budgeted plan reads after each walk. */
  radarReads: RadarReads;
  finder: AccountFinder;
  sample: boolean;
  /** What went wrong in the last hour, for `/plan status`. */
  recentEvents: RecentEvents;
  /** Counts a failed Slack Web API call (metrics, and `/plan status`'s last hour). */
  onSlackError: (method: string, code: string) => void;
  /** With Redis: this replica's heartbeat, so `/plan status` can count the replicas. */
  heartbeat: ReplicaHeartbeat | undefined;
  /** Closes what the dependencies hold open (the demo's sample APIs, the store). */
  close(): Promise<void>;
}

interface PartnerAccess {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  tokenUrl: string;
  apiUrl: string;
}

export async function buildDeps(o: DepsOptions): Promise<Deps> {
  const { config, logger } = o;
  const clock = o.clock ?? systemClock;
  const now = o.now ?? (() => clock.now());
  const metrics = o.metrics ?? createMetrics();
  const startedAt = now();
  const build = readBuildInfo(config.commit);
  // The last hour's 429s, retries and errors, next to the metrics that count them for Prometheus.
  const recentEvents = createRecentEvents(now);
  const http = instrumentHttp(o.http ?? createHttpClient(), (api, status, seconds) => {
    metrics.upstreamDuration.observe({ api, status: String(status) }, seconds);
    if (status === 429) {
      metrics.throttled.inc({ api });
      recentEvents.record({ kind: 'throttled', api });
    }
  });
  const policy = o.retryPolicy ?? defaultRetryPolicy;
  // With REDIS_URL every replica shares one Redis; without it, the embedded SQLite store.
  // Loaded only when used: the Redis and BullMQ clients are ~10 MB of memory a single process never needs.
  const redis =
    !o.store && config.redis
      ? await (await import('./store/redisStore.ts')).createRedisStore({ ...config.redis, logger })
      : undefined;
  const store: Store = o.store ?? redis ?? createEmbeddedStore(config.dataDir);
  // Bookkeeping no answer waits for runs in the quiet moments between answers (see afterAnswers.ts).
  const afterAnswers = createAfterAnswers({
    onError: (error) => logger.warn({ event: 'bookkeeping_failed', err: error }, 'could not record after an answer'),
  });

  // Demo mode: sample partner and Rebilly APIs on loopback, talked to by the real clients.
  const sampleApi: SampleApi | undefined = config.demoMode ? await startSamplePartnerApi() : undefined;
  const partner: PartnerAccess | undefined = sampleApi
    ? { clientId: 'demo', clientSecret: 'demo', apiKey: 'demo', tokenUrl: sampleApi.tokenUrl, apiUrl: sampleApi.apiUrl }
    : config.constantContact.credentials
      ? {
          ...config.constantContact.credentials,
          tokenUrl: config.constantContact.tokenUrl,
          apiUrl: config.constantContact.apiUrl,
        }
      : undefined;

  const roomFreed = createNotifier();
  const inflight = createInflight(roomFreed.notify);
  const onRetry = (error: { code: string; message: string; api: string }, delayMs: number) => {
    metrics.retries.inc({ api: error.api, code: error.code });
    recentEvents.record({ kind: 'retry', api: error.api, code: error.code });
    logger.warn(
      { event: 'upstream_retry', api: error.api, code: error.code, error: error.message, delayMs },
      'retrying upstream call',
    );
  };

  // Each account's daily usage: its subscriber count from every walk, its tiers from every plan read.
  const history = createHistoryStore({ blobs: store.blobs('history'), days: config.history.days, now });
  // The price of each tier seen on any account's plan: "likely to bill at tier 4 (about $85.00)".
  const tierPrices = createTierPriceBook(cacheKv(store.namespace('tier-prices')));
  const historyUnsaved = (error: unknown) =>
    logger.warn({ event: 'history_unsaved', err: error }, 'could not record usage history');
  if (sampleApi) {
    // Demo mode starts with sixty days of sample history and the sample tiers' prices, so trends,
    // forecasts and the radar show at once.
    try {
      const written = await writeSampleHistory(history, now());
      for (const plan of samplePriceList()) await tierPrices.record(parseBillingPlan(plan), now());
      logger.info({ event: 'sample_history', ...written }, 'sample usage history in place');
    } catch (error) {
      historyUnsaved(error);
    }
  }
  // A card's trends: each tier's history, and the price of the tier above one likely to move up.
  const trendsOf = memoTrends(
    async (accountId, plan, fetchedAt) => planTrends(await history.history(accountId), plan, fetchedAt),
    {
      maxAgeMs: planCacheTtlMs,
      now,
    },
  );
  const cardTrends = async (accountId: string, plan: BillingPlan, fetchedAt: number): Promise<CardTrends> => {
    const trends = await trendsOf(accountId, plan, fetchedAt);
    const tiers = await Promise.all(
      trends.map(async (trend, i) => {
        const tier = plan.tiers[i];
        if (trend.forecast.kind !== 'likely_up' || !tier) return { trend };
        const nextTier = await tierPrices.next(plan.planType, tier);
        return nextTier ? { trend, nextTier } : { trend };
      }),
    );
    return { tiers };
  };

  // What planbot last knew of each account, from any read: alerts say what changed from what.
  const alertStore = new AlertStore(store.durable('alerts'), cacheKv(store.namespace('alerts-known')), store);
  const rememberRead = (accountId: string, result: { plan: Parameters<typeof stateOf>[0]; fetchedAt: number }) => {
    alertStore.remember(accountId, stateOf(result.plan), result.fetchedAt).catch((error: unknown) => {
      logger.warn({ event: 'known_state_unsaved', accountId, err: error }, 'could not remember an account state');
    });
    history.recordPlan(accountId, result.plan, result.fetchedAt).catch(historyUnsaved);
    tierPrices.record(result.plan, result.fetchedAt).catch(historyUnsaved);
  };

  let gate: RateGate | undefined;
  let tokens: TokenProvider | undefined;
  let subscriptions: Subscriptions | undefined;
  let lookup: PlanLookup = unconfiguredPlanLookup;
  let accountIndex: AccountIndexFeature = unconfiguredAccountIndex;
  let quota: QuotaGovernor | undefined;
  if (partner) {
    // CC_DAILY_QUOTA, counted in the store for the whole fleet; background work stops at the reserve.
    quota = createQuotaGovernor({
      counter: store.counters('quota'),
      dailyQuota: config.constantContact.dailyQuota,
      reserve: config.constantContact.quotaReserve,
      now,
      logger,
      onSpent: (purpose) => metrics.ccRequests.inc({ purpose }),
      onLeft: (left) => metrics.quotaLeft.set(left),
    });
    gate = createRateGate({
      api: 'constant-contact',
      ratePerSecond: config.constantContact.rateLimit,
      now,
      // Shared, CC_RATE_LIMIT holds for the whole fleet.
      limiter: redis
        ? createFleetLimiter({
            client: redis.client,
            prefix: redis.prefix,
            ratePerSecond: config.constantContact.rateLimit,
          })
        : undefined,
      // With Redis, each replica sees the fleet's whole queue, and says "busy" at once on any of them.
      book: redis
        ? createFleetBook({
            client: redis.client,
            prefix: redis.prefix,
            ratePerSecond: config.constantContact.rateLimit,
          })
        : undefined,
      // A lookup now waiting at the gate leaves room in the receiver's window.
      onWait: roomFreed.notify,
    });
    tokens = new TokenProvider({
      http,
      tokenUrl: partner.tokenUrl,
      clientId: partner.clientId,
      clientSecret: partner.clientSecret,
      store: store.namespace('tokens'),
      lock: store,
      policy,
      now,
      onFetch: () => {
        metrics.tokenFetches.inc();
        logger.info({ event: 'token_fetch' }, 'fetching a partner token');
      },
    });
    const client = createConstantContactClient({
      http,
      apiUrl: partner.apiUrl,
      apiKey: partner.apiKey,
      tokens,
      gate,
      policy,
      quota,
      later: afterAnswers.defer,
      now,
      onRetry,
    });
    lookup = createPlanLookup({
      client,
      cache: store.namespace('plans'),
      ttlMs: planCacheTtlMs,
      now,
      onRead: rememberRead,
      later: afterAnswers.defer,
    });
    subscriptions = {
      list: (deadline) => client.listSubscriptions(deadline, 'alert'),
      put: (topicId, hookUri, deadline) => client.putSubscription(topicId, hookUri, deadline, 'alert'),
      requestTest: (topicId, deadline) => client.requestTestNotification(topicId, deadline, 'alert'),
    };
    accountIndex = createAccountIndexFeature({
      client,
      store,
      refreshMs: config.accountIndexRefreshMs,
      dailyQuota: config.constantContact.dailyQuota,
      logger,
      now,
      onWalkFailed: (code) => recentEvents.record({ kind: 'index_walk_failed', code }),
      onBuilt: (index) =>
        void history
          .recordWalk(index.accounts)
          .then((recorded) => {
            if (recorded.status === 'recorded') radarReads.afterWalk(index.accounts);
          })
          .catch(historyUnsaved),
    });
  }

  const rebillyAccess = sampleApi
    ? { apiKey: 'demo', apiUrl: sampleApi.rebillyUrl }
    : config.rebilly.apiKey
      ? { apiKey: config.rebilly.apiKey, apiUrl: config.rebilly.apiUrl }
      : undefined;
  const rebilly: RebillyClient = rebillyAccess
    ? createRebillyClient({ http, ...rebillyAccess, policy, now, onRetry })
    : unconfiguredRebilly;

  const botClient = createBotClient(config.slack, logger);
  const onSlackError = (method: string, code: string) => {
    metrics.slackErrors.inc({ method, error: code });
    recentEvents.record({ kind: 'slack_error', method, code });
  };
  const poster = createSlackPoster(botClient, { onError: onSlackError });
  const views = createSlackViews(botClient, { onError: onSlackError });
  const files = createFileUploader(botClient, { onError: onSlackError });

  // Who may see billing data, how much each person may ask, and the record of who saw what.
  const access = createAccessGate({
    settings: config.access,
    directory: createSlackDirectory({
      client: createLookupClient(config.slack, logger),
      cache: store.namespace('slack-directory'),
      logger,
      now,
      teamId: config.access.teamId,
      onError: onSlackError,
    }),
    limiter: createPersonLimiter({
      perMinute: config.access.lookupsPerMinute,
      redis: redis ? { client: redis.client, prefix: redis.prefix } : undefined,
    }),
    logger,
  });
  const auditChannel = config.auditChannelId;
  const auditNow = createAudit({
    logger,
    now,
    ...(auditChannel
      ? { post: async (message) => void (await poster.post(auditChannel, message)), render: auditDigest }
      : {}),
  });
  // The audit line joins a read's bookkeeping when that waits (close() below settles it first).
  const audit: Audit = {
    record: (entry) => afterAnswers.joinOrRun(() => auditNow.record(entry)),
    close: () => auditNow.close(),
  };

  // Digests: watchlists and schedules per channel, run by BullMQ on the shared Redis or in-process.
  const digestStore = new DigestStore(store.durable('digests'));
  const runner: DigestRunner = createDigestRunner({
    store: digestStore,
    lookup,
    poster,
    render: { digest: digestMessages, credentialsRefused: digestCredentialsRefused },
    logger,
    now,
    sample: config.demoMode,
    ratePerSecond: config.constantContact.rateLimit,
    // Called only while a digest runs, which the scheduler below (or `digest now`) starts.
    onChannelGone: async (channel) => {
      await scheduler.remove(channel);
      await digestStore.clearSchedule(channel);
    },
    mayPostIn: (channel) => access.mayPostIn(channel),
    audit,
    outlook: createDigestOutlook({ history, tierPrices }),
  });
  const runScheduled = async (channel: string, _at: Date, reason: string, runKey: string, signal: AbortSignal) => {
    const result = await runner.run(channel, reason, { runKey, signal });
    metrics.digestRuns.inc({ outcome: result.outcome });
    if (result.outcome === 'failed') recentEvents.record({ kind: 'digest_failed' });
    return result.retry;
  };
  const scheduler: DigestScheduler = redis
    ? await (
        await import('./digests/queueScheduler.ts')
      ).createQueueScheduler({
        newClient: redis.newClient,
        prefix: redis.prefix,
        logger,
        run: runScheduled,
        now,
        takeoverMs: config.digests.takeoverMs,
      })
    : createInProcessScheduler({ clock, logger, run: runScheduled });
  const storeAvailable = async () => (await store.health()) === 'ok';

  const onOutcome = (command: string, outcome: string) => metrics.lookups.inc({ command, outcome });
  // A person's lookup or search that failed upstream, for /plan status (a mistyped id is no failure).
  const failedForPeople = new Set([
    'unauthorized',
    'forbidden',
    'quota_exceeded',
    'timeout',
    'busy',
    'upstream',
    'internal_error',
  ]);
  const countOutcome = (api: string) => (command: string, outcome: string) => {
    onOutcome(command, outcome);
    if (failedForPeople.has(outcome)) recentEvents.record({ kind: 'upstream_error', api, code: outcome });
  };
  const finder = accountIndex.finder;
  // The upgrade radar over every indexed account, and the plan reads that tell it their tiers.
  const radar = createRadarUseCase({ finder, histories: (ids) => history.histories(ids), logger, now });
  const radarReads = createRadarReads({
    perDay: config.radar.planReadsPerDay,
    lookup,
    histories: (ids) => history.histories(ids),
    store,
    spent: store.durable('radar-reads'),
    logger,
    now,
    onRead: () => radar.forget(),
  });
  const recent = new RecentLookups(cacheKv(store.namespace('recent-lookups')));

  // Alerts: Constant Contact's notifications, stored, read once each, and posted where people asked.
  const secret = config.alerts.webhookSecret;
  const ownPath = secret ? webhookPath(secret) : undefined;
  const hookUri = ownPath && config.alerts.publicUrl ? `${config.alerts.publicUrl}${ownPath}` : undefined;
  const watchlist = (channel: string) => digestStore.watchlist(channel);
  const alertsFeature = createAlertsFeature({
    store,
    alerts: alertStore,
    lookup,
    accountName: async (accountId) => {
      const account = await finder.account(accountId);
      return account?.organizationName ?? account?.siteOwnerName ?? null;
    },
    watchlist,
    poster,
    render: { single: singleAlert, summary: alertSummary, details: alertDetails, testArrived },
    mayPostIn: (channel) => access.mayPostIn(channel),
    onPosted: (alert) => metrics.alertsPosted.inc({ kind: alert.kind }),
    countNotification: (outcome) => metrics.webhookNotifications.inc({ outcome }),
    audit,
    logger,
    now,
    apiKey: config.alerts.apiKey,
    // Demo mode's `/plan alerts test` hands its sample notification to the intake directly.
    endpoint: secret !== undefined || config.demoMode,
    hookUri,
    subscriptions,
  });
  // The Home tab: each person's recent lookups, their own watchlist and alerts, from what planbot knows.
  const home = createHomeUseCase({
    access,
    recent,
    watchlist,
    alertSetting: (channel) => alertStore.channel(channel),
    known: (accountId) => alertStore.known(accountId),
    accountName: async (accountId) => {
      const account = await finder.account(accountId);
      return account?.organizationName ?? account?.siteOwnerName ?? null;
    },
    indexStatus: () => finder.status(),
    radar: () => radar.draw(),
    logger,
    now,
  });
  // With Redis each replica writes a heartbeat, so /plan status can count them and their builds.
  const heartbeat = redis
    ? createReplicaHeartbeat({
        client: redis.client,
        prefix: redis.prefix,
        id: replicaId(),
        describe: { ...build, startedAt },
        now,
      })
    : undefined;
  const tokenProvider = tokens;
  const governor = quota;
  const status = createStatusUseCase({
    admins: config.adminUserIds,
    build,
    startedAt,
    mode: {
      receiver: config.slack.appToken ? 'socket' : 'http',
      demo: config.demoMode,
      store: config.redis ? 'redis' : 'embedded',
    },
    storeHealth: () => store.health(),
    ...(heartbeat ? { replicas: { self: heartbeat.id, seen: () => heartbeat.seen() } } : {}),
    ...(tokenProvider ? { token: () => tokenProvider.facts() } : {}),
    ...(governor ? { quota: () => governor.snapshot() } : {}),
    ...(partner
      ? {
          rate: {
            perSecond: config.constantContact.rateLimit,
            fleetWide: redis !== undefined,
            waitingAtGate: () => gate?.waiting ?? 0,
          },
          index: {
            status: () => finder.status(),
            walks: () => accountIndex.walks(),
            interval: () => accountIndex.interval(),
          },
        }
      : {}),
    recent: recentEvents,
    alerts: {
      store: alertStore,
      endpoint: secret !== undefined || config.demoMode,
      keepsSubscriptions: hookUri !== undefined,
    },
    digests: { store: digestStore, shared: redis !== undefined },
    logger,
    now,
  });
  return {
    config,
    logger,
    now,
    metrics,
    store,
    plan: createPlanUseCases({
      lookup,
      finder,
      logger,
      now,
      onOutcome: countOutcome('constant-contact'),
      trends: cardTrends,
      // Each person's last cards, for their Home tab.
      onCard: (asker, accountId, plan, fetchedAt) => {
        // A Workflow step has no person to remember it for.
        if (!asker.userId) return;
        afterAnswers.joinOrRun(async () => {
          try {
            const account = await finder.account(accountId);
            await recent.record(asker.userId, {
              accountId,
              name: account?.organizationName ?? account?.siteOwnerName ?? null,
              planType: plan.planType,
              billingStatus: plan.billingStatus,
              at: fetchedAt,
            });
          } catch (error) {
            logger.warn({ event: 'recent_lookup_unsaved', err: error }, 'could not record a recent lookup');
          }
        });
      },
    }),
    plans: createPlansUseCase({ rebilly, logger, now, onOutcome: countOutcome('rebilly') }),
    watch: createWatchUseCase({
      store: digestStore,
      scheduler,
      lookup,
      finder,
      logger,
      storeAvailable,
      // A person's own watchlist is their DM's: their Home tab shows it.
      onChanged: (asker) => {
        if (asker.channelId.startsWith('D'))
          void publishHome(
            { home, views, logger, audit, now },
            { userId: asker.userId, teamId: asker.teamId, dmChannel: asker.channelId },
          );
      },
    }),
    digestSettings: createDigestSettingsUseCase({
      store: digestStore,
      scheduler,
      runner,
      lookup,
      userTimeZone: (userId) => poster.userTimeZone(userId),
      logger,
      now,
      storeAvailable,
    }),
    alerts: createAlertsUseCase({
      store: alertStore,
      watchlist,
      configured: lookup.configured,
      endpoint: secret !== undefined || config.demoMode,
      keepsSubscriptions: hookUri !== undefined,
      subscriptions,
      isOurHook: (uri) => ownPath !== undefined && uri.endsWith(ownPath),
      intake: alertsFeature.intake,
      ...(sampleApi ? { simulateUpgrade: async (preferred: string[]) => sampleApi.simulateUpgrade(preferred) } : {}),
      logger,
      now,
      storeAvailable,
    }),
    alertsFeature,
    views,
    finder,
    home,
    radar,
    files,
    radarReads,
    status,
    recentEvents,
    onSlackError,
    heartbeat,
    demoAccounts: config.demoMode ? Object.keys(sampleAccounts) : undefined,
    sample: config.demoMode,
    access,
    audit,
    respond: countFailures(o.respond ?? createResponder(), (error) => {
      const code = error instanceof RespondError ? String(error.status ?? 'network') : 'unknown';
      metrics.slackErrors.inc({ method: 'response_url', error: code });
      recentEvents.record({ kind: 'slack_error', method: 'response_url', code });
    }),
    inflight,
    roomFreed,
    waitingAtGate: () => gate?.waiting ?? 0,
    accountIndex,
    digests: createDigestFeature({
      store: digestStore,
      scheduler,
      health: () => store.health(),
      configured: lookup.configured,
    }),
    async close() {
      // What waits for a quiet moment (audit lines among it) runs before the audit and the store close.
      await afterAnswers.settled();
      await audit.close();
      await sampleApi?.close();
      await store.close();
    },
  };
}
