/**
 * The HTTP front: a worker thread that owns planbot's one listener. It reads, verifies (with Bolt's
 * own functions) and acknowledges Slack's requests, then hands each one to Bolt on the main thread.
 *
 * Why a thread of its own: Slack gives 3 seconds for the ack, while the answer (lookups, rendering,
 * posting to the response_url) can take its 15. On one thread, a burst of commands makes every ack
 * wait behind the answers to the commands before it; here the acks never do. Every listener planbot
 * has acknowledges with an empty 200 and answers through the response_url or the Web API, so the
 * front's empty 200 is exactly what Bolt would have sent.
 *
 * Kept free of planbot's other modules (and of Bolt's heavy ones) so the thread starts small.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
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
import type { ForwardedEvent, FromFront, FrontOptions, ToFront } from './frontProtocol.ts';

const port = parentPort;
if (!port) throw new Error('front.ts runs as a worker thread');
const options = workerData as FrontOptions;
const toMain = (message: FromFront) => port.postMessage(message);

let mainReady = false;
let mainHeardAt = Date.now();
const mainAlive = () => Date.now() - mainHeardAt < options.staleAfterMs;

// Requests to the main thread (`/readyz`, `/metrics`) and their answers, by id.
let nextAsk = 1;
const asks = new Map<number, (answer: { status: number; contentType: string; body: string }) => void>();
const askMain = (what: 'readyz' | 'metrics', res: ServerResponse) => {
  const id = nextAsk++;
  const timer = setTimeout(() => {
    asks.delete(id);
    send(res, 503, { status: 'unavailable', error: 'planbot did not answer in time' });
  }, 5_000);
  asks.set(id, (a) => {
    clearTimeout(timer);
    asks.delete(id);
    res.writeHead(a.status, { 'content-type': a.contentType, 'content-length': Buffer.byteLength(a.body) });
    res.end(a.body);
  });
  toMain({ type: 'ask', id, what });
};

/**
 * Flow control: the main thread grants credits for as many requests as it is ready to take on,
 * and the front hands over one per credit. The rest wait here, acknowledged, in arrival order.
 * Their wait counts against their 15 s (`ackedAt`), so a long queue turns into quick "busy"
 * answers instead of a main thread holding thousands of half-done answers in memory.
 */
interface Waiting {
  raw: string;
  contentType: string;
  event: ForwardedEvent;
}
let credits = 0;
// A queue: `next` is its head; handed-over slots are cleared so their text can be collected.
let waiting: (Waiting | undefined)[] = [];
let next = 0;
const handOver = (all = false) => {
  while (next < waiting.length && (all || credits > 0)) {
    const item = waiting[next] as Waiting;
    waiting[next++] = undefined;
    credits--;
    const body = parseHTTPRequestBody({ rawBody: Buffer.from(item.raw), headers: { 'content-type': item.contentType } } as BufferedIncomingMessage) as Record<string, unknown>;
    toMain({ ...item.event, body });
  }
  // Drop the handed-over part once it is most of the array.
  if (next > 1024 && next * 2 > waiting.length) {
    waiting = waiting.slice(next);
    next = 0;
  }
};

const log = (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, msg: string) => toMain({ type: 'log', level, fields, msg });

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/slack/events' && options.signingSecret !== undefined) {
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' }, { allow: 'POST' });
    // Nobody would answer: let Slack show the person an error rather than acknowledge into a void.
    if (!mainAlive()) return send(res, 503, { error: 'planbot is not responding' });
    return slackEvent(req, res, options.signingSecret);
  }
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (path === '/healthz' && get) {
    return mainReady && mainAlive() ? send(res, 200, { status: 'ok' }) : send(res, 503, { status: 'starting' });
  }
  if (path === '/readyz' && get) return askMain('readyz', res);
  if (path === '/metrics' && get) return askMain('metrics', res);
  send(res, 404, { error: 'not found' });
});
// Slack retries after 3 s; a slow or idle client must not hold sockets open much longer.
server.requestTimeout = 10_000;
server.headersTimeout = 5_000;
server.keepAliveTimeout = 5_000;

/**
 * Reads the body before anything parses it, so that a body over the limit is refused with 413 and
 * the connection closed as soon as its Content-Length says so or, chunked, as soon as the limit is
 * passed; then Bolt's checks (signature, timestamp, ssl_check, url_verification) and the ack.
 */
function slackEvent(req: IncomingMessage, res: ServerResponse, signingSecret: string) {
  if (Number(req.headers['content-length']) > options.maxBodyBytes) return refuse(res, 413, 'request body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  req.on('error', () => {
    settled = true; // the client went away mid-body: there is no one to answer
  });
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size <= options.maxBodyBytes) return void chunks.push(chunk);
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
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse(res, 400, 'malformed request body');
        const payload = body as Record<string, unknown>;
        if (payload.ssl_check === '1') return buildSSLCheckResponse(res);
        if (payload.type === 'url_verification') return buildUrlVerificationResponse(res, payload);
        if (waiting.length - next >= options.maxQueued) return send(res, 503, { error: 'planbot is busy' });
        const event: ForwardedEvent = {
          type: 'event',
          body: payload,
          retryNum: extractRetryNumFromHTTPRequest(req),
          retryReason: extractRetryReasonFromHTTPRequest(req),
          ackedAt: Date.now(),
        };
        res.writeHead(200);
        res.end();
        if (credits > 0 && next === waiting.length) {
          credits--;
          return toMain(event);
        }
        // Waits here as the text it came as: a few hundred bytes instead of the parsed payload's few KB.
        waiting.push({ raw: verified.rawBody.toString(), contentType: String(req.headers['content-type'] ?? ''), event: { ...event, body: {} } });
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
  log(
    'warn',
    { event: 'slack_request_refused', status, reason, ...(error === undefined ? {} : { detail: error instanceof Error ? error.message : JSON.stringify(error) }) },
    'refused a request to /slack/events',
  );

/** What Bolt's HTTPReceiver answers when its signature check or body parse fails: the status alone. */
function refuseLikeBolt(res: ServerResponse, status: 400 | 401, reason: string, error: unknown) {
  logRefusal(status, reason, error);
  buildNoBodyResponse(res, status);
}

function refuse(res: ServerResponse, status: number, error: string) {
  logRefusal(status, error);
  const text = JSON.stringify({ error });
  // The rest of an unread body is not worth reading: close the connection after the answer.
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

port.on('message', (message: ToFront) => {
  if (message.type === 'alive') {
    mainReady = message.ready;
    mainHeardAt = Date.now();
  } else if (message.type === 'answer') {
    asks.get(message.id)?.(message);
  } else if (message.type === 'credit') {
    credits += message.count;
    handOver();
  } else if (message.type === 'close') {
    mainReady = false;
    // Everything acknowledged goes to the main thread now: it has its drain time to answer them.
    handOver(true);
    server.close(() => {
      handOver(true);
      toMain({ type: 'closed' });
    });
    server.closeIdleConnections();
  }
});

server.once('error', (error) => toMain({ type: 'listen_failed', message: error.message }));
server.listen(options.port, options.host, () => {
  const address = server.address();
  toMain({ type: 'listening', port: typeof address === 'object' && address ? address.port : options.port });
});
