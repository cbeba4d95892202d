/**
 * planbot's Bolt receiver in HTTP mode, and its one HTTP listener: `POST /slack/events` plus the
 * operational routes (`/healthz`, `/readyz`, `/metrics`).
 *
 * Slack gives 3 seconds for the ack, while the answer (lookups, rendering, posting to the
 * response_url) has 15. Most of planbot's listeners ack with an empty 200 and answer later, so the
 * receiver sends that empty 200 itself as soon as a request is verified, queues the request, and
 * hands it to Bolt as planbot has room (admission.ts): a burst of commands never makes an ack wait
 * behind the answers to the commands before it. Requests whose answer is the HTTP response itself
 * (`answeredInAck`) go to Bolt at once instead, and the response is what their listener acks.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  type AckFn,
  type App,
  HTTPModuleFunctions,
  type Receiver,
  type ReceiverEvent,
  ReceiverMultipleAckError,
} from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { AckedQueue } from './ackedQueue.ts';
import { Admission, answersInAck } from './admission.ts';
import { queuedMsKey } from './queuedMs.ts';
import { OpsRoutes, type OpsRoutesOptions, pathOf, send } from './routes.ts';
import { close, createFrontServer, type Front, listen } from './server.ts';
import { maxEventBodyBytes, parseRawBody, readSlackRequest, type VerifiedRequest } from './slackRequest.ts';

export interface SlackHttpReceiverOptions extends OpsRoutesOptions {
  /** 0 binds any free port (see `port` once started). */
  port: number;
  host: string;
  signingSecret: string;
  logger: Logger;
  /** At most this many requests are taken on at once: in Bolt, or answering in the background. */
  window: number;
  /** Answers still being worked on in the background, after their listener returned (default: none). */
  running?: () => number;
  /** Requests acknowledged and waiting for Bolt beyond this many are refused with 503 (default 10,000). */
  maxQueued?: number;
  /** The largest body accepted on `/slack/events` (default `maxEventBodyBytes`). */
  maxBodyBytes?: number;
  /**
   * A request answered in the ack whose listener has not acked by then gets an empty 200 (default
   * 2.5 s, inside Slack's 3 s with room for the trip back).
   */
  ackTimeoutMs?: number;
  /** Epoch ms, for how long a request waited (`queuedMs`). */
  now?: () => number;
  /** Monotonic ms, for the admission slices. */
  loopClock?: () => number;
}

/** A request acknowledged with an empty 200, waiting for Bolt. */
interface Waiting {
  /**
   * The body as it came, as a string of its own: a few hundred bytes instead of the parsed
   * payload's few KB (a Buffer might hold on to a whole shared pool slab).
   */
  raw: string;
  contentType: string;
  retryNum: number | undefined;
  retryReason: string | undefined;
  ackedAt: number;
}

export const slackEventsPath = '/slack/events';
const defaultAckTimeoutMs = 2_500;

/** The request was acknowledged by the receiver already; what a listener acks is a no-op. */
const alreadyAcked: AckFn<unknown> = async () => {};

export class SlackHttpReceiver implements Receiver, Front {
  private readonly o: SlackHttpReceiverOptions;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly running: () => number;
  private readonly maxBodyBytes: number;
  private readonly ackTimeoutMs: number;
  private readonly routes: OpsRoutes;
  private readonly admission: Admission;
  private readonly server: Server;
  private readonly waiting = new AckedQueue<Waiting>();
  private app: App | undefined;
  private boundPort: number | undefined;
  private closing = false;
  /** Requests in Bolt's hands, and the wait for none (on stop). */
  private inBolt = 0;
  private boltIdle: (() => void) | undefined;
  private scheduled = false;

  constructor(o: SlackHttpReceiverOptions) {
    this.o = o;
    this.logger = o.logger;
    this.now = o.now ?? Date.now;
    this.running = o.running ?? (() => 0);
    this.maxBodyBytes = o.maxBodyBytes ?? maxEventBodyBytes;
    this.ackTimeoutMs = o.ackTimeoutMs ?? defaultAckTimeoutMs;
    this.routes = new OpsRoutes(o);
    this.admission = new Admission({
      window: o.window,
      maxQueued: o.maxQueued ?? 10_000,
      now: o.loopClock ?? (() => performance.now()),
    });
    this.server = createFrontServer((req, res) => this.route(req, res));
  }

  init(app: App): void {
    this.app = app;
  }

  /** Binds the listener; resolves with the port. Rejects with `ListenFailedError`. */
  async start(): Promise<number> {
    this.boundPort = await listen(this.server, this.o.port, this.o.host);
    return this.boundPort;
  }

