import { type UpstreamApi, UpstreamError } from './errors.ts';
import { type RetryPolicy, retryDelay, shouldRetry } from './retryPolicy.ts';

export interface RetryContext {
  api: UpstreamApi;
  policy: RetryPolicy;
  /** Epoch ms by which the caller needs an answer; no attempt or wait runs past it. */
  deadline: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told of each retry, for logs and metrics. */
  onRetry?: (error: UpstreamError, delayMs: number) => void;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, the policy gives up, or the deadline leaves no room for another try. */
export async function withRetries<T>(attempt: (timeoutMs: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  const now = ctx.now ?? Date.now;
  const wait = ctx.sleep ?? sleep;
  for (let retries = 0; ; retries++) {
    const remaining = ctx.deadline - now();
    if (remaining <= 0) throw new UpstreamError('timeout', ctx.api, `${ctx.api}: out of time before an answer came`);
    try {
      return await attempt(Math.min(ctx.policy.attemptTimeoutMs, remaining));
    } catch (error) {
      if (!(error instanceof UpstreamError) || !shouldRetry(error, retries, ctx.policy)) throw error;
      const delay = retryDelay(retries, ctx.policy, ctx.random, error.retryAfterMs);
      // A retry that cannot finish before the deadline only delays the bad news.
      if (now() + delay + 200 >= ctx.deadline) throw error;
      ctx.onRetry?.(error, delay);
      await wait(delay);
    }
  }
}
