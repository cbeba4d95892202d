/**
 * When the receiver hands acknowledged requests to Bolt, and when it refuses new ones. Pure: every
 * decision is made over explicit inputs and an injected clock, with no I/O and no timers, so it can
 * be tested under fake time; the receiver (httpReceiver.ts) does the I/O and the scheduling.
 *
 * Slack gives 3 seconds for the ack and 15 for the answer. Most requests are acknowledged with an
 * empty 200 at once and answered later (response_url, Web API); the policy keeps those acks from
 * waiting behind the answers to the requests before them.
 */

/**
 * Payload types whose answer is the HTTP response itself, so they cannot be acknowledged early
 * with an empty 200:
 * - `block_suggestion`: the options of an external_select are the response body (`{"options":[…]}`);
 *   there is no response_url to answer later.
 * - `view_submission`: a modal reads its `response_action` (errors, update, push, clear) only from
 *   the response body; an empty 200 closes the modal.
 * Both are small and a person is watching the modal, so they go to Bolt at once, ahead of the queue.
 */
export const answeredInAck: ReadonlySet<string> = new Set(['block_suggestion', 'view_submission']);

/** Whether this payload's answer goes in the HTTP response (see `answeredInAck`). */
export function answersInAck(payload: Record<string, unknown>): boolean {
  return typeof payload.type === 'string' && answeredInAck.has(payload.type);
}

export type Refusal = 'closing' | 'queue_full';

export interface ArrivalState {
  closing: boolean;
  /** Requests acknowledged and waiting for Bolt. */
  queued: number;
  maxQueued: number;
  /** The size of what the waiting requests keep (bytes), and of what the new one would keep. */
  queuedBytes?: number;
  bytes?: number;
  maxQueuedBytes?: number;
  /** How long the oldest waiting request has waited (ms), and how many were handed to Bolt meanwhile. */
  oldestWaitMs?: number;
  handedOverSinceOldest?: number;
  /** The longest a new request should wait for Bolt. */
  maxQueueWaitMs?: number;
  /** The new request is answered in the ack (it never waits in the queue). */
  answersInAck: boolean;
}

/**
 * How long a new request would wait for Bolt, at the pace requests left the queue while its oldest
 * waited (each of the `queued` ahead takes the time one took then); undefined until enough have
 * left to tell (a short stall of the window says nothing of the pace).
 */
export function projectedWaitMs(
  s: Pick<ArrivalState, 'queued' | 'oldestWaitMs' | 'handedOverSinceOldest'>,
): number | undefined {
  const left = s.handedOverSinceOldest ?? 0;
  if (left < 16) return undefined;
  return (s.queued * (s.oldestWaitMs ?? 0)) / left;
}

/**
 * Why a new request is refused, if it is: shutting down, or a backlog no one would answer in
 * time. A backlog is too many requests, too many bytes (a click carries its whole message, up to
 * 256 KB), or one the new request would wait in longer than `maxQueueWaitMs` (the oldest has waited
 * that long, or the pace the queue moves at says so): it is better told "busy" now than seconds
 * later. Requests answered in the ack never wait in the queue, so a full queue does not refuse them.
 */
export function refusal(s: ArrivalState): Refusal | undefined {
  if (s.closing) return 'closing';
  if (s.answersInAck) return undefined;
  if (s.queued >= s.maxQueued) return 'queue_full';
  // One request alone is never too big: the body limit bounds it.
  if (s.queued > 0 && (s.queuedBytes ?? 0) + (s.bytes ?? 0) > (s.maxQueuedBytes ?? Infinity)) return 'queue_full';
  const maxWait = s.maxQueueWaitMs ?? Infinity;
  if (s.queued > 0 && ((s.oldestWaitMs ?? 0) >= maxWait || (projectedWaitMs(s) ?? 0) > maxWait)) return 'queue_full';
  return undefined;
}

/** What a refused request is, for how it is answered and counted. */
export type RequestKind = 'command' | 'event' | 'interactive' | 'other';

export function requestKind(payload: Record<string, unknown>): RequestKind {
  if (typeof payload.command === 'string') return 'command';
  if (payload.type === 'event_callback') return 'event';
  if (typeof payload.type === 'string') return 'interactive';
  return 'other';
}

/**
 * How a refused request is answered, so that the person learns planbot is busy where Slack can show
 * it, and Slack sends again what it can send again:
 * - `busy_in_ack`: a slash command gets its busy message as the ack body: an ephemeral answer,
 *   where a 503 shows the person that the command failed.
 * - `busy_at_response_url`: a button click or message shortcut is acked and its busy message posted
 *   to its response_url: Slack ignores the ack body of a click.
 * - `retry_later`: an Events API delivery is refused (503, Retry-After), and Slack retries it (at
 *   once, after a minute, after five).
 * - `refused`: anything else (a global shortcut, a click in a modal, and everything while
 *   stopping): there is nowhere to say it, so Slack shows its own error.
 */
