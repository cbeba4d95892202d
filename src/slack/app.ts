import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../logger.ts';
import { respondTimeoutMs } from './timing.ts';

export interface SlackApp {
  app: App;
  /** HTTP mode: the listener for `POST /slack/events`. */
  events: RequestListener | undefined;
  /** Socket Mode: connects to Slack (HTTP mode: nothing to do). */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/** Bolt with planbot's receiver, logger and Web API base URL; listeners are registered by the caller. */
export function createSlackApp(config: Config['slack'], logger: Logger): SlackApp {
  const log = boltLogger(logger);
  // Bolt posts to response_url with this fetch; a Slack outage must not hang an answer forever.
  const fetchWithTimeout: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(respondTimeoutMs) });
  const clientOptions = { slackApiUrl: config.apiUrl, fetch: fetchWithTimeout, timeout: 10_000 };

  if (config.appToken) {
    const receiver = new SocketModeReceiver({ appToken: config.appToken, logger: log, installerOptions: { clientOptions } });
    const app = new App({ receiver, token: config.botToken, logger: log, clientOptions, tokenVerificationEnabled: false });
    return {
      app,
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
  const app = new App({ receiver, token: config.botToken, logger: log, clientOptions, tokenVerificationEnabled: false });
  return { app, events: receiver.requestListener, connect: async () => {}, disconnect: async () => {} };
}
