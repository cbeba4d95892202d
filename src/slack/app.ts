import type { RequestListener, ServerResponse } from 'node:http';
import {
  App,
  type Authorize,
  type BufferedIncomingMessage,
  HTTPModuleFunctions,
  HTTPReceiver,
  isValidSlackRequest,
  SocketModeReceiver,
  webApi,
} from '@slack/bolt';
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
    // Unused while the guard below buffers the body first; kept equal should the listener be mounted bare.
    bodyLimit: maxEventBodyBytes,
  });
  const app = new App({ receiver, authorize, logger: log, clientOptions, convoStore: false });
  return {
    app,
    botClient: new webApi.WebClient(config.botToken, { ...clientOptions, logger: log }),
    events: guardEvents(receiver.requestListener, config.signingSecret ?? '', logger),
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
 * Reads the body before Bolt does, so that:
 * - a body over `maxEventBodyBytes` is refused with 413 and the connection closed, as soon as its
 *   Content-Length says so or, for a chunked body, as soon as the limit is passed. (Bolt alone buffers
 *   up to its limit and then leaves the client's upload hanging until a timeout resets it.)
 * - a body that parses to JSON `null` (bare, or as `payload=null`) is refused: Bolt 5.1 reads
 *   `body.ssl_check` on it inside a promise nobody awaits, and that rejection would end the process.
 * Bolt takes the already-read body from `req.rawBody` and verifies the signature as usual.
 */
function guardEvents(bolt: RequestListener, signingSecret: string, logger: Logger): RequestListener {
  const refuse = (res: ServerResponse, status: number, error: string) => {
    logger.warn({ event: 'slack_request_refused', status, reason: error }, 'refused a request to /slack/events');
    const text = JSON.stringify({ error });
    // The rest of an unread body is not worth reading: close the connection after the answer.
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
    res.end(text);
  };
  return (req, res) => {
    if (Number(req.headers['content-length']) > maxEventBodyBytes) return refuse(res, 413, 'request body too large');
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('error', () => {
      settled = true; // the client went away mid-body: there is no one to answer
    });
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= maxEventBodyBytes) return void chunks.push(chunk);
      settled = true;
      chunks.length = 0;
      refuse(res, 413, 'request body too large');
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      const buffered: BufferedIncomingMessage = Object.assign(req, { rawBody: Buffer.concat(chunks, size) });
      let body: unknown;
      try {
        body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
      } catch {
        return bolt(buffered, res); // Bolt answers 401 unsigned, 400 signed
      }
      if (body === null) {
        const signed = isValidSlackRequest({
          signingSecret,
          body: buffered.rawBody.toString(),
          headers: {
            'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
            'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
          },
        });
        return signed ? refuse(res, 400, 'malformed request body') : refuse(res, 401, 'invalid signature');
      }
      bolt(buffered, res);
    });
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
