import { buildIndex } from './accounts/accountIndex.ts';
import { createAccountIndexStore } from './accounts/indexStore.ts';
import { prepareSearch } from './accounts/search.ts';
import { createAccountFinder } from './answers/accountFinder.ts';
import { createAccessGate } from './access/accessGate.ts';
import { createPersonLimiter } from './access/personLimiter.ts';
import { createSlackDirectory } from './access/slackDirectory.ts';
import { createAudit } from './audit/audit.ts';
import { createPlanAnswers } from './answers/planAnswers.ts';
import { createPlansAnswers } from './answers/plansAnswers.ts';
import type { Config } from './config.ts';
import { type SampleApi, sampleAccounts, startSamplePartnerApi } from './demo/samplePartnerApi.ts';
import { type Front, startFront } from './http/front.ts';
import { createDigestCommands } from './digests/digestCommands.ts';
import { DigestStore } from './digests/digestStore.ts';
import { createDigestRunner } from './digests/runDigest.ts';
import {
  type Clock,
  createInProcessScheduler,
  type DigestScheduler,
  type RunDigest,
  systemClock,
} from './digests/scheduler.ts';
import { createInflight } from './lifecycle/inflight.ts';
import type { Logger } from './logger.ts';
import { createConstantContactClient } from './partner/constantContact.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createHttpClient, type HttpClient, instrumentHttp } from './partner/httpClient.ts';
import { createPlanLookup } from './partner/planLookup.ts';
import { createFleetLimiter } from './partner/fleetLimiter.ts';
import { createRateGate } from './partner/rateGate.ts';
import { createRebillyClient } from './partner/rebilly.ts';
import { defaultRetryPolicy, type RetryPolicy } from './partner/retryPolicy.ts';
import { TokenProvider } from './partner/tokenProvider.ts';
import { createSlackApp, maxEventBodyBytes } from './slack/app.ts';
import { createLookupClient } from './slack/lookupClient.ts';
import { createSlackPoster } from './slack/poster.ts';
import { countFailures, createResponder, type Respond, RespondError } from './slack/responder.ts';
import { registerErrorHandler } from './slack/errorHandler.ts';
import { registerListeners } from './slack/listeners/index.ts';
import { createRoutes } from './slack/listeners/routes.ts';
import { createEmbeddedStore, type Store } from './store/createStore.ts';

export interface PlanbotOptions {
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
  /** How many Slack requests are worked on at once (default: `defaultFrontWindow`). */
  frontWindow?: number;
}

