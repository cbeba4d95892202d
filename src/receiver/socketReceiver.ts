/**
 * planbot's Bolt receiver in Socket Mode: Slack's requests come as envelopes over a WebSocket
 * that `SocketModeClient` (@slack/socket-mode) opens with the app-level token, instead of as
 * HTTP requests. The flow control is the HTTP receiver's (see handOver.ts): each envelope is
 * acknowledged with an empty ack as soon as it arrives, kept as its JSON text, and handed to Bolt
 * as planbot has room, so a burst of commands never makes an ack wait behind the answers to the
 * commands before it. Envelopes whose answer is the ack itself (`answeredInAck`: an
 * external_select's options, a modal's response_action) go to Bolt at once, and their ack carries
 * what the listener acks as its payload.
 *
 * The client's own reconnection waits 5 s after every lost connection and cannot report a failed
 * reconnection but as an unhandled rejection; this receiver reconnects instead: at once when a
 * connection that lasted ends (Slack refreshes them every few hours, and asks with a `disconnect`
 * message), then with growing waits while tries fail.
 */
import type { App, Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { boltLogger, type Logger } from '../logger.ts';
import { answersInAck, type Refusal } from './admission.ts';
import { ackInTime, defaultAckTimeoutMs, HandOver, type Kept } from './handOver.ts';
import { Overload, type OverloadOptions } from './overload.ts';

export interface SlackSocketReceiverOptions {
  /** The app-level token (`xapp-…`, scope `connections:write`). */
  appToken: string;
  logger: Logger;
  /** Where `apps.connections.open` is called (the Web API base URL, ending in a slash). */
  slackApiUrl: string;
  /** At most this many requests are taken on at once: in Bolt, or answering in the background. */
  window: number;
  /** Answers still being worked on in the background, after their listener returned (default: none). */
  running?: () => number;
  /**
   * Envelopes acknowledged and waiting for Bolt beyond this many are refused (default 10,000), as
   * they are beyond `maxQueuedBytes` or once the oldest has waited `maxQueueWaitMs` (handOver.ts).
   */
  maxQueued?: number;
  maxQueuedBytes?: number;
  maxQueueWaitMs?: number;
  /** How refused envelopes are answered (the busy ack, busy posts) and counted; see overload.ts. */
  overload?: Omit<OverloadOptions, 'logger'>;
  /** An envelope answered in the ack whose listener has not acked by then gets an empty ack (default 2.5 s). */
  ackTimeoutMs?: number;
  /** Epoch ms, for how long an envelope waited (`queuedMs`). */
  now?: () => number;
  /** Monotonic ms, for the admission slices. */
  loopClock?: () => number;
  /**
   * The waits before each try to connect again after a connection is lost: the first after a
   * connection that lasted, then the next while tries fail (the last repeats).
   */
  reconnectDelaysMs?: readonly number[];
}

/** What `SocketModeClient` emits as `slack_event` for each envelope. */
interface SlackEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  type: string;
  body: unknown;
  retry_num?: number;
  retry_reason?: string;
  accepts_response_payload?: boolean;
}

/** An envelope acknowledged with an empty ack, waiting for Bolt. */
interface Waiting extends Kept {
  /** The envelope's payload as JSON: a string of its own, a fraction of the parsed payload's size. */
  raw: string;
}

type ConnectionState = 'connected' | 'reconnecting' | 'disconnected';

const defaultReconnectDelaysMs = [0, 1_000, 2_000, 5_000, 10_000, 30_000];
/** A connection that lasted this long was a good one: the next loss reconnects at once. */
const lastedMs = 30_000;
/** How long a stop waits for the WebSocket's closing handshake. */
const closeWaitMs = 2_000;

export class SlackSocketReceiver implements Receiver {
  private readonly logger: Logger;
  private readonly ackTimeoutMs: number;
  private readonly reconnectDelaysMs: readonly number[];
  private readonly client: SocketModeClient;
  /** The acknowledged envelopes, on their way to Bolt. */
  private readonly requests: HandOver<Waiting>;
  private readonly overload: Overload;
  private state: ConnectionState = 'disconnected';
  private started = false;
  private stopping: Promise<void> | undefined;
  /** A try to connect is under way (its failure is handled where it was made). */
  private connecting = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private connectedAt = 0;
  /** Why Slack last asked to end the connection (its `disconnect` message), for the log. */
  private disconnectReason: string | undefined;
  /** Envelopes answered in the ack whose ack has not been sent: a stop waits for them. */
  private answering = 0;
  private answered: Array<() => void> = [];

