import { overloadedReply } from './blocks/messages.ts';
import { buildDeps, type DepsOptions } from './deps.ts';
import { readiness } from './lifecycle/readiness.ts';
import { registerErrorHandler } from './listeners/errorHandler.ts';
import { registerListeners } from './listeners/index.ts';
import { createRoutes } from './listeners/routes.ts';
import { createSlackApp } from './receiver/slackApp.ts';
import { createWebhookRoute } from './receiver/webhookRoute.ts';

export interface PlanbotOptions extends DepsOptions {
  /** How many Slack requests are worked on at once (default: `defaultFrontWindow`). */
  frontWindow?: number;
  /** How many acknowledged requests may wait for the window before more are refused (default 10,000). */
  frontMaxQueued?: number;
}

export interface Planbot {
  /** Listens on config.port (0 = any free port) and resolves with the bound port. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * How many Slack requests planbot works on at once, not counting lookups waiting their turn at the
 * rate gate (the gate bounds those itself: no more than it can serve within the answer budget). The
 * rest wait in the receiver, acknowledged, as the few hundred bytes they came as. Small on purpose:
 * a request being answered holds tens of KB; answered quickly, they are collected young, instead
 * of hundreds at once outliving the young generation and piling up in the old one. 32, not 16: at a
 * high CC_RATE_LIMIT nothing waits at the gate, and 16 lookups waiting ~20 ms on Constant Contact
 * left a core a third idle (about 370 answers a second, against 530 with 32, for 6 MB more RSS).
 */
export const defaultFrontWindow = 32;

/** Bolt, its receiver and planbot's listeners over the dependencies; the order features start and stop in. */
export async function createPlanbot(o: PlanbotOptions): Promise<Planbot> {
  const deps = await buildDeps(o);
  const { config, logger, store, inflight } = deps;
  const secret = config.alerts.webhookSecret;
  const intake = deps.alertsFeature.intake;
  let started = false;
  // What a request turned away for being too far behind is answered with (receiver/overload.ts).
  const busy = overloadedReply();
  const slack = createSlackApp(config.slack, logger, {
    port: config.port,
    host: config.host,
    window: o.frontWindow ?? defaultFrontWindow,
    // A lookup waiting at the rate gate costs little but time: it does not take up the window.
    running: () => Math.max(0, inflight.count - deps.waitingAtGate()),
    maxQueued: o.frontMaxQueued ?? 10_000,
    overload: {
      busyAck: busy,
      postBusy: (responseUrl) => deps.respond(responseUrl, { ...busy, replace_original: false }),
      onRefused: (r) => deps.metrics.slackRefused.inc({ reason: r.reason, kind: r.kind, answer: r.answer }),
    },
    readiness: async () => readiness(started, await store.health().catch(() => 'down' as const)),
    metrics: async () => ({
      contentType: deps.metrics.registry.contentType,
      body: await deps.metrics.registry.metrics(),
    }),
    ...(secret && intake ? { webhook: createWebhookRoute({ secret, intake }) } : {}),
  });
  const front = slack.front;
  deps.roomFreed.listen(() => front.workEnded());

  const routes = createRoutes();
  registerListeners(routes, deps);
  routes.installOn(slack.app);
  registerErrorHandler(slack.app, logger, () => deps.recentEvents.record({ kind: 'listener_error' }));

  return {
    async start() {
      const port = await front.start();
      await deps.digests.start();
      await slack.connect();
      started = true;
      front.setReady(true);
      deps.radarReads.start();
      deps.accountIndex.start();
      deps.alertsFeature.start();
      deps.heartbeat?.start();
      logger.info(
        {
          event: 'started',
          port,
          mode: config.slack.appToken ? 'socket' : 'http',
          demo: config.demoMode,
          store: store.describe,
          alerts: secret ? 'webhook on' : 'webhook off',
        },
        `planbot listening on ${config.host}:${port}`,
      );
      return port;
    },
    async stop() {
      started = false;
      front.setReady(false);
      deps.accountIndex.stop();
      // Stop taking requests (the receiver hands over everything it acknowledged first), give those
      // answers time to be posted, and let a running digest finish (or hand it back to be resumed elsewhere).
      const closing = front.stop();
      const [unfinished] = await Promise.all([
        closing.then(() => inflight.drain(12_000)),
        deps.digests.stop(8_000),
        deps.alertsFeature.stop(8_000),
        deps.radarReads.stop(8_000),
      ]);
      if (unfinished > 0) {
        logger.warn({ event: 'shutdown_unfinished', count: unfinished }, 'stopped with answers still pending');
      }
      await closing;
      await slack.disconnect();
      await deps.heartbeat?.stop();
      await deps.close();
      logger.info({ event: 'stopped' }, 'planbot stopped');
    },
  };
}
