import { App, type Authorize, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Config } from '../config.ts';
import type { ForwardedEvent } from '../http/front.ts';
import { boltLogger, type Logger } from '../logger.ts';
import { ForwardedReceiver } from './forwardedReceiver.ts';

export interface SlackApp {
  app: App;
  /** A Web API client with the bot token, for posting outside a request (digests). */
  botClient: webApi.WebClient;
  /** HTTP mode: takes each request the HTTP front verified and acknowledged. */
  receive: ((event: ForwardedEvent) => Promise<void>) | undefined;
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
    const receiver = new SocketModeReceiver({
      appToken: config.appToken,
      logger: log,
      installerOptions: { clientOptions },
    });
    const app = new App({ receiver, authorize, logger: log, clientOptions, convoStore: false });
    return {
      app,
      botClient: new webApi.WebClient(config.botToken, { ...clientOptions, logger: log }),
      receive: undefined,
      connect: async () => {
        await receiver.start();
      },
      disconnect: () => receiver.stop(),
    };
  }

  // HTTP mode: the HTTP front verifies and acknowledges; Bolt gets what it hands over.
  const receiver = new ForwardedReceiver(logger);
  const app = new App({ receiver, authorize, logger: log, clientOptions, convoStore: false });
  return {
    app,
    botClient: new webApi.WebClient(config.botToken, { ...clientOptions, logger: log }),
    receive: (event) => receiver.dispatch(event),
    connect: async () => {},
    disconnect: async () => {},
  };
}

/**
 * The largest body accepted on `/slack/events`. Slack's payloads are small; the largest planbot can
 * receive is a block_actions click, which carries the clicked message: at most 50 blocks. Even if
 * every block were a section holding Block Kit's maximum 3000 characters, that is about 175 KB
 * form-encoded (220 KB with some non-ASCII punctuation); planbot's own cards are a few KB.
 */
export const maxEventBodyBytes = 256 * 1024;

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
