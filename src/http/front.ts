/**
 * The HTTP front: planbot's one listener (`/slack/events`, `/healthz`, `/readyz`, `/metrics`). It
 * reads, verifies (with Bolt's own functions) and acknowledges Slack's requests, queues them, and
 * hands them to Bolt as planbot has room for them, acknowledgements first.
 *
 * Slack gives 3 seconds for the ack, while the answer (lookups, rendering, posting to the
 * response_url) has 15. Every listener planbot has acknowledges with an empty 200 and answers
 * through the response_url or the Web API, so the front's empty 200 is exactly what Bolt would have
 * sent; acking here means a burst of commands never makes an ack wait behind the answers to the
 * commands before it (see `admit`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { BufferedIncomingMessage } from '@slack/bolt';
import {
  buildNoBodyResponse,
  buildSSLCheckResponse,
  buildUrlVerificationResponse,
  extractRetryNumFromHTTPRequest,
  extractRetryReasonFromHTTPRequest,
  parseAndVerifyHTTPRequest,
  parseHTTPRequestBody,
} from '@slack/bolt/dist/receivers/HTTPModuleFunctions.js';
import type { Logger } from '../logger.ts';

/** A Slack request the front has verified and acknowledged, for Bolt. */
export interface ForwardedEvent {
  body: Record<string, unknown>;
  retryNum: number | undefined;
  retryReason: string | undefined;
  /** Date.now() when the front acknowledged it: answers count their 15 s from here. */
  ackedAt: number;
}

export interface FrontOptions {
  port: number;
  host: string;
  /** HTTP mode: verify and take Slack's requests on `/slack/events`; Socket Mode: no such endpoint. */
  signingSecret: string | undefined;
  maxBodyBytes: number;
  /** Slack requests waiting for Bolt beyond this many are refused with 503. */
  maxQueued: number;
  logger: Logger;
  /** Each Slack request the front verified and acknowledged; settles when Bolt is done with it. */
  onEvent: (event: ForwardedEvent) => Promise<unknown>;
  /**
   * At most this many requests are taken on at once: handed to Bolt, or answering in the
   * background (`running`). The rest wait in the front, acknowledged.
   */
  window: number;
  /** Answers still being worked on in the background. */
  running: () => number;
  /** `/readyz`. */
  readiness: () => Promise<{ ready: boolean; status: string; checks: Record<string, string> }>;
  /** `/metrics`: Prometheus text and its content type. */
  metrics: () => Promise<{ contentType: string; body: string }>;
}

export interface Front {
  /** The port the front listens on. */
  port: number;
  /** `/healthz` says 200 from now on (true) or 503 (false). */
  setReady(ready: boolean): void;
  /**
   * Stops taking requests, hands everything acknowledged to Bolt, and resolves once Bolt's
   * listeners have been through all of it (their answers may still be running).
   */
  close(): Promise<void>;
  /** Call when background work ends: the front may hand over more. */
  workEnded(): void;
}

export class FrontFailedError extends Error {
  override name = 'FrontFailedError';
}

interface Waiting {
  /** The body as it came: a few hundred bytes instead of the parsed payload's few KB. */
  raw: string;
  contentType: string;
  retryNum: number | undefined;
  retryReason: string | undefined;
  ackedAt: number;
}

/**
 * While requests keep arriving, the answers get this share of the event loop's time and the acks
 * the rest; a slice always admits at least one request, so answers never stall.
 */
const answerShareWhileBusy = 0.05;
const maxSliceWhileBusyMs = 2;
/** With nothing arriving, answers run in slices this long, so a new request still waits little. */
const sliceWhenQuietMs = 8;