  /**
   * Stops taking requests, hands everything acknowledged to Bolt, and resolves once Bolt's
   * listeners have been through all of it (their answers may still be running).
   */
  async stop(): Promise<void> {
    this.closing = true;
    this.routes.setReady(false);
    const closed = close(this.server);
    // Everything acknowledged goes to Bolt now: it has the drain time to answer it.
    for (let item = this.waiting.take(); item; item = this.waiting.take()) this.handOver(item);
    await closed;
    if (this.inBolt > 0) await new Promise<void>((idle) => (this.boltIdle = idle));
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  setReady(ready: boolean): void {
    this.routes.setReady(ready);
  }

  /** Background work ended: there may be room for more. */
  workEnded(): void {
    this.schedule();
  }

  private route(req: IncomingMessage, res: ServerResponse) {
    const path = pathOf(req);
    if (path !== slackEventsPath) return this.routes.handle(req, res, path);
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' }, { allow: 'POST' });
    readSlackRequest(req, res, {
      signingSecret: this.o.signingSecret,
      maxBodyBytes: this.maxBodyBytes,
      logger: this.logger,
    })
      .then((request) => request && this.accept(request, res))
      .catch((error: unknown) => {
        this.logger.error({ event: 'slack_request_failed', err: error }, 'could not take a Slack request');
        if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 500);
      });
  }

  /** A verified request: answered in the ack, or acknowledged now and queued for Bolt. */
  private accept(request: VerifiedRequest, res: ServerResponse) {
    const inAck = answersInAck(request.payload);
    const refused = this.admission.refusal({ closing: this.closing, queued: this.waiting.length, answersInAck: inAck });
    if (refused) return send(res, 503, { error: 'planbot is busy' });
    if (inAck) return this.answerInAck(request, res);
    res.writeHead(200);
    res.end();
    this.waiting.push({
      raw: request.rawBody.toString(),
      contentType: request.contentType,
      retryNum: request.retryNum,
      retryReason: request.retryReason,
      ackedAt: this.now(),
    });
    this.admission.arrived();
    this.schedule();
  }

  /**
   * Hands the request to Bolt at once; the response is what its listener acks. If no listener acks
   * within `ackTimeoutMs`, Slack gets an empty 200 rather than a timeout; if Bolt fails before any
   * ack, a 500 with no body, as Bolt's own HTTPReceiver answers.
   */
  private answerInAck(request: VerifiedRequest, res: ServerResponse) {
    const type = String(request.payload.type);
    let acked = false;
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      this.logger.warn(
        { event: 'slack_ack_timeout', type, ms: this.ackTimeoutMs },
        'no listener acknowledged in time; answered an empty 200',
      );
      HTTPModuleFunctions.buildContentResponse(res, undefined);
    }, this.ackTimeoutMs);
    const ack: AckFn<unknown> = async (response) => {
      if (acked) throw new ReceiverMultipleAckError();
      acked = true;
      if (answered)
        return void this.logger.warn(
          { event: 'slack_ack_late', type },
          'a listener acknowledged after the time ran out',
        );
      answered = true;
      clearTimeout(timer);
      HTTPModuleFunctions.buildContentResponse(res, response);
    };
    this.dispatch(
      { body: request.payload, ack, retryNum: request.retryNum, retryReason: request.retryReason, queuedMs: 0 },
      () => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        HTTPModuleFunctions.buildNoBodyResponse(res, 500);
      },
    );
  }

  /**
   * Acks first. Node runs all ready I/O (new requests, each verified and acknowledged at once) before
   * `setImmediate` callbacks, so the queued requests are handed to Bolt here, one slice per turn of
   * the event loop, as long as there is room (admission.ts decides how long a slice runs).
   */
  private schedule() {
    if (this.scheduled || !this.admission.canAdmit(this.waiting.length, this.load())) return;
    this.scheduled = true;
    setImmediate(() => this.admit());
  }

  private admit() {
    this.scheduled = false;
    this.admission.runSlice({
      waiting: () => this.waiting.length,
      load: () => this.load(),
      handOver: () => {
        const item = this.waiting.take();
        if (item) this.handOver(item);
      },
    });
    this.schedule();
  }

  private load() {
    return { inBolt: this.inBolt, running: this.running() };
  }

  /** A queued request to Bolt. */
  private handOver(item: Waiting) {
    let body: Record<string, unknown>;
    try {
      body = parseRawBody(item.raw, item.contentType);
    } catch (error) {
      // It parsed when it was acknowledged; nothing should change that, but nothing may crash the loop.
      return this.logger.error(
        { event: 'slack_dispatch_failed', err: error },
        'could not read back an acknowledged Slack request',
      );
    }
    this.dispatch({
      body,
      ack: alreadyAcked,
      retryNum: item.retryNum,
      retryReason: item.retryReason,
      queuedMs: Math.max(0, this.now() - item.ackedAt),
    });
  }

  /** Through Bolt's middleware and listeners; a failure is logged (and `onFailure` told). */
  private dispatch(
    event: Omit<ReceiverEvent, 'customProperties'> & { queuedMs: number },
    onFailure: () => void = () => {},
  ) {
    if (!this.app) throw new Error('SlackHttpReceiver: Bolt has not initialised it');
    const { queuedMs, ...rest } = event;
    this.inBolt++;
    void this.app
      .processEvent({ ...rest, customProperties: { [queuedMsKey]: queuedMs } })
      .catch((error: unknown) => {
        this.logger.error({ event: 'slack_dispatch_failed', err: error }, 'Bolt could not process a Slack request');
        onFailure();
      })
      .finally(() => {
        this.inBolt--;
        if (this.inBolt === 0) this.boltIdle?.();
        this.schedule();
      });
  }
}
