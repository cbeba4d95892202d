import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/partner/errors.ts';
import { createRateGate } from '../../../src/partner/rateGate.ts';

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
});
