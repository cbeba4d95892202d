import type { Logger } from '../logger.ts';
import { isUpstreamError, type UpstreamError } from '../partner/errors.ts';
import { type Failure, failureOf, failureOutcome } from './types.ts';

export type UpstreamResult<T> = { ok: true; value: T } | { ok: false; failure: Failure; error?: UpstreamError };

/**
 * The shape every upstream read of a use case shares: read, turn a thrown error into a typed
 * failure, tell the metrics, and log one line saying who asked for what, how it went and how long
 * it took. Never throws.
 */
export async function readUpstream<T>(o: {
  read: () => Promise<T>;
  logger: Logger;
  now: () => number;
  /** The log line's event name, message and who/what fields. */
  log: { event: string; msg: string; fields: Record<string, unknown> };
  /** The outcome's name when the read succeeds (`card`, `page`). */
  success: string;
  /** Outcomes that are routine (logged at info); other failures are warnings. */
  routine: ReadonlySet<string>;
  /** More fields for the log line of a success. */
  detail?: (value: T) => Record<string, unknown>;
  /** Told of every outcome (metrics). */
  onOutcome?: (outcome: string) => void;
}): Promise<UpstreamResult<T>> {
  const started = o.now();
  let result: UpstreamResult<T>;
  let name: string;
  let detail: Record<string, unknown>;
  try {
    const value = await o.read();
    result = { ok: true, value };
    name = o.success;
    detail = o.detail?.(value) ?? {};
  } catch (error) {
    const failure = failureOf(error);
    result = isUpstreamError(error) ? { ok: false, failure, error } : { ok: false, failure };
    name = failureOutcome(failure);
    detail = isUpstreamError(error)
      ? { error: error.message, status: error.status, upstreamDetail: error.detail }
      : { err: error };
  }
  o.onOutcome?.(name);
  const level = name === 'internal_error' ? 'error' : o.routine.has(name) ? 'info' : 'warn';
  o.logger[level](
    { event: o.log.event, ...o.log.fields, outcome: name, durationMs: o.now() - started, ...detail },
    o.log.msg,
  );
  return result;
}
