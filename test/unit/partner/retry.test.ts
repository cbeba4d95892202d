import { describe, expect, it } from 'vitest';
import { UpstreamError, type UpstreamFailure } from '../../../src/partner/errors.ts';
import { type RetryContext, withRetries } from '../../../src/partner/retry.ts';
import type { RetryPolicy } from '../../../src/partner/retryPolicy.ts';

const policy: RetryPolicy = { limit: 3, baseDelayMs: 250, maxDelayMs: 2000, attemptTimeoutMs: 5000 };
const failure = (code: UpstreamFailure, retryAfterMs?: number) =>
  new UpstreamError(
    code,
    'constant-contact',
    `GET /plan failed: ${code}`,
    retryAfterMs === undefined ? {} : { retryAfterMs },
  );

/** A clock that only moves when the code under test sleeps (or an attempt says it took time). */
function fakeTime(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

/** An attempt that fails with the given errors in turn, then answers. */
function scripted<T>(outcomes: (Error | T)[], time?: ReturnType<typeof fakeTime>, takesMs = 0) {
  const timeouts: number[] = [];
  const attempt = async (timeoutMs: number): Promise<T> => {
    timeouts.push(timeoutMs);
    time?.advance(takesMs);
    const next = outcomes.shift();
    if (next instanceof Error) throw next;
    if (next === undefined) throw new Error('attempted more often than scripted');
    return next;
  };
  return { attempt, timeouts };
}

function context(time: ReturnType<typeof fakeTime>, over: Partial<RetryContext> = {}): RetryContext {
  return {
    api: 'constant-contact',
    policy,
    deadline: time.now() + 10_000,
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    ...over,
  };
}

describe('withRetries', () => {
  it.each<{ code: UpstreamFailure }>([{ code: 'throttled' }, { code: 'timeout' }, { code: 'upstream' }])(
    'a $code failure is retried and the answer that follows is returned',
    async ({ code }) => {
      const time = fakeTime();
      const { attempt, timeouts } = scripted([failure(code), failure(code), 'the plan'], time);
      await expect(withRetries(attempt, context(time))).resolves.toBe('the plan');
      expect(timeouts).toHaveLength(3);
      expect(time.sleeps).toEqual([188, 375]);
    },
  );

  it.each<{ code: UpstreamFailure }>([
    { code: 'not_found' },
    { code: 'quota_exceeded' },
    { code: 'unauthorized' },
    { code: 'forbidden' },
    { code: 'bad_request' },
    { code: 'busy' },
  ])('a $code failure is not retried and reaches the caller as it was', async ({ code }) => {
    const time = fakeTime();
    const error = failure(code);
    const { attempt, timeouts } = scripted([error, 'never reached'], time);
    await expect(withRetries(attempt, context(time))).rejects.toBe(error);
    expect(timeouts).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('a programming error is not retried', async () => {
    const time = fakeTime();
    const bug = new TypeError('x is not a function');
    const { attempt, timeouts } = scripted([bug, 'never reached'], time);
    await expect(withRetries(attempt, context(time))).rejects.toBe(bug);
    expect(timeouts).toHaveLength(1);
  });

  it('gives up after the policy’s retries with the last failure', async () => {
    const time = fakeTime();
    const last = failure('upstream');
    const { attempt, timeouts } = scripted(
      [failure('upstream'), failure('upstream'), failure('upstream'), last, 'never reached'],
      time,
    );
    await expect(withRetries(attempt, context(time, { deadline: time.now() + 60_000 }))).rejects.toBe(last);
    expect(timeouts).toHaveLength(4);
    expect(time.sleeps).toHaveLength(3);
  });

  it('waits as long as the API asked when that is longer than the backoff', async () => {
    const time = fakeTime();
    const { attempt } = scripted([failure('throttled', 1500), 'the plan'], time);
    await expect(withRetries(attempt, context(time))).resolves.toBe('the plan');
    expect(time.sleeps).toEqual([1500]);
  });

  it('tells onRetry about each retry and its wait', async () => {
    const time = fakeTime();
    const first = failure('timeout');
    const seen: [UpstreamFailure, number][] = [];
    const { attempt } = scripted([first, 'ok'], time);
    await withRetries(attempt, context(time, { onRetry: (e, ms) => seen.push([e.code, ms]) }));
    expect(seen).toEqual([['timeout', 188]]);
  });

  it('gives each attempt no more than the time left before the deadline', async () => {
    const time = fakeTime();
    const start = time.now();
    const { attempt, timeouts } = scripted([failure('throttled'), failure('throttled'), 'ok'], time, 300);
    await withRetries(attempt, context(time, { deadline: start + 3000, random: () => 1 }));
    // 3000 left; the attempt took 300 and the wait 250; then 2450 left; 300 + 500 more; 1650 left.
    expect(timeouts).toEqual([3000, 2450, 1650]);
  });

  it('caps each attempt at the policy’s attempt timeout when there is more time', async () => {
    const time = fakeTime();
    const { attempt, timeouts } = scripted(['ok'], time);
    await withRetries(attempt, context(time, { deadline: time.now() + 60_000 }));
    expect(timeouts).toEqual([5000]);
  });

  it('gives up before the deadline instead of waiting past it', async () => {
    const time = fakeTime();
    const deadline = time.now() + 1000;
    const errors = [failure('throttled'), failure('throttled'), failure('throttled'), failure('throttled')];
    const lastTried = errors[2];
    const { attempt, timeouts } = scripted([...errors, 'too late'], time);
    // Waits of 250 and 500 fit (with 200 ms to spare for the attempt); a third of 1000 would not.
    await expect(withRetries(attempt, context(time, { deadline, random: () => 1 }))).rejects.toBe(lastTried);
    expect(time.sleeps).toEqual([250, 500]);
    expect(timeouts).toHaveLength(3);
    expect(time.now()).toBeLessThan(deadline);
  });

  it('does not wait for an API hint that ends after the deadline', async () => {
    const time = fakeTime();
    const error = failure('throttled', 30_000);
    const { attempt } = scripted([error, 'too late'], time);
    await expect(withRetries(attempt, context(time))).rejects.toBe(error);
    expect(time.sleeps).toEqual([]);
  });

  it.each([
    { name: 'a deadline already passed', offset: -1 },
    { name: 'a deadline of now', offset: 0 },
  ])('$name fails as a timeout without trying', async ({ offset }) => {
    const time = fakeTime();
    const { attempt, timeouts } = scripted(['never reached'], time);
    const error = await withRetries(attempt, context(time, { deadline: time.now() + offset })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'timeout', api: 'constant-contact' });
    expect(timeouts).toEqual([]);
  });

  it('runs out of time when slow attempts use up the deadline', async () => {
    const time = fakeTime();
    const { attempt, timeouts } = scripted([failure('timeout'), 'too late'], time, 5000);
    const error = await withRetries(attempt, context(time, { deadline: time.now() + 5000 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(timeouts).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });
});
