import { describe, expect, it } from 'vitest';
import { withTimeout } from '../../../src/lifecycle/withTimeout.ts';

describe('withTimeout', () => {
  it('aborts work that runs past the time with a TimeoutError', async () => {
    const outcome = withTimeout(
      20,
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        }),
    );
    await expect(outcome).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('leaves work that finished in time alone: its signal never aborts afterwards', async () => {
    let seen: AbortSignal | undefined;
    await expect(
      withTimeout(20, async (signal) => {
        seen = signal;
        return 'done';
      }),
    ).resolves.toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(seen?.aborted).toBe(false);
  });

  it('passes the work’s own failure through', async () => {
    await expect(withTimeout(1000, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });
});
