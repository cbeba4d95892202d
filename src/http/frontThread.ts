import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.ts';
import type { ForwardedEvent, FromFront, FrontOptions, ToFront } from './frontProtocol.ts';

export interface FrontThreadOptions extends FrontOptions {
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
  /** How often the main thread tells the front it is alive (and whether it is ready). */
  heartbeatMs?: number;
}

export interface FrontThread {
  /** The port the front listens on. */
  port: number;
  /** `/healthz` says 200 from now on (true) or 503 (false). */
  setReady(ready: boolean): void;
  /**
   * Stops taking requests; resolves once every request the front took has been through Bolt's
   * listeners (whose answers may still be running).
   */
  close(): Promise<void>;
  /** Call when background work ends: the front may hand over more. */
  workEnded(): void;
}

export class FrontFailedError extends Error {
  override name = 'FrontFailedError';
}

/** The worker's file next to this one: `.ts` when run from source (tests), `.js` when built. */
const frontUrl = new URL(import.meta.url.endsWith('.ts') ? './front.ts' : './front.js', import.meta.url);

/**
 * Starts the HTTP front on its own thread and connects it to the main thread: forwarded Slack
 * requests go to `onEvent`, its log lines to the logger, `/readyz` and `/metrics` are answered here.
 */
export function startFrontThread(o: FrontThreadOptions): Promise<FrontThread> {
  const { logger, onEvent, window, running, readiness, metrics, heartbeatMs = 1_000, ...options } = o;
  const workerData: FrontOptions = options;
  // The front keeps nothing but requests in flight; a small young generation keeps it small.
  const worker = new Worker(frontUrl, { workerData, name: 'planbot-http', resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  const tell = (message: ToFront) => worker.postMessage(message);
  let ready = false;
  let closing = false;
  let closed: (() => void) | undefined;

  // Credits the front holds, and requests Bolt has not finished with.
  let granted = 0;
  let inBolt = 0;
  const topUp = () => {
    const room = window - granted - inBolt - running();
    // In batches, so a busy front is not sent a message per request.
    if (room <= 0 || (granted > 0 && room < Math.max(1, window >> 4))) return;
    granted += room;
    tell({ type: 'credit', count: room });
  };
  let boltIdle: (() => void) | undefined;
  const boltDone = () => {
    inBolt--;
    if (inBolt === 0) boltIdle?.();
    topUp();
  };

  const heartbeat = setInterval(() => tell({ type: 'alive', ready }), heartbeatMs);
  heartbeat.unref();

  const answer = async (id: number, what: 'readyz' | 'metrics') => {
    try {
      if (what === 'metrics') {
        const m = await metrics();
        return tell({ type: 'answer', id, status: 200, contentType: m.contentType, body: m.body });
      }
      const r = await readiness();
      tell({ type: 'answer', id, status: r.ready ? 200 : 503, contentType: 'application/json', body: JSON.stringify({ status: r.status, checks: r.checks }) });
    } catch (error) {
      logger.warn({ event: 'http_front_ask_failed', what, err: error }, `could not answer /${what}`);
      tell({ type: 'answer', id, status: what === 'metrics' ? 500 : 503, contentType: 'application/json', body: JSON.stringify({ status: 'unavailable' }) });
    }
  };

  return new Promise((resolve, reject) => {
    let listening = false;
    worker.on('message', (message: FromFront) => {
      switch (message.type) {
        case 'event':
          granted--;
          inBolt++;
          return void onEvent(message).then(boltDone, boltDone);
        case 'log':
          return logger[message.level](message.fields, message.msg);
        case 'ask':
          return void answer(message.id, message.what);
        case 'listening':
          listening = true;
          tell({ type: 'alive', ready });
          topUp();
          return resolve({
            port: message.port,
            setReady(value) {
              ready = value;
              tell({ type: 'alive', ready });
            },
            workEnded: topUp,
            close() {
              closing = true;
              clearInterval(heartbeat);
              return new Promise<void>((done) => {
                closed = done;
                tell({ type: 'close' });
              })
                .then(() => (inBolt === 0 ? undefined : new Promise<void>((idle) => (boltIdle = idle))))
                .then(() => worker.terminate().then(() => undefined));
            },
          });
        case 'listen_failed':
          return reject(new FrontFailedError(`could not listen on ${options.host}:${options.port}: ${message.message}`));
        case 'closed':
          // Messages arrive in order: every forwarded request came before this.
          return closed?.();
      }
    });
    worker.on('error', (error: Error) => {
      logger.fatal({ event: 'http_front_failed', err: error }, 'the HTTP front failed');
      if (!listening) reject(new FrontFailedError(`the HTTP front failed to start: ${error.message}`));
    });
    worker.on('exit', (code) => {
      clearInterval(heartbeat);
      if (closing || !listening) return;
      // Without its listener planbot can take no request: say so and end, for the supervisor to restart it.
      logger.fatal({ event: 'http_front_exited', code }, 'the HTTP front stopped; planbot cannot take requests');
      process.exit(1);
    });
  });
}
