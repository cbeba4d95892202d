/**
 * What planbot's two receivers share: `httpReceiver.ts` (Slack's requests over HTTP) and
 * `socketReceiver.ts` (the same requests as Socket Mode envelopes). Each acknowledges a request
 * itself, at once, and keeps it here; `HandOver` hands the kept requests to Bolt as the admission
 * policy (admission.ts) allows, counts the requests in Bolt's hands, and on stop hands over
 * everything kept and waits for Bolt to be through it. Requests whose answer is the ack itself
 * (`answersInAck`) skip the queue: `dispatch` hands them to Bolt at once, and `ackInTime` bounds
 * how long their ack may take.
 */
import { type AckFn, type App, type ReceiverEvent, ReceiverMultipleAckError } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { AckedQueue } from './ackedQueue.ts';
import { Admission, type Refusal } from './admission.ts';
import { queuedMsKey } from './queuedMs.ts';

/** What a receiver keeps of a request it acknowledged, besides the request itself. */
export interface Kept {
  retryNum: number | undefined;
  retryReason: string | undefined;
}

export interface HandOverOptions<T extends Kept> {
  /** Names the receiver in the error thrown when Bolt has not initialised it. */
  name: string;
  logger: Logger;
  /** At most this many requests are taken on at once: in Bolt, or answering in the background. */
  window: number;
  /** Answers still being worked on in the background, after their listener returned (default: none). */
  running?: () => number;
  /** Requests acknowledged and waiting for Bolt beyond this many are refused (default 10,000). */
  maxQueued?: number;
  /** ... or beyond this many bytes kept (default `defaultMaxQueuedBytes`). */
  maxQueuedBytes?: number;
  /** ... or once the oldest has waited this long (default `defaultMaxQueueWaitMs`). */
  maxQueueWaitMs?: number;
  /** Epoch ms, for how long a request waited (`queuedMs`). */
  now?: () => number;
  /** Monotonic ms, for the admission slices. */
  loopClock?: () => number;
  /** The body Bolt gets, read back from what was kept (it may throw; the request is then dropped). */
  readBack: (request: T) => Record<string, unknown>;
  /** What a kept request holds, in bytes (about: its text's length). */
  size: (request: T) => number;
}

/**
 * The text the queue may hold. A slash command keeps about 500 bytes, so 10,000 of them fit; a
 * click keeps its whole message (a few KB for planbot's cards, up to the 256 KB body limit), so a
 * storm of clicks is refused long before it could hold hundreds of MB.
 */
export const defaultMaxQueuedBytes = 8 * 1024 * 1024;

/**
 * A request that would wait longer than this before Bolt gets to it is refused with "busy" now,
 * rather than told so seconds later; planbot is then well behind (the queue moves in milliseconds
 * while it keeps up). See admission.ts `refusal`.
 */
export const defaultMaxQueueWaitMs = 500;

/**
 * A request answered in the ack whose listener has not acked by then gets the empty answer: 2.5 s,
 * inside Slack's 3 s with room for the trip back.
 */
export const defaultAckTimeoutMs = 2_500;

/** A request handed to Bolt: what Bolt's `processEvent` takes, without the custom properties. */
export type Dispatched = Omit<ReceiverEvent, 'customProperties'>;

/** The request was acknowledged by the receiver already; what a listener acks is a no-op. */
const alreadyAcked: AckFn<unknown> = async () => {};

export class HandOver<T extends Kept> {
  private readonly o: HandOverOptions<T>;
  private readonly now: () => number;
  private readonly running: () => number;
  private readonly admission: Admission;
  private readonly waiting = new AckedQueue<{ request: T; ackedAt: number; bytes: number; seq: number }>();
  private waitingBytes = 0;
  /** Requests taken from the queue so far; each waiting one keeps the count it arrived at. */
  private taken = 0;
  /** Requests whose ack is on its way (Socket Mode): they count as queued meanwhile. */
  private beingAcked = { count: 0, bytes: 0 };
  private app: App | undefined;
  private closing = false;
  /** Requests in Bolt's hands, and who waits for none (on stop). */
  private inBolt = 0;
  private boltIdle: Array<() => void> = [];
  private scheduled = false;

