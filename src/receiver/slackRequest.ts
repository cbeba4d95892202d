import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BufferedIncomingMessage, HTTPModuleFunctions } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { send } from './routes.ts';

const {
  buildNoBodyResponse,
  buildSSLCheckResponse,
  buildUrlVerificationResponse,
  extractRetryNumFromHTTPRequest,
  extractRetryReasonFromHTTPRequest,
  parseAndVerifyHTTPRequest,
  parseHTTPRequestBody,
} = HTTPModuleFunctions;

/**
 * The largest body accepted on `/slack/events`. Slack's payloads are small; the largest planbot can
 * receive is a block_actions click, which carries the clicked message: at most 50 blocks. Even if
 * every block were a section holding Block Kit's maximum 3000 characters, that is about 175 KB
 * form-encoded (220 KB with some non-ASCII punctuation); planbot's own cards are a few KB.
 */
export const maxEventBodyBytes = 256 * 1024;

/** A request to `/slack/events` that passed Bolt's checks, not yet answered. */
export interface VerifiedRequest {
  payload: Record<string, unknown>;
  /** The body as it came: a few hundred bytes, where the parsed payload takes a few KB. */
  rawBody: Buffer;
  contentType: string;
  retryNum: number | undefined;
  retryReason: string | undefined;
}

export interface ReadOptions {
  signingSecret: string;
  maxBodyBytes: number;
  logger: Logger;
}

/**
 * Reads a request to `/slack/events` and runs Bolt's checks on it (signature, timestamp, body).
 * Resolves with the verified payload for the caller to answer, or with undefined when it has
 * answered the request itself: refused it (413, 400, 401), answered Slack's `ssl_check` or
 * `url_verification`, or the client went away.
 *
 * The body is read before anything parses it, so that a body over the limit is refused with 413
 * and the connection closed as soon as its Content-Length says so or, chunked, as soon as the
 * limit is passed.
 */
export function readSlackRequest(
  req: IncomingMessage,
  res: ServerResponse,
  o: ReadOptions,
): Promise<VerifiedRequest | undefined> {
  return new Promise((resolve) => {
    if (Number(req.headers['content-length']) > o.maxBodyBytes) {
      refuse(res, 413, 'request body too large', o.logger);
      return resolve(undefined);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('error', () => {
      settled = true; // the client went away mid-body: there is no one to answer
      resolve(undefined);
    });
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= o.maxBodyBytes) return void chunks.push(chunk);
      settled = true;
      chunks.length = 0;
      refuseMidBody(req, res, o.logger);
      resolve(undefined);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      const buffered: BufferedIncomingMessage = Object.assign(req, { rawBody: Buffer.concat(chunks, size) });
      parseAndVerifyHTTPRequest({ enabled: true, signingSecret: o.signingSecret }, buffered).then(
        (verified) => resolve(checked(verified, res, o.logger)),
        (error: unknown) => {
          refuseLikeBolt(res, 401, 'invalid signature', error, o.logger);
          resolve(undefined);
        },
      );
    });
  });
}

/** The verified request as a payload, unless it is malformed or one of Slack's own checks. */
function checked(req: BufferedIncomingMessage, res: ServerResponse, logger: Logger): VerifiedRequest | undefined {
  let body: unknown;
  try {
    body = parseHTTPRequestBody(req);
  } catch (error) {
    return void refuseLikeBolt(res, 400, 'malformed request body', error, logger);
  }
  // A signed `null` or bare number is no Slack payload (and Bolt 5.1 would crash reading it).
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return void refuse(res, 400, 'malformed request body', logger);
  const payload = body as Record<string, unknown>;
  if (payload.ssl_check === '1') return void buildSSLCheckResponse(res);
  if (payload.type === 'url_verification') return void buildUrlVerificationResponse(res, payload);
  return {
    payload,
    rawBody: req.rawBody,
    contentType: String(req.headers['content-type'] ?? ''),
    retryNum: extractRetryNumFromHTTPRequest(req),
    retryReason: extractRetryReasonFromHTTPRequest(req),
  };
}

/** Parses a body read earlier (a queued request's), as Bolt would have. */
export function parseRawBody(raw: string, contentType: string): Record<string, unknown> {
  return parseHTTPRequestBody({
    rawBody: Buffer.from(raw),
    headers: { 'content-type': contentType },
  } as BufferedIncomingMessage) as Record<string, unknown>;
}

/**
 * 413 for a body still arriving. Closing at once would reset the connection over the unread data,
 * and a client still sending often loses the answer with it; so the answer goes out, our side of
 * the connection is closed, and what keeps arriving is read and dropped until the client closes
 * (or for a second at most).
 */
function refuseMidBody(req: IncomingMessage, res: ServerResponse, logger: Logger) {
  logRefusal(logger, 413, 'request body too large');
  const text = JSON.stringify({ error: 'request body too large' });
  const socket = req.socket;
  res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text, () => {
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
}

/** What Bolt's HTTPReceiver answers when its signature check or body parse fails: the status alone. */
function refuseLikeBolt(res: ServerResponse, status: 400 | 401, reason: string, error: unknown, logger: Logger) {
  logRefusal(logger, status, reason, error);
  buildNoBodyResponse(res, status);
}

function refuse(res: ServerResponse, status: number, error: string, logger: Logger) {
  logRefusal(logger, status, error);
  // The rest of an unread body is not worth reading: close the connection after the answer.
  send(res, status, { error }, { connection: 'close' });
}

function logRefusal(logger: Logger, status: number, reason: string, error?: unknown) {
  logger.warn(
    {
      event: 'slack_request_refused',
      status,
      reason,
      ...(error === undefined ? {} : { detail: error instanceof Error ? error.message : JSON.stringify(error) }),
    },
    'refused a request to /slack/events',
  );
}