/** Starts listening; resolves once the port is bound. */
export function startFront(o: FrontOptions): Promise<Front> {
  const { logger } = o;
  let ready = false;
  let closing = false;

  // The queue: `next` is its head; handed-over slots are cleared so their text can be collected.
  let waiting: (Waiting | undefined)[] = [];
  let next = 0;
  const queued = () => waiting.length - next;

  // Requests in Bolt's hands, and the wait for none (on close).
  let inBolt = 0;
  let boltIdle: (() => void) | undefined;
  const boltDone = () => {
    inBolt--;
    if (inBolt === 0) boltIdle?.();
    schedule();
  };
  const room = () => o.window - inBolt - o.running();

  const handOver = (item: Waiting) => {
    let body: Record<string, unknown>;
    try {
      body = parseHTTPRequestBody({
        rawBody: Buffer.from(item.raw),
        headers: { 'content-type': item.contentType },
      } as BufferedIncomingMessage) as Record<string, unknown>;
    } catch (error) {
      // It parsed when it was acknowledged; nothing should change that, but nothing may crash the loop.
      return logger.error(
        { event: 'slack_dispatch_failed', err: error },
        'could not read back an acknowledged Slack request',
      );
    }
    inBolt++;
    void o
      .onEvent({ body, retryNum: item.retryNum, retryReason: item.retryReason, ackedAt: item.ackedAt })
      .then(boltDone, boltDone);
  };
  const take = (): Waiting | undefined => {
    const item = waiting[next];
    waiting[next++] = undefined;
    // Drop the handed-over part once it is most of the array.
    if (next > 1024 && next * 2 > waiting.length) {
      waiting = waiting.slice(next);
      next = 0;
    }
    return item;
  };

  /**
   * Acks first. Node runs all ready I/O (new requests, each verified and acknowledged at once) before
   * `setImmediate` callbacks, so the answers are started here, one slice per turn of the event loop:
   * while requests keep coming, a slice is a small share of the turn (at least one request); when
   * they stop, longer slices work through the queue. A burst of commands is acknowledged as fast as
   * a bare Bolt app would, and answered right after it.
   */
  let arrivals = 0;
  let scheduled = false;
  let lastSliceEnd = performance.now();
  const schedule = () => {
    if (scheduled || queued() === 0 || room() <= 0) return;
    scheduled = true;
    setImmediate(admit);
  };
  const admit = () => {
    scheduled = false;
    const start = performance.now();
    const sliceMs =
      arrivals > 0 ? Math.min(maxSliceWhileBusyMs, (start - lastSliceEnd) * answerShareWhileBusy) : sliceWhenQuietMs;
    arrivals = 0;
    while (queued() > 0 && room() > 0) {
      const item = take();
      if (item) handOver(item);
      if (performance.now() - start >= sliceMs) break;
    }
    lastSliceEnd = performance.now();
    schedule();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/slack/events' && o.signingSecret !== undefined) {
      if (req.method !== 'POST') return send(res, 405, { error: 'POST only' }, { allow: 'POST' });
      return slackEvent(req, res, o.signingSecret);
    }
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/healthz' && get)
      return ready ? send(res, 200, { status: 'ok' }) : send(res, 503, { status: 'starting' });
    if (path === '/readyz' && get) return void readyz(res);
    if (path === '/metrics' && get) return void metricsText(res);
    send(res, 404, { error: 'not found' });
  });
  // Slack retries after 3 s; a slow or idle client must not hold sockets open much longer.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;

  const readyz = async (res: ServerResponse) => {
    try {
      const r = await o.readiness();
      send(res, r.ready ? 200 : 503, { status: r.status, checks: r.checks });
    } catch (error) {
      logger.warn({ event: 'readiness_failed', err: error }, 'could not answer /readyz');
      send(res, 503, { status: 'unavailable' });
    }
  };
  const metricsText = async (res: ServerResponse) => {
    try {
      const m = await o.metrics();
      res.writeHead(200, { 'content-type': m.contentType, 'content-length': Buffer.byteLength(m.body) });
      res.end(m.body);
    } catch (error) {
      logger.warn({ event: 'metrics_failed', err: error }, 'could not answer /metrics');
      send(res, 500, { status: 'unavailable' });
    }
  };

  /**
   * Reads the body before anything parses it, so that a body over the limit is refused with 413 and
   * the connection closed as soon as its Content-Length says so or, chunked, as soon as the limit is
   * passed; then Bolt's checks (signature, timestamp, ssl_check, url_verification) and the ack.
   */
  function slackEvent(req: IncomingMessage, res: ServerResponse, signingSecret: string) {
    if (Number(req.headers['content-length']) > o.maxBodyBytes) return refuse(res, 413, 'request body too large');
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('error', () => {
      settled = true; // the client went away mid-body: there is no one to answer
    });
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= o.maxBodyBytes) return void chunks.push(chunk);
      settled = true;
      chunks.length = 0;
      refuseMidBody(req, res);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      const buffered: BufferedIncomingMessage = Object.assign(req, { rawBody: Buffer.concat(chunks, size) });
      parseAndVerifyHTTPRequest({ enabled: true, signingSecret }, buffered).then(
        (verified) => {
          let body: unknown;
          try {
            body = parseHTTPRequestBody(verified);
          } catch (error) {
            return refuseLikeBolt(res, 400, 'malformed request body', error);
          }
          // A signed `null` or bare number is no Slack payload (and Bolt 5.1 would crash reading it).
          if (typeof body !== 'object' || body === null || Array.isArray(body))
            return refuse(res, 400, 'malformed request body');
          const payload = body as Record<string, unknown>;
          if (payload.ssl_check === '1') return buildSSLCheckResponse(res);
          if (payload.type === 'url_verification') return buildUrlVerificationResponse(res, payload);
          // Shutting down, or a backlog no one would answer in time: let Slack show the person an error.
          if (closing || queued() >= o.maxQueued) return send(res, 503, { error: 'planbot is busy' });
          res.writeHead(200);
          res.end();
          waiting.push({
            raw: verified.rawBody.toString(),
            contentType: String(req.headers['content-type'] ?? ''),
            retryNum: extractRetryNumFromHTTPRequest(req),
            retryReason: extractRetryReasonFromHTTPRequest(req),
            ackedAt: Date.now(),
          });
          arrivals++;
          schedule();
        },
        (error: unknown) => refuseLikeBolt(res, 401, 'invalid signature', error),
      );
    });
  }

  /**
   * 413 for a body still arriving. Closing at once would reset the connection over the unread data,
   * and a client still sending often loses the answer with it; so the answer goes out, our side of
   * the connection is closed, and what keeps arriving is read and dropped until the client closes
   * (or for a second at most).
   */
  function refuseMidBody(req: IncomingMessage, res: ServerResponse) {
    logRefusal(413, 'request body too large');
    const text = JSON.stringify({ error: 'request body too large' });
    const socket = req.socket;
    res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text, () => {
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    });
  }

  const logRefusal = (status: number, reason: string, error?: unknown) =>
    logger.warn(
      {
        event: 'slack_request_refused',
        status,
        reason,
        ...(error === undefined ? {} : { detail: error instanceof Error ? error.message : JSON.stringify(error) }),
      },
      'refused a request to /slack/events',
    );

  /** What Bolt's HTTPReceiver answers when its signature check or body parse fails: the status alone. */
  function refuseLikeBolt(res: ServerResponse, status: 400 | 401, reason: string, error: unknown) {
    logRefusal(status, reason, error);
    buildNoBodyResponse(res, status);
  }

  function refuse(res: ServerResponse, status: number, error: string) {
    logRefusal(status, error);
    // The rest of an unread body is not worth reading: close the connection after the answer.
    send(res, status, { error }, { connection: 'close' });
  }

  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new FrontFailedError(`could not listen on ${o.host}:${o.port}: ${error.message}`)),
    );
    server.listen(o.port, o.host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : o.port,
        setReady(value) {
          ready = value;
        },
        workEnded: schedule,
        async close() {
          closing = true;
          ready = false;
          const stopped = new Promise<void>((done) => server.close(() => done()));
          server.closeIdleConnections();
          // Everything acknowledged goes to Bolt now: it has the drain time to answer it.
          while (queued() > 0) {
            const item = take();
            if (item) handOver(item);
          }
          await stopped;
          if (inBolt > 0) await new Promise<void>((idle) => (boltIdle = idle));
        },
      });
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