export type OverloadAnswer = 'busy_in_ack' | 'busy_at_response_url' | 'retry_later' | 'refused';

export function overloadAnswer(
  reason: Refusal,
  kind: RequestKind,
  o: { canAckBusy: boolean; hasResponseUrl: boolean; canPost: boolean },
): OverloadAnswer {
  // While stopping, as ever: refused, and Slack's retry finds another replica (or this one, restarted).
  if (reason === 'closing') return 'refused';
  if (kind === 'command' && o.canAckBusy) return 'busy_in_ack';
  if (kind === 'event') return 'retry_later';
  if (kind === 'interactive' && o.hasResponseUrl && o.canPost) return 'busy_at_response_url';
  return 'refused';
}

export interface Load {
  /** Requests in Bolt's hands (its middleware and listeners have not returned yet). */
  inBolt: number;
  /** Answers still being worked on in the background, after their listener returned. */
  running: number;
}

/** How many more requests may be handed to Bolt now: the window minus the work in progress. */
export function room(window: number, load: Load): number {
  return window - load.inBolt - load.running;
}

export interface SlicePolicy {
  /** While requests keep arriving, the answers get this share of the event loop's time. */
  shareWhileBusy: number;
  /** ... and a slice is never longer than this. */
  maxSliceWhileBusyMs: number;
  /** With nothing arriving, slices this long: a new request still waits little. */
  sliceWhenQuietMs: number;
}

export const defaultSlicePolicy: SlicePolicy = { shareWhileBusy: 0.05, maxSliceWhileBusyMs: 2, sliceWhenQuietMs: 8 };

/**
 * How long a slice of hand-overs may run. While requests keep arriving (`arrivals` since the last
 * slice), it is a small share of the time since the last slice ended, so the acks get the rest of
 * the loop; when they stop, longer slices work through the queue.
 */
export function sliceLengthMs(
  s: { arrivals: number; sinceLastSliceMs: number },
  p: SlicePolicy = defaultSlicePolicy,
): number {
  if (s.arrivals === 0) return p.sliceWhenQuietMs;
  return Math.max(0, Math.min(p.maxSliceWhileBusyMs, s.sinceLastSliceMs * p.shareWhileBusy));
}

export interface AdmissionOptions {
  /** At most this many requests are taken on at once (in Bolt, or answering in the background). */
  window: number;
  /** Requests waiting for Bolt beyond this many are refused. */
  maxQueued: number;
  /** ... and beyond this many bytes kept (default: no bound). */
  maxQueuedBytes?: number;
  /** ... and once the oldest has waited this long (ms; default: no bound). */
  maxQueueWaitMs?: number;
  /** A monotonic clock in ms (the receiver uses performance.now). */
  now: () => number;
  slices?: SlicePolicy;
}

/** The policy with its little state: arrivals since the last slice and when that slice ended. */
export class Admission {
  private readonly o: AdmissionOptions;
  private readonly slices: SlicePolicy;
  private arrivals = 0;
  private lastSliceEnd: number;

  constructor(o: AdmissionOptions) {
    this.o = o;
    this.slices = o.slices ?? defaultSlicePolicy;
    this.lastSliceEnd = o.now();
  }

  /** Why a new request is refused, if it is (see `refusal`). */
  refusal(s: Omit<ArrivalState, 'maxQueued' | 'maxQueuedBytes' | 'maxQueueWaitMs'>): Refusal | undefined {
    const { maxQueued, maxQueuedBytes, maxQueueWaitMs } = this.o;
    return refusal({ ...s, maxQueued, maxQueuedBytes, maxQueueWaitMs });
  }

  /** A request was acknowledged and queued. */
  arrived(): void {
    this.arrivals++;
  }

  room(load: Load): number {
    return room(this.o.window, load);
  }

  /** Whether a slice is worth scheduling: a request waits and there is room for it. */
  canAdmit(waiting: number, load: Load): boolean {
    return waiting > 0 && this.room(load) > 0;
  }

  /**
   * One slice of hand-overs: `handOver` (which hands the oldest waiting request to Bolt) is called
   * while a request waits, there is room, and the slice has time left; the first always may, so
   * answers never stall behind acks. Returns how many were handed over.
   */
  runSlice(q: { waiting: () => number; load: () => Load; handOver: () => void }): number {
    const started = this.o.now();
    const lengthMs = sliceLengthMs(
      { arrivals: this.arrivals, sinceLastSliceMs: started - this.lastSliceEnd },
      this.slices,
    );
    this.arrivals = 0;
    let count = 0;
    while (this.canAdmit(q.waiting(), q.load()) && (count === 0 || this.o.now() - started < lengthMs)) {
      q.handOver();
      count++;
    }
    this.lastSliceEnd = this.o.now();
    return count;
  }
}