  constructor(o: HandOverOptions<T>) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.running = o.running ?? (() => 0);
    this.admission = new Admission({
      window: o.window,
      maxQueued: o.maxQueued ?? 10_000,
      maxQueuedBytes: o.maxQueuedBytes ?? defaultMaxQueuedBytes,
      maxQueueWaitMs: o.maxQueueWaitMs ?? defaultMaxQueueWaitMs,
      now: o.loopClock ?? (() => performance.now()),
    });
  }

  init(app: App): void {
    this.app = app;
  }

  /**
   * Why a new request of `bytes` is refused, if it is: planbot is stopping, or the requests waiting
   * already are too many, too big, or waiting too long.
   */
  refusal(answersInAck: boolean, bytes = 0): Refusal | undefined {
    const oldest = this.waiting.peek();
    return this.admission.refusal({
      closing: this.closing,
      queued: this.waiting.length + this.beingAcked.count,
      queuedBytes: this.waitingBytes + this.beingAcked.bytes,
      bytes,
      oldestWaitMs: oldest ? this.now() - oldest.ackedAt : 0,
      handedOverSinceOldest: oldest ? this.taken - oldest.seq : 0,
      answersInAck,
    });
  }

  /**
   * A request whose ack is on its way, of `bytes`: it counts as queued until the returned function
   * says the ack went out (then `acked`) or failed, so a burst cannot pass the bounds meanwhile.
   */
  acking(bytes: number): () => void {
    this.beingAcked.count++;
    this.beingAcked.bytes += bytes;
    return () => {
      this.beingAcked.count--;
      this.beingAcked.bytes -= bytes;
    };
  }

  /** A request the receiver has just acknowledged with an empty answer: it waits for room in Bolt. */
  acked(request: T): void {
    const bytes = this.o.size(request);
    this.waitingBytes += bytes;
    this.waiting.push({ request, ackedAt: this.now(), bytes, seq: this.taken });
    this.admission.arrived();
    this.schedule();
  }

  /** Background work ended: there may be room for more. */
  workEnded(): void {
    this.schedule();
  }

  /**
   * Stops taking requests (`refusal` says `closing` from now on) and hands everything acknowledged
   * to Bolt at once: it has the drain time to answer it.
   */
  close(): void {
    this.closing = true;
    for (let item = this.take(); item; item = this.take()) this.handOver(item);
  }

  /** Resolves once nothing is in Bolt's hands (its listeners' answers may still be running). */
  idle(): Promise<void> {
    if (this.inBolt === 0) return Promise.resolve();
    return new Promise<void>((idle) => this.boltIdle.push(idle));
  }

  /**
   * A request to Bolt now, through its middleware and listeners: one answered in the ack, or one
   * read back from the queue. A failure is logged (and `onFailure` told).
   */
  dispatch(event: Dispatched, queuedMs = 0, onFailure: () => void = () => {}): void {
    if (!this.app) throw new Error(`${this.o.name}: Bolt has not initialised it`);
    this.inBolt++;
    void this.app
      .processEvent({ ...event, customProperties: { [queuedMsKey]: queuedMs } })
      .catch((error: unknown) => {
        this.o.logger.error({ event: 'slack_dispatch_failed', err: error }, 'Bolt could not process a Slack request');
        onFailure();
      })
      .finally(() => {
        this.inBolt--;
        if (this.inBolt === 0) for (const idle of this.boltIdle.splice(0)) idle();
        this.schedule();
      });
  }

  /**
   * Acks first. Node runs all ready I/O (new requests, each acknowledged at once) before
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
        const item = this.take();
        if (item) this.handOver(item);
      },
    });
    this.schedule();
  }

  private load() {
    return { inBolt: this.inBolt, running: this.running() };
  }

  private take() {
    const item = this.waiting.take();
    if (item) {
      this.waitingBytes -= item.bytes;
      this.taken++;
    }
    return item;
  }

  /** A queued request to Bolt. */
  private handOver({ request, ackedAt }: { request: T; ackedAt: number }) {
    let body: Record<string, unknown>;
    try {
      body = this.o.readBack(request);
    } catch (error) {
      // It parsed when it was acknowledged; nothing should change that, but nothing may crash the loop.
      return this.o.logger.error(
        { event: 'slack_dispatch_failed', err: error },
        'could not read back an acknowledged Slack request',
      );
    }
    this.dispatch(
      { body, ack: alreadyAcked, retryNum: request.retryNum, retryReason: request.retryReason },
      Math.max(0, this.now() - ackedAt),
    );
  }
}

export interface AckInTimeOptions {
  /** The payload's type, for the log. */
  type: string;
  timeoutMs: number;
  logger: Logger;
  /** Sends the answer: what the listener acked, or undefined (the empty answer) once the time is up. */
  send: (response: unknown) => void;
  /** How the log names the empty answer sent when the time is up ("an empty 200"). */
  emptyAnswer: string;
  /** Called once, when the request is answered or given up. */
  settled?: () => void;
}

/**
 * The ack for a request answered in the ack. What the listener acks is sent as the answer; if no
 * listener acks within `timeoutMs`, the empty answer is sent instead (with a warning) and a later
 * ack is dropped (with another). `giveUp` ends the wait with nothing sent, when Bolt failed before
 * any ack; it returns whether the request was still unanswered, so the caller may answer the failure.
 */
export function ackInTime(o: AckInTimeOptions): { ack: AckFn<unknown>; giveUp: () => boolean } {
  let acked = false;
  let answered = false;
  const answer = () => {
    answered = true;
    o.settled?.();
  };
  const timer = setTimeout(() => {
    answer();
    o.logger.warn(
      { event: 'slack_ack_timeout', type: o.type, ms: o.timeoutMs },
      `no listener acknowledged in time; answered ${o.emptyAnswer}`,
    );
    o.send(undefined);
  }, o.timeoutMs);
  const ack: AckFn<unknown> = async (response) => {
    if (acked) throw new ReceiverMultipleAckError();
    acked = true;
    if (answered)
      return void o.logger.warn(
        { event: 'slack_ack_late', type: o.type },
        'a listener acknowledged after the time ran out',
      );
    answer();
    clearTimeout(timer);
    o.send(response);
  };
  const giveUp = () => {
    if (answered) return false;
    answer();
    clearTimeout(timer);
    return true;
  };
  return { ack, giveUp };
}