export interface Planbot {
  /** Listens on config.port (0 = any free port) and resolves with the bound port. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * How many Slack requests planbot works on at once, not counting lookups waiting their turn at the
 * rate gate (the gate bounds those itself: no more than it can serve within the answer budget). The
 * rest wait in the HTTP front, acknowledged, as the few hundred bytes they came as. Small on purpose:
 * a request being answered holds tens of KB; answered quickly, they are collected young, instead
 * of hundreds at once outliving the young generation and piling up in the old one.
 */
export const defaultFrontWindow = 16;

/** The composition root: every dependency is built here and passed down, nothing is a singleton. */
export async function createPlanbot(o: PlanbotOptions): Promise<Planbot> {
  const { config, logger } = o;
  const clock = o.clock ?? systemClock;
  const now = o.now ?? (() => clock.now());
  const metrics = o.metrics ?? createMetrics();
  const http = instrumentHttp(o.http ?? createHttpClient(), (api, status, seconds) => {
    metrics.upstreamDuration.observe({ api, status: String(status) }, seconds);
    if (status === 429) metrics.throttled.inc({ api });
  });
  const policy = o.retryPolicy ?? defaultRetryPolicy;
  // With REDIS_URL every replica shares one Redis; without it, the embedded SQLite store as before.
  // Loaded only when used: the Redis and BullMQ clients are ~10 MB of memory a single process never needs.
  const redis =
    !o.store && config.redis
      ? await (await import('./store/redisStore.ts')).createRedisStore({ ...config.redis, logger })
      : undefined;
  const store: Store = o.store ?? redis ?? createEmbeddedStore(config.dataDir);

  let sample: SampleApi | undefined;
  let partner: { clientId: string; clientSecret: string; apiKey: string; tokenUrl: string; apiUrl: string } | undefined;
  if (config.demoMode) {
    sample = await startSamplePartnerApi();
    partner = {
      clientId: 'demo',
      clientSecret: 'demo',
      apiKey: 'demo',
      tokenUrl: sample.tokenUrl,
      apiUrl: sample.apiUrl,
    };
  } else if (config.constantContact.credentials) {
    partner = {
      ...config.constantContact.credentials,
      tokenUrl: config.constantContact.tokenUrl,
      apiUrl: config.constantContact.apiUrl,
    };
  }

  const onRetry = (error: { code: string; message: string; api: string }, delayMs: number) => {
    metrics.retries.inc({ api: error.api, code: error.code });
    logger.warn(
      { event: 'upstream_retry', api: error.api, code: error.code, error: error.message, delayMs },
      'retrying upstream call',
    );
  };

  const ccGate = partner
    ? createRateGate({
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
        // A lookup now waiting at the gate leaves room in the front's window.
        onWait: () => front?.workEnded(),
      })
    : undefined;
  const ccClient =
    partner && ccGate
      ? createConstantContactClient({
          http,
          apiUrl: partner.apiUrl,
          apiKey: partner.apiKey,
          tokens: new TokenProvider({
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
          }),
          gate: ccGate,
          policy,
          now,
          onRetry,
        })
      : undefined;
  const lookup = ccClient
    ? createPlanLookup({ client: ccClient, cache: store.namespace('plans'), ttlMs: 60_000, now })
    : undefined;

  // The account index: names to encoded ids, walked from the partner's account list. A stop aborts a walk.
  const stopWalks = new AbortController();
  let walkPages = 0;
  const accountIndex = ccClient
    ? createAccountIndexStore({
        store,
        build: () => {
          walkPages = 0;
          return buildIndex({
            client: ccClient,
            deadlinePerPage: 60_000,
            now,
            signal: stopWalks.signal,
            onPage: (p) => (walkPages = p.pages),
          });
        },
        now,
      })
    : undefined;
  // The index is walked at start (unless another replica's is fresh), whenever it is older than the
  // refresh interval, and on /plan reindex (`force`); lookups use the last complete one meanwhile.
  const refreshIndex = (trigger: 'start' | 'schedule' | 'command') => {
    if (!accountIndex) return;
    accountIndex
      .refresh(trigger === 'command' ? {} : { ifOlderThanMs: config.accountIndexRefreshMs })
      .then(
        (r) => {
          if (r.status !== 'built') return;
          // Each walk spends one request per page of the daily quota (10,000 by default): say how much a day.
          const perDay =
            config.accountIndexRefreshMs > 0
              ? Math.round((walkPages * 86_400_000) / config.accountIndexRefreshMs)
              : undefined;
          logger.info(
            {
              event: 'account_index_refresh',
              trigger,
              accounts: r.index.accounts.length,
              pages: walkPages,
              requestsPerDay: perDay,
            },
            'account index rebuilt',
          );
        },
        (error: unknown) =>
          logger.warn(
            { event: 'account_index_failed', trigger, err: error },
            'account index rebuild failed; the last complete index stays in use',
          ),
      )
      // Whoever built it, prepare its search here before anyone asks.
      .then(() => accountIndex.load())
      .then(
        (index) => index && prepareSearch(index),
        () => undefined,
      );
  };
  const finder = accountIndex
    ? createAccountFinder({ index: accountIndex, rebuild: () => refreshIndex('command'), logger, now })
    : undefined;

  const rebillyAccess = sample
    ? { apiKey: 'demo', apiUrl: sample.rebillyUrl }
    : config.rebilly.apiKey
      ? { apiKey: config.rebilly.apiKey, apiUrl: config.rebilly.apiUrl }
      : undefined;
  const rebilly = rebillyAccess ? createRebillyClient({ http, ...rebillyAccess, policy, now, onRetry }) : undefined;

  const onOutcome = (command: string, outcome: string) => metrics.lookups.inc({ command, outcome });
  const answers = createPlanAnswers({ lookup, logger, sample: config.demoMode, now, onOutcome });
  const plansAnswers = createPlansAnswers({ rebilly, logger, sample: config.demoMode, now, onOutcome });
  const slack = createSlackApp(config.slack, logger);
  const demoAccounts = config.demoMode ? Object.keys(sampleAccounts) : undefined;
  const inflight = createInflight(() => front?.workEnded());

  const poster = createSlackPoster(slack.botClient, {
    onError: (method, code) => metrics.slackErrors.inc({ method, error: code }),
  });

  // Who may see billing data, how much each person may ask, and the record of who saw what.
  const access = createAccessGate({
    settings: config.access,
    directory: createSlackDirectory({
      client: createLookupClient(config.slack, logger),
      cache: store.namespace('slack-directory'),
      logger,
      now,
      teamId: config.access.teamId,
    }),
    limiter: createPersonLimiter({
      perMinute: config.access.lookupsPerMinute,
      redis: redis ? { client: redis.client, prefix: redis.prefix } : undefined,
    }),
    logger,
  });
  const auditChannel = config.auditChannelId;
  const audit = createAudit({
    logger,
    now,
    post: auditChannel
      ? async (message) => {
          await poster.post(auditChannel, message);
        }
      : undefined,
  });

  // Digests: watchlists and schedules per channel, run by BullMQ on the shared Redis or in-process.
  const digestStore = new DigestStore(store.durable('digests'));
  const runScheduled: RunDigest = async (channel, _scheduledFor, reason, runKey, signal) => {
    const result = await runner.run(channel, reason, { runKey, signal });
    metrics.digestRuns.inc({ outcome: result.outcome });
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
  const runner = createDigestRunner({
    store: digestStore,
    lookup,
    poster,
    logger,
    now,
    sample: config.demoMode,
    ratePerSecond: config.constantContact.rateLimit,
    onChannelGone: async (channel) => {
      await scheduler.remove(channel);
      await digestStore.clearSchedule(channel);
    },
    mayPostIn: (channel) => access.mayPostIn(channel),
    audit,
  });
  const digests = lookup
    ? createDigestCommands({
        store: digestStore,
        scheduler,
        runner,
        lookup,
        poster,
        logger,
        now,
        storeAvailable: async () => (await store.health()) === 'ok',
      })
    : undefined;

  const routes = createRoutes();
  registerListeners(routes, {
    planAnswers: answers,
    plansAnswers,
    store,
    logger,
    now,
    inflight,
    demoAccounts,
    digests,
    finder,
    access,
    audit,
    respond: countFailures(o.respond ?? createResponder(), (error) =>
      metrics.slackErrors.inc({
        method: 'response_url',
        error: error instanceof RespondError ? String(error.status ?? 'network') : 'unknown',
      }),
    ),
  });
  routes.installOn(slack.app);
  registerErrorHandler(slack.app, logger);

  let front: Front | undefined;
  const readiness = async () => {
    const health = await store.health().catch(() => 'down' as const);
    const checks = {
      config: 'ok',
      store:
        health === 'ok'
          ? 'ok'
          : health === 'degraded'
            ? "unreachable: lookups use this replica's memory, digests wait"
            : 'unreachable',
    };
    if (!ready) return { ready: false, status: 'starting', checks };
    // Degraded still serves lookups, so it stays in the load balancer.
    if (health === 'degraded') return { ready: true, status: 'degraded', checks };
    return health === 'ok' ? { ready: true, status: 'ready', checks } : { ready: false, status: 'unavailable', checks };
  };
  let ready = false;

  let indexTimer: NodeJS.Timeout | undefined;
  const startIndexRefresh = () => {
    // 0 turns the schedule off: the index is walked only when someone runs /plan reindex.
    if (config.accountIndexRefreshMs === 0) return;
    refreshIndex('start');
    indexTimer = setInterval(() => refreshIndex('schedule'), Math.min(config.accountIndexRefreshMs / 4, 15 * 60_000));
    indexTimer.unref();
  };

  return {
    async start() {
      // The front acks Slack's requests before any answer is worked on (src/http/front.ts).
      front = await startFront({
        port: config.port,
        host: config.host,
        signingSecret: slack.receive ? (config.slack.signingSecret ?? '') : undefined,
        maxBodyBytes: maxEventBodyBytes,
        logger,
        onEvent: (event) => slack.receive?.(event) ?? Promise.resolve(),
        window: o.frontWindow ?? defaultFrontWindow,
        // A lookup waiting at the rate gate costs little but time: it does not take up the window.
        running: () => Math.max(0, inflight.count - (ccGate?.waiting ?? 0)),
        maxQueued: 10_000,
        readiness,
        metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      });
      const port = front.port;
      // Schedules survive restarts: set each one up again (posting a run missed by under an hour).
      if (digests && (await store.health()) === 'ok') {
        for (const channel of await digestStore.scheduledChannels()) {
          const record = await digestStore.schedule(channel);
          if (record)
            await scheduler.restore(channel, record.schedule, record.setAt, await digestStore.lastRun(channel));
        }
      }
      await scheduler.start();
      await slack.connect();
      ready = true;
      front.setReady(true);
      startIndexRefresh();
      logger.info(
        {
          event: 'started',
          port,
          mode: config.slack.appToken ? 'socket' : 'http',
          demo: config.demoMode,
          store: store.describe,
        },
        `planbot listening on ${config.host}:${port}`,
      );
      return port;
    },
    async stop() {
      ready = false;
      front?.setReady(false);
      clearInterval(indexTimer);
      stopWalks.abort();
      // Stop taking requests (the front hands over everything it acknowledged first), give those
      // answers time to be posted, and let a running digest finish (or hand it back to be resumed elsewhere).
      const closing = front?.close() ?? Promise.resolve();
      const [unfinished] = await Promise.all([closing.then(() => inflight.drain(12_000)), scheduler.stop(8_000)]);
      if (unfinished > 0)
        logger.warn({ event: 'shutdown_unfinished', count: unfinished }, 'stopped with answers still pending');
      await closing;
      await audit.close();
      await slack.disconnect();
      await sample?.close();
      await store.close();
      logger.info({ event: 'stopped' }, 'planbot stopped');
    },
  };
}
