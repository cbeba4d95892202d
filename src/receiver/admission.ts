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
  /** The new request is answered in the ack (it never waits in the queue). */
  answersInAck: boolean;
}

/**
 * Why a new request is refused (503), if it is: shutting down, or a backlog no one would answer in
 * time; either way Slack shows the person an error instead of silence. Requests answered in the ack
 * never wait in the queue, so a full queue does not refuse them.
 */
export function refusal(s: ArrivalState): Refusal | undefined {
  if (s.closing) return 'closing';
  if (!s.answersInAck && s.queued >= s.maxQueued) return 'queue_full';
  return undefined;
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
  refusal(s: Omit<ArrivalState, 'maxQueued'>): Refusal | undefined {
    return refusal({ ...s, maxQueued: this.o.maxQueued });
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
