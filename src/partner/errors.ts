/** Which outside API a failure came from; the Slack layer words failures per API. */
export type UpstreamApi = 'constant-contact' | 'rebilly';

/**
 * Every way an upstream call can fail, as one discriminant, so callers word each failure
 * without parsing messages.
 */
export type UpstreamFailure =
  | 'not_found' // no such account / resource
  | 'unauthorized' // credentials or token refused
  | 'forbidden' // scope missing, key deactivated
  | 'throttled' // per-second limit; retried before it reaches a caller
  | 'quota_exceeded' // daily quota spent; pointless to retry until 00:00 UTC
  | 'quota_reserved' // background work refused: what is left of the day's quota is kept for people
  | 'timeout' // no answer within the time we had
  | 'busy' // more requests queued than the rate limit can serve in time
  | 'bad_request' // the API refused what we sent
  | 'upstream'; // 5xx, network failure, or an answer we could not read

export class UpstreamError extends Error {
  readonly code: UpstreamFailure;
  readonly api: UpstreamApi;
  readonly status: number | undefined;
  /** The API's own explanation, for the log (never shown raw in Slack). */
  readonly detail: string | undefined;
  /** When the API said how long to wait (ms from now). */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: UpstreamFailure,
    api: UpstreamApi,
    summary: string,
    options: { status?: number; detail?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(summary, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpstreamError';
    this.code = code;
    this.api = api;
    this.status = options.status;
    this.detail = options.detail;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * An upstream error made without a stack trace, for refusals that are routine under load ("busy"):
 * there can be thousands a second, and capturing each one's stack cost more than the rest of the
 * refusal while telling nothing (the code and summary say it all).
 */
export function routineUpstreamError(code: UpstreamFailure, api: UpstreamApi, summary: string): UpstreamError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new UpstreamError(code, api, summary);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}

/** A call to an API planbot has no credentials for (the unconfigured stand-ins throw it). */
export class NotConfiguredError extends Error {
  override name = 'NotConfiguredError';
}
