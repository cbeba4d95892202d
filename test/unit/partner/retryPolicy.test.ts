import { describe, expect, it } from 'vitest';
import { UpstreamError, type UpstreamFailure } from '../../../src/partner/errors.ts';
import { defaultRetryPolicy, type RetryPolicy, retryDelay, shouldRetry } from '../../../src/partner/retryPolicy.ts';

const policy: RetryPolicy = { limit: 3, baseDelayMs: 250, maxDelayMs: 2000, attemptTimeoutMs: 5000 };
const failure = (code: UpstreamFailure, retryAfterMs?: number) =>
  new UpstreamError(code, 'constant-contact', `failed: ${code}`, retryAfterMs === undefined ? {} : { retryAfterMs });

describe('shouldRetry', () => {
  it.each<{ code: UpstreamFailure; retried: boolean }>([
    { code: 'throttled', retried: true },
    { code: 'timeout', retried: true },
    { code: 'upstream', retried: true },
    { code: 'not_found', retried: false },
    { code: 'unauthorized', retried: false },
    { code: 'forbidden', retried: false },
    { code: 'quota_exceeded', retried: false },
    { code: 'busy', retried: false },
    { code: 'bad_request', retried: false },
  ])('$code is retried: $retried', ({ code, retried }) => {
    expect(shouldRetry(failure(code), 0, policy)).toBe(retried);
  });

  it.each([
    { retriesSoFar: 0, want: true },
    { retriesSoFar: 2, want: true },
    { retriesSoFar: 3, want: false },
    { retriesSoFar: 10, want: false },
  ])('a retryable failure after $retriesSoFar retries (limit 3) is retried: $want', ({ retriesSoFar, want }) => {
    expect(shouldRetry(failure('throttled'), retriesSoFar, policy)).toBe(want);
  });

  it('a limit of 0 never retries', () => {
    expect(shouldRetry(failure('upstream'), 0, { ...policy, limit: 0 })).toBe(false);
  });

  it('the default policy retries three times', () => {
    expect([0, 1, 2, 3].map((n) => shouldRetry(failure('timeout'), n, defaultRetryPolicy))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('retryDelay', () => {
  it.each([
    { retriesSoFar: 0, low: 125, high: 250 },
    { retriesSoFar: 1, low: 250, high: 500 },
    { retriesSoFar: 2, low: 500, high: 1000 },
    { retriesSoFar: 3, low: 1000, high: 2000 },
    { retriesSoFar: 4, low: 1000, high: 2000 },
    { retriesSoFar: 20, low: 1000, high: 2000 },
  ])('retry $retriesSoFar waits between $low and $high ms', ({ retriesSoFar, low, high }) => {
    expect(retryDelay(retriesSoFar, policy, () => 0)).toBe(low);
    expect(retryDelay(retriesSoFar, policy, () => 0.999_999)).toBe(high);
    for (let i = 0; i <= 10; i++) {
      const d = retryDelay(retriesSoFar, policy, () => i / 10);
      expect(d).toBeGreaterThanOrEqual(low);
      expect(d).toBeLessThanOrEqual(high);
    }
  });

  it('waits grow with each retry until the cap', () => {
    const waits = [0, 1, 2, 3, 4, 5].map((n) => retryDelay(n, policy, () => 0.5));
    expect(waits).toEqual([188, 375, 750, 1500, 1500, 1500]);
  });

  it('never waits longer than the cap, even after very many retries', () => {
    expect(retryDelay(1000, policy, () => 1)).toBe(policy.maxDelayMs);
  });

  it('two waits for the same retry differ with the random draw (jitter)', () => {
    expect(retryDelay(2, policy, () => 0.1)).not.toBe(retryDelay(2, policy, () => 0.9));
  });

  it.each([
    { name: 'an API hint longer than the backoff wins', retryAfterMs: 5000, want: 5000 },
    { name: 'an API hint shorter than the backoff is ignored', retryAfterMs: 10, want: 188 },
    { name: 'a hint of 0 is ignored', retryAfterMs: 0, want: 188 },
    { name: 'no hint uses the backoff', retryAfterMs: undefined, want: 188 },
  ])('$name', ({ retryAfterMs, want }) => {
    expect(retryDelay(0, policy, () => 0.5, retryAfterMs)).toBe(want);
  });
});
