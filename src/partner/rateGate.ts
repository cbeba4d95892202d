import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';
import { routineUpstreamError, type UpstreamApi } from './errors.ts';

/** Lets at most `rate` requests a second through, in arrival order, or says busy. */
export interface RateGate {
  /** Resolves when a request may be sent; rejects with `busy` when that would be after `deadline`. */
  acquire(deadline: number): Promise<void>;
  /** Requests waiting for their turn right now. */
  readonly waiting: number;
}

/** The spacing between two requests: 5% slack, so network jitter never bunches two into one upstream second. */
export function gateIntervalMs(ratePerSecond: number): number {
  return (1000 / ratePerSecond) * 1.05;
}

/**
 * A FIFO gate over a rate-limiter-flexible limiter. One point per interval (not N per second)
 * spaces requests evenly, so no one-second window upstream ever sees more than the rate.
 */
export function createRateGate(options: {
  api: UpstreamApi;
  ratePerSecond: number;
  limiter?: RateLimiterAbstract;
  now?: () => number;
  /** Told each time a request starts waiting its turn (planbot's window does not count it). */
  onWait?: () => void;
}): RateGate {
  const intervalMs = gateIntervalMs(options.ratePerSecond);
  const limiter = options.limiter ?? new RateLimiterMemory({ points: 1, duration: intervalMs / 1000 });
  const queue = new RateLimiterQueue(limiter);
  const now = options.now ?? Date.now;
  let waiting = 0;

  const busy = () =>
    routineUpstreamError(
      'busy',
      options.api,
      `${options.api}: more requests queued than the rate limit serves in time`,
    );

  return {
    async acquire(deadline) {
      // Refuse at once when the queue ahead could not drain in time, instead of after the wait.
      if (now() + waiting * intervalMs > deadline) throw busy();
      waiting++;
      options.onWait?.();
      try {
        await queue.removeTokens(1, 'gate', Math.floor(deadline / 1000));
      } catch (error) {
        if (error instanceof Error && /expired|maximum/.test(error.message)) throw busy();
        throw error;
      } finally {
        waiting--;
      }
      if (now() > deadline) throw busy();
    },
    get waiting() {
      return waiting;
    },
  };
}
