import { App, type Authorize, webApi } from '@slack/bolt';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../logger.ts';
import { postingClientOptions } from '../slackApi/webClients.ts';
import { HealthServer } from './healthServer.ts';
import { SlackHttpReceiver, type SlackHttpReceiverOptions } from './httpReceiver.ts';
import type { Front } from './server.ts';
import { SlackSocketReceiver } from './socketReceiver.ts';

export interface SlackApp {
  app: App;
  /** planbot's HTTP listener: Slack's requests in HTTP mode, the health and metrics routes in both. */
  front: Front;
  /**
   * Socket Mode: connects to Slack, and disconnects (HTTP mode: nothing to do, `front` takes the
   * requests). Stopping `front` also stops taking envelopes; `disconnect` after it is a no-op.
   */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/** Where and how the front listens; the signing secret and logger come with the rest. */
export type FrontOptions = Omit<SlackHttpReceiverOptions, 'signingSecret' | 'logger'>;

/**
 * Bolt with planbot's receiver, logger and Web API base URL; listeners are registered by the caller.
 * Bolt's conversation store is off: planbot keeps no per-conversation state, and it cost work on
 * every request.
 */
export function createSlackApp(config: Config['slack'], logger: Logger, front: FrontOptions): SlackApp {
  const log = boltLogger(logger);
  const clientOptions = postingClientOptions(config);

  const authorize = botAuthorization(config.botToken, { ...clientOptions, logger: log }, logger);

  if (config.appToken) {
    // Socket Mode: the receiver acknowledges Slack's envelopes and hands them to Bolt, as in HTTP mode.
    const receiver = new SlackSocketReceiver({
      ...front,
      appToken: config.appToken,
      slackApiUrl: config.apiUrl,
      logger,
    });
    const app = new App({ receiver, authorize, logger: log, clientOptions, convoStore: false });
    return {
      app,
      // Slack's requests come over the WebSocket; the port still answers health checks, metrics and
      // webhooks. Stopping it stops the receiver too (the requests it acknowledged go to Bolt first).
      front: new HealthServer({ ...front, logger, receiver }),
      connect: () => receiver.start(),
      disconnect: () => receiver.stop(),
    };
  }

  // HTTP mode: the receiver verifies and acknowledges Slack's requests and hands them to Bolt.
  const receiver = new SlackHttpReceiver({ ...front, signingSecret: config.signingSecret ?? '', logger });
  const app = new App({ receiver, authorize, logger: log, clientOptions, convoStore: false });
  return {
    app,
    front: receiver,
    connect: async () => {},
    disconnect: async () => {},
  };
}

/**
 * Bolt's single-token authorization calls auth.test before it can ack a request. Ours answers at
 * once with the token and fills in the bot's own ids (used to ignore its own messages) from one
 * auth.test in the background, retried until it succeeds.
 */
function botAuthorization(
  botToken: string,
  clientOptions: webApi.WebClientOptions,
  logger: Logger,
): Authorize<boolean> {
  const client = new webApi.WebClient(botToken, { ...clientOptions, retryConfig: { retries: 0 } });
  let identity: { botUserId?: string; botId?: string } = {};
  let pending: Promise<void> | undefined;
  let nextTry = 0;
  const learn = () => {
    if (identity.botUserId || pending || Date.now() < nextTry) return;
    pending = client.auth
      .test()
      .then((r) => {
        identity = { botUserId: r.user_id, botId: r.bot_id };
      })
      .catch((error: unknown) => {
        nextTry = Date.now() + 60_000;
        logger.warn(
          { event: 'auth_test_failed', error: error instanceof Error ? error.message : String(error) },
          'auth.test failed',
        );
      })
      .finally(() => {
        pending = undefined;
      });
  };
  return async () => {
    learn();
    return { botToken, ...identity };
  };
}
