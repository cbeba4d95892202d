import type { RequestListener } from 'node:http';
import { App, type Authorize, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../logger.ts';

export interface SlackApp {
  app: App;
  /** A Web API client with the bot token, for posting outside a request (digests). */
  botClient: webApi.WebClient;
  /** HTTP mode: the listener for `POST /slack/events`. */
  events: RequestListener | undefined;
  /** Socket Mode: connects to Slack (HTTP mode: nothing to do). */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Bolt with planbot's receiver, logger and Web API base URL; listeners are registered by the caller.
 * Bolt's conversation store is off: planbot keeps no per-conversation state, and it cost work on
 * every request.
 */
export function createSlackApp(config: Config['slack'], logger: Logger): SlackApp {
  const log = boltLogger(logger);
  // The Web API client waits out a 429's Retry-After by itself; other failures get two quick retries,
  // not its default of ten over half an hour, because a person is waiting for the answer.
  const clientOptions = {
    slackApiUrl: config.apiUrl,
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
  };

  const authorize = botAuthorization(config.botToken, { ...clientOptions, logger: log }, logger);

  if (config.appToken) {
    const receiver = new SocketModeReceiver({ appToken: config.appToken, logger: log, installerOptions: { clientOptions } });
    const app = new App({ receiver, authorize, logger: log, clientOptions, convoStore: false });
    return {
      app,
      botClient: new webApi.WebClient(config.botToken, { ...clientOptions, logger: log }),
      events: undefined,
      connect: async () => {
        await receiver.start();
      },
      disconnect: () => receiver.stop(),
    };
  }

  const receiver = new HTTPReceiver({
    signingSecret: config.signingSecret ?? '',
    endpoints: '/slack/events',
    logger: log,
    // Ack is sent as soon as a listener calls ack(); the lookup runs after.
    processBeforeResponse: false,
    bodyLimit: '1mb',
  });
  const app = new App({ receiver, authorize, logger: log, clientOptions, convoStore: false });
  return {
    app,
    botClient: new webApi.WebClient(config.botToken, { ...clientOptions, logger: log }),
    events: receiver.requestListener,
    connect: async () => {},
    disconnect: async () => {},
  };
}

/**
 * Bolt's single-token authorization calls auth.test before it can ack a request. Ours answers at
 * once with the token and fills in the bot's own ids (used to ignore its own messages) from one
 * auth.test in the background, retried until it succeeds.
 */
function botAuthorization(botToken: string, clientOptions: webApi.WebClientOptions, logger: Logger): Authorize<boolean> {
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
        logger.warn({ event: 'auth_test_failed', error: error instanceof Error ? error.message : String(error) }, 'auth.test failed');
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