  constructor(o: SlackSocketReceiverOptions) {
    this.logger = o.logger;
    this.ackTimeoutMs = o.ackTimeoutMs ?? defaultAckTimeoutMs;
    this.reconnectDelaysMs = o.reconnectDelaysMs ?? defaultReconnectDelaysMs;
    this.requests = new HandOver<Waiting>({
      ...o,
      name: 'SlackSocketReceiver',
      readBack: (w) => JSON.parse(w.raw) as Record<string, unknown>,
      size: (w) => w.raw.length,
    });
    this.overload = new Overload({ ...o.overload, logger: o.logger });
    this.client = new SocketModeClient({
      appToken: o.appToken,
      logger: boltLogger(o.logger),
      autoReconnectEnabled: false,
      // apps.connections.open: a failed try is tried again here, with the reconnection's waits.
      clientOptions: {
        slackApiUrl: o.slackApiUrl,
        timeout: 10_000,
        retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 },
      },
    });
    this.client.on('slack_event', (args: SlackEventArgs) => this.take(args));
    this.client.on('connected', () => this.connected());
    this.client.on('disconnected', () => this.lost());
    this.client.on('ws_message', (data: unknown) => this.noteDisconnect(data));
  }

  init(app: App): void {
    this.requests.init(app);
  }

  /** Opens the connection; resolves once Slack has said hello. Rejects if the first try fails. */
  async start(): Promise<void> {
    this.started = true;
    this.connecting = true;
    try {
      await this.client.start();
    } catch (error) {
      throw error instanceof Error ? error : new Error(whyNotConnected(error));
    } finally {
      this.connecting = false;
    }
  }

  /**
   * Stops taking envelopes (one arriving now is left unacknowledged, for Slack to send again),
   * hands everything acknowledged to Bolt, closes the connection once the answers in the ack have
   * been sent, and resolves once Bolt's listeners have been through all of it. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /** Background work ended: there may be room for more. */
  workEnded(): void {
    this.requests.workEnded();
  }

  private async shutDown() {
    clearTimeout(this.reconnectTimer);
    this.requests.close();
    if (this.answering > 0) await new Promise<void>((done) => this.answered.push(done));
    await Promise.race([this.client.disconnect(), new Promise((done) => setTimeout(done, closeWaitMs).unref())]);
    this.setState('disconnected');
    await this.requests.idle();
    this.overload.flush();
  }

  /** One envelope: answered in the ack, or acknowledged now and kept for Bolt. */
  private take(args: SlackEventArgs) {
    const { body } = args;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.logger.warn({ event: 'slack_envelope_malformed', type: args.type }, 'an envelope without a payload');
      return this.sendAck(args, undefined);
    }
    const payload = body as Record<string, unknown>;
    const inAck = answersInAck(payload);
    const raw = inAck ? '' : JSON.stringify(payload);
    const refused = this.requests.refusal(inAck, raw.length);
    if (refused) return this.refuse(refused, args, payload);
    const retry = { retryNum: args.retry_num, retryReason: args.retry_reason };
    if (inAck) return this.answerInAck(args, payload, retry);
    // Kept only once acknowledged: an envelope whose ack could not be sent comes again.
    const sent = this.requests.acking(raw.length);
    args.ack().then(
      () => {
        sent();
        this.requests.acked({ raw, ...retry });
      },
      (error: unknown) => {
        sent();
        this.ackFailed(args, error);
      },
    );
  }

  /**
   * An envelope turned away, answered as admission.ts's `overloadAnswer` says, as over HTTP: a
   * slash command's ack carries the busy message; a click is acked and told at its response_url;
   * anything else is left unacknowledged, so Slack sends an event again (to another connection, if
   * there is one) and tells the person a command or click failed, as a 503 does over HTTP.
   */
  private refuse(reason: Refusal, args: SlackEventArgs, payload: Record<string, unknown>) {
    const answer = this.overload.answer(reason, payload);
    if (answer === 'busy_in_ack') return this.sendAck(args, this.overload.busyAck);
    if (answer === 'busy_at_response_url') this.sendAck(args, undefined);
  }

  /**
   * Hands the envelope to Bolt at once; its ack carries what the listener acks. If no listener acks
   * within `ackTimeoutMs`, Slack gets an empty ack rather than a timeout; if Bolt fails before any
   * ack, no ack at all, so Slack shows the person an error, as the 500 does over HTTP.
   */
  private answerInAck(args: SlackEventArgs, payload: Record<string, unknown>, retry: Kept) {
    this.answering++;
    const { ack, giveUp } = ackInTime({
      type: String(payload.type),
      timeoutMs: this.ackTimeoutMs,
      logger: this.logger,
      send: (response) => this.sendAck(args, response),
      emptyAnswer: 'an empty ack',
      settled: () => {
        if (--this.answering === 0) for (const done of this.answered.splice(0)) done();
      },
    });
    this.requests.dispatch({ body: payload, ack, ...retry }, 0, giveUp);
  }

  /** The ack, with the listener's answer as its payload (a string answer as its text, as Bolt's receiver does). */
  private sendAck(args: SlackEventArgs, response: unknown) {
    const payload =
      response === undefined || response === null
        ? undefined
        : typeof response === 'string'
          ? { text: response }
          : (response as Record<string, unknown>);
    args.ack(payload).catch((error: unknown) => this.ackFailed(args, error));
  }

  private ackFailed(args: SlackEventArgs, error: unknown) {
    this.logger.warn(
      {
        event: 'slack_ack_failed',
        type: args.type,
        error: error instanceof Error ? error.message : String(error),
      },
      'could not acknowledge a Slack envelope (the connection is gone); Slack sends it again',
    );
  }

  private connected() {
    this.connecting = false;
    this.connectedAt = Date.now();
    this.disconnectReason = undefined;
    this.setState('connected');
  }

  /** The connection ended: closed by planbot, or lost (planbot connects again). */
  private lost() {
    if (this.stopping || !this.started) return this.setState('disconnected');
    // A failed try is handled by whoever made it.
    if (this.connecting) return;
    // Slack's routine refresh, or the end of a connection that lasted: connect again at once.
    const routine = this.disconnectReason === 'refresh_requested' || Date.now() - this.connectedAt >= lastedMs;
    this.failures = routine ? 0 : this.failures + 1;
    this.setState('reconnecting');
    this.reconnectLater();
  }

  private reconnectLater() {
    if (this.reconnectTimer || this.stopping) return;
    const delays = this.reconnectDelaysMs;
    const wait = delays[Math.min(this.failures, delays.length - 1)] ?? 0;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, wait);
  }

  private async reconnect() {
    if (this.stopping) return;
    this.connecting = true;
    try {
      await this.client.start();
      // Stopped while this try was under way: close what it opened.
      if (this.stopping) await this.client.disconnect();
    } catch (error) {
      this.failures++;
      this.logger.warn(
        { event: 'slack_socket_connect_failed', error: whyNotConnected(error) },
        'could not connect to Slack; trying again',
      );
      this.reconnectLater();
    } finally {
      this.connecting = false;
    }
  }

  /** Slack's `disconnect` message names why it ends the connection (the client then closes it). */
  private noteDisconnect(data: unknown) {
    if (typeof data !== 'string' || data.length > 1_000 || !data.includes('"disconnect"')) return;
    try {
      const message = JSON.parse(data) as { type?: unknown; reason?: unknown };
      if (message.type === 'disconnect') this.disconnectReason = String(message.reason);
    } catch {
      // Not JSON: the client ignores it too.
    }
  }

  /** Logs each change of the connection's state once. */
  private setState(state: ConnectionState) {
    if (state === this.state) return;
    this.state = state;
    if (state === 'connected')
      this.logger.info({ event: 'slack_socket_connected' }, 'connected to Slack (Socket Mode)');
    else if (state === 'reconnecting')
      this.logger.warn(
        { event: 'slack_socket_reconnecting', ...(this.disconnectReason ? { reason: this.disconnectReason } : {}) },
        'the connection to Slack ended; connecting again',
      );
    else this.logger.info({ event: 'slack_socket_disconnected' }, 'disconnected from Slack');
  }
}

/** The client rejects with nothing when the WebSocket itself fails to open. */
function whyNotConnected(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'the WebSocket connection to Slack failed' : JSON.stringify(error);
}
