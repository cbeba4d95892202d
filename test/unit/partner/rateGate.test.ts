import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/partner/errors.ts';
import fc from 'fast-check';
import { createRateGate, gateIntervalMs, gateWindow } from '../../../src/partner/rateGate.ts';

describe('the rate gate', () => {
  it('lets a request through at once when nothing is queued', async () => {
    const gate = createRateGate({ api: 'constant-contact', ratePerSecond: 4 });
    await expect(gate.acquire(Date.now() + 1000)).resolves.toBeUndefined();
  });

  it('refuses a request whose deadline has already passed as busy', async () => {
    const gate = createRateGate({ api: 'constant-contact', ratePerSecond: 4 });
    const error = await gate.acquire(Date.now() - 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'busy', api: 'constant-contact' });
    // Routine under load: no stack trace is captured, and the global limit is left as it was.
    expect((error as Error).stack).toBe(`UpstreamError: ${(error as Error).message}`);
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });

  it('refuses at once a request that could not get through before its deadline behind the queue', async () => {
    const t = Date.now();
    const gate = createRateGate({ api: 'rebilly', ratePerSecond: 1, now: () => t });
    const first = gate.acquire(t + 10_000);
    // One request ahead at one a second: the next slot is a second away, past a 500 ms deadline.
    await expect(gate.acquire(t + 500)).rejects.toMatchObject({ code: 'busy', api: 'rebilly' });
    await expect(first).resolves.toBeUndefined();
  });

  it('counts one point per interval at the partner rates, so requests stay evenly spaced', () => {
    expect(gateWindow(4)).toEqual({ points: 1, durationMs: gateIntervalMs(4) });
    expect(gateWindow(50)).toEqual({ points: 1, durationMs: gateIntervalMs(50) });
  });

  it('counts high rates in windows of at least 10 ms, never letting more through than the rate', () => {
    // Timers tick in whole milliseconds: one point per 10 µs interval would hold each request a tick.
    expect(gateWindow(100_000).points).toBeGreaterThan(900);
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 1_000_000, noNaN: true }), (rate) => {
        const { points, durationMs } = gateWindow(rate);
        expect(points).toBeGreaterThanOrEqual(1);
        expect((points / durationMs) * 1000).toBeLessThanOrEqual(rate * (1 + 1e-9));
        if (gateIntervalMs(rate) < 10) expect(durationMs).toBeGreaterThan(5);
      }),
    );
  });
});
