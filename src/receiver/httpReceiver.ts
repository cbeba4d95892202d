/**
 * planbot's Bolt receiver in HTTP mode, and its one HTTP listener: `POST /slack/events` plus the
 * operational routes (`/healthz`, `/readyz`, `/metrics`).
 *
 * Slack gives 3 seconds for the ack, while the answer (lookups, rendering, posting to the
 * response_url) has 15. Most of planbot's listeners ack with an empty 200 and answer later, so the
 * receiver sends that empty 200 itself as soon as a request is verified, queues the request, and
 * hands it to Bolt as planbot has room (admission.ts): a burst of commands never makes an ack wait
 * behind the answers to the commands before it. Requests whose answer is the HTTP response itself
 * (`answeredInAck`) go to Bolt at once instead, and the response is what their listener acks. A
 * request planbot has no room for is turned away at once, as Slack can show or retry it
 * (admission.ts `overloadAnswer`): a slash command gets "busy" as its ack body, an event a 503.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type App, HTTPModuleFunctions, type Receiver } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { answersInAck, type Refusal } from './admission.ts';
import { ackInTime, defaultAckTimeoutMs, HandOver, type Kept } from './handOver.ts';
import { Overload, type OverloadOptions } from './overload.ts';
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
  /**
   * Requests acknowledged and waiting for Bolt beyond this many are refused (default 10,000), as
   * they are beyond `maxQueuedBytes` or once the oldest has waited `maxQueueWaitMs` (handOver.ts).
   */
  maxQueued?: number;
  maxQueuedBytes?: number;
  maxQueueWaitMs?: number;
  /** How refused requests are answered (the busy ack, busy posts) and counted; see overload.ts. */
  overload?: Omit<OverloadOptions, 'logger'>;
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
interface Waiting extends Kept {
  /**
   * The body as it came, as a string of its own: a few hundred bytes instead of the parsed
   * payload's few KB (a Buffer might hold on to a whole shared pool slab).
   */
  raw: string;
  contentType: string;
}

export const slackEventsPath = '/slack/events';

/** Sent with an Events API delivery refused while busy; Slack retries on its own schedule (at once, 1 min, 5 min). */
const retryAfterSeconds = '60';

export class SlackHttpReceiver implements Receiver, Front {
  private readonly o: SlackHttpReceiverOptions;
  private readonly logger: Logger;
  private readonly maxBodyBytes: number;
  private readonly ackTimeoutMs: number;
  private readonly routes: OpsRoutes;
  private readonly server: Server;
  /** The acknowledged requests, on their way to Bolt. */
  private readonly requests: HandOver<Waiting>;
  private readonly overload: Overload;
  private boundPort: number | undefined;

  constructor(o: SlackHttpReceiverOptions) {
    this.o = o;
    this.logger = o.logger;
    this.maxBodyBytes = o.maxBodyBytes ?? maxEventBodyBytes;
    this.ackTimeoutMs = o.ackTimeoutMs ?? defaultAckTimeoutMs;
    this.routes = new OpsRoutes(o);
    this.requests = new HandOver<Waiting>({
      ...o,
      name: 'SlackHttpReceiver',
      readBack: (w) => parseRawBody(w.raw, w.contentType),
      size: (w) => w.raw.length,
    });
    this.overload = new Overload({ ...o.overload, logger: o.logger });
    this.server = createFrontServer((req, res) => this.route(req, res));
  }

  init(app: App): void {
    this.requests.init(app);
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
    this.routes.setReady(false);
    const closed = close(this.server);
    // Everything acknowledged goes to Bolt now: it has the drain time to answer it.
    this.requests.close();
    await closed;
    await this.requests.idle();
    this.overload.flush();
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  setReady(ready: boolean): void {
    this.routes.setReady(ready);
  }

  /** Background work ended: there may be room for more. */
  workEnded(): void {
    this.requests.workEnded();
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
    const refused = this.requests.refusal(inAck, request.rawBody.length);
    if (refused) return this.refuse(refused, request.payload, res);
    if (inAck) return this.answerInAck(request, res);
    res.writeHead(200);
    res.end();
    this.requests.acked({
      raw: request.rawBody.toString(),
      contentType: request.contentType,
      retryNum: request.retryNum,
      retryReason: request.retryReason,
    });
  }

  /** A request turned away: answered as admission.ts's `overloadAnswer` says. */
  private refuse(reason: Refusal, payload: Record<string, unknown>, res: ServerResponse) {
    const answer = this.overload.answer(reason, payload);
    const busy = this.overload.busyAckJson;
    if (answer === 'busy_in_ack' && busy !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(busy) });
      return void res.end(busy);
    }
    if (answer === 'busy_at_response_url') {
      res.writeHead(200);
      return void res.end();
    }
    const retry: Record<string, string> = answer === 'retry_later' ? { 'retry-after': retryAfterSeconds } : {};
    send(res, 503, { error: 'planbot is busy' }, retry);
  }

  /**
   * Hands the request to Bolt at once; the response is what its listener acks. If no listener acks
   * within `ackTimeoutMs`, Slack gets an empty 200 rather than a timeout; if Bolt fails before any
   * ack, a 500 with no body, as Bolt's own HTTPReceiver answers.
   */
  private answerInAck(request: VerifiedRequest, res: ServerResponse) {
    const { ack, giveUp } = ackInTime({
      type: String(request.payload.type),
      timeoutMs: this.ackTimeoutMs,
      logger: this.logger,
      send: (response) => HTTPModuleFunctions.buildContentResponse(res, response),
      emptyAnswer: 'an empty 200',
    });
    this.requests.dispatch(
      { body: request.payload, ack, retryNum: request.retryNum, retryReason: request.retryReason },
      0,
      () => {
        if (giveUp()) HTTPModuleFunctions.buildNoBodyResponse(res, 500);
      },
    );
  }
}
