/**
 * Runs `work` with a signal that aborts (with a `TimeoutError`, as `AbortSignal.timeout` does) after
 * `ms`, and clears the timer as soon as the work settles. `AbortSignal.timeout` keeps each signal and
 * its timer until the time is up and then builds an exception for a request long answered: under
 * load that was thousands of live timers and stack traces a second.
 */
export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
