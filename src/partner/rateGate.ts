import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';
import { routineUpstreamError, type UpstreamApi } from './errors.ts';

/** Lets at most `rate` requests a second through, in arrival order, or says busy. */
export interface RateGate {
  /** Resolves when a request may be sent; rejects with `busy` when that would be after `deadline`. */
  acquire(deadline: number): Promise<void>;
  /** Requests waiting for their turn right now. */
  readonly waiting: number;
}

/**
 * The fleet's queue, shared by every replica (fleetLimiter.ts `createFleetBook`): a request books
 * its place before it waits, so its wait counts the other replicas' requests too.
 */
export interface SlotBook {
  /**
   * Books a place: how long until its turn can come at the earliest (ms), or `full` when its turn
   * would come after `maxWaitMs` (nothing is booked then); undefined when the book cannot be read
   * (Redis away). `release` gives the place up once the request went through (`sent`) or gave up.
   */
  book(maxWaitMs: number): Promise<{ waitMs: number; release(sent: boolean): void } | 'full' | undefined>;
}

/** The last moments before a deadline (at most a tenth of the time left) in which no turn is given. */
const lastMomentsMs = 500;

/** The spacing between two requests: 5% slack, so network jitter never bunches two into one upstream second. */
export function gateIntervalMs(ratePerSecond: number): number {
  return (1000 / ratePerSecond) * 1.05;
}

/**
 * The shortest window the in-process limiter counts in. Its clock and timers tick in whole
 * milliseconds, so one point per sub-millisecond interval would hold every request a tick or two
 * and cap the gate near 1,000 a second; above ~100 a second, a window holds several points.
 */
const shortestWindowMs = 10;

/** The in-process limiter's window: one point per interval, or as many as fit `shortestWindowMs`. */
export function gateWindow(ratePerSecond: number): { points: number; durationMs: number } {
  const intervalMs = gateIntervalMs(ratePerSecond);
  const points = Math.max(1, Math.floor(shortestWindowMs / intervalMs));
  return { points, durationMs: points * intervalMs };
}

/**
 * A FIFO gate over a rate-limiter-flexible limiter. One point per interval (not N per second)
 * spaces requests evenly, so no one-second window upstream ever sees more than the rate (at high
 * rates, a few points per 10 ms window: see `gateWindow`).
 *
 * With a `book` (several replicas on one limiter), a request first books its place in the fleet's
 * queue: busy at once when the fleet could not serve it before its deadline, else it waits out its
 * booked turn and goes through the limiter (which still spaces every request). Judged from this
 * replica's queue alone, a request would wait for slots the other replicas take, and be told
 * "busy" only at its deadline. While the book cannot be read, this replica's queue is the judge.
 */
export function createRateGate(options: {
  api: UpstreamApi;
  ratePerSecond: number;
  limiter?: RateLimiterAbstract;
  book?: SlotBook;
  now?: () => number;
  /** Told each time a request starts waiting its turn (planbot's window does not count it). */
  onWait?: () => void;
}): RateGate {
  const intervalMs = gateIntervalMs(options.ratePerSecond);
  const window = gateWindow(options.ratePerSecond);
  const limiter =
    options.limiter ?? new RateLimiterMemory({ points: window.points, duration: window.durationMs / 1000 });
  const queue = new RateLimiterQueue(limiter);
  const now = options.now ?? Date.now;
  let waiting = 0;
  // The pace requests really go through at while some wait: the interval, plus however late the
  // event loop wakes each one. Judged at the bare interval, a long queue is promised too soon.
  let pace = intervalMs;
  // One gap is learnt up to this: a pause of the whole process (GC) is not the pace. At a high
  // CC_RATE_LIMIT the interval is microseconds, but turns come a timer's tick (1 ms or more) apart,
  // so the bound cannot be a multiple of the interval alone, or a busy process admits without end.
  const longestGapMs = Math.max(4 * intervalMs, 25);
  let lastThrough: { at: number; othersWaiting: boolean } | undefined;
  const wentThrough = () => {
    const at = now();
    if (lastThrough?.othersWaiting) pace = 0.9 * pace + 0.1 * Math.min(at - lastThrough.at, longestGapMs);
    lastThrough = { at, othersWaiting: waiting > 1 };
  };

  const busy = () =>
    routineUpstreamError(
      'busy',
      options.api,
      `${options.api}: more requests queued than the rate limit serves in time`,
    );

  return {
    async acquire(deadline) {
      const t = now();
      // A turn in a request's last moments leaves the request itself no time: its turn must come by then.
      const by = deadline - Math.min(lastMomentsMs, (deadline - t) / 10);
      // Refuse at once when the queue ahead could not drain in time, instead of after the wait.
      if (t + waiting * intervalMs > by) throw busy();
      const ahead = waiting;
      waiting++;
      options.onWait?.();
      let booked: { release(sent: boolean): void } | undefined;
      let sent = false;
      try {
        const booking = await options.book?.book(by - now());
        if (booking === 'full') throw busy();
        booked = booking;
        if (booking) {
          // Its turn comes no sooner: meanwhile the limiter would only be asked again and again.
          if (booking.waitMs > 0) await new Promise((turn) => setTimeout(turn, booking.waitMs));
        } else if (now() + ahead * Math.max(intervalMs, pace) > by) throw busy();
        // Never expired before its deadline (the queue counts whole seconds): the check below says busy.
        await queue.removeTokens(1, 'gate', Math.ceil(deadline / 1000));
        sent = true;
        wentThrough();
      } catch (error) {
        if (error instanceof Error && /expired|maximum/.test(error.message)) throw busy();
        throw error;
      } finally {
        waiting--;
        booked?.release(sent);
      }
      if (now() > deadline) throw busy();
    },
    get waiting() {
      return waiting;
    },
  };
}
