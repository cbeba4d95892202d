import type { UpstreamError } from './errors.ts';

/**
 * How failed upstream calls are retried. Data, so the defaults are documented in one place and the
 * decisions below stay pure and table-testable.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number;
  /** First backoff ceiling; doubles each retry (jittered in its upper half). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The time one attempt may take before it is abandoned. */
  attemptTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  limit: 3,
  baseDelayMs: 250,
  maxDelayMs: 2000,
  attemptTimeoutMs: 5000,
};

/** Failures worth another attempt: the per-second throttle, timeouts, 5xx and network errors. */
export function shouldRetry(error: UpstreamError, retriesSoFar: number, policy: RetryPolicy): boolean {
  if (retriesSoFar >= policy.limit) return false;
  return error.code === 'throttled' || error.code === 'timeout' || error.code === 'upstream';
}

/**
 * Exponential backoff with "equal jitter" (between half the ceiling and the ceiling, so retries
 * spread out but never fire at once); an API's own wait hint wins when it asks for longer.
 */
export function retryDelay(
  retriesSoFar: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retriesSoFar);
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
}
