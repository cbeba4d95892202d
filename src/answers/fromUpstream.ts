import type { SlackMessage } from '../blocks/limits.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError, type UpstreamError, type UpstreamFailure } from '../partner/errors.ts';

export interface Answer {
  message: SlackMessage;
  /** What the person was shown: a success outcome (`card`, `page`) or the failure they were told about. */
  outcome: string;
}

/**
 * The shape every lookup answer shares: fetch, render on success, word a typed failure in plain
 * language otherwise, and log one line saying who asked for what, how it went and how long it took.
 * Never throws.
 */
export async function answerFromUpstream<T>(o: {
  fetch: () => Promise<T>;
  render: (value: T) => { message: SlackMessage; outcome: string; detail?: Record<string, unknown> };
  failure: (code: UpstreamFailure | 'internal', error: UpstreamError | undefined) => SlackMessage;
  logger: Logger;
  now: () => number;
  /** The log line's event name and its who/what fields. */
  log: { event: string; msg: string; fields: Record<string, unknown> };
  /** Outcomes that are routine (logged at info); other failures are warnings. */
  routine: string[];
  /** Told of every outcome (metrics). */
  onOutcome?: (outcome: string) => void;
}): Promise<Answer> {
  const started = o.now();
  let answer: Answer;
  let detail: Record<string, unknown>;
  try {
    const rendered = o.render(await o.fetch());
    answer = { message: rendered.message, outcome: rendered.outcome };
    detail = rendered.detail ?? {};
  } catch (error) {
    if (isUpstreamError(error)) {
      answer = { message: o.failure(error.code, error), outcome: error.code };
      detail = { error: error.message, status: error.status, upstreamDetail: error.detail };
    } else {
      answer = { message: o.failure('internal', undefined), outcome: 'internal_error' };
      detail = { err: error };
    }
  }
  o.onOutcome?.(answer.outcome);
  const level = answer.outcome === 'internal_error' ? 'error' : o.routine.includes(answer.outcome) ? 'info' : 'warn';
  o.logger[level](
    { event: o.log.event, ...o.log.fields, outcome: answer.outcome, durationMs: o.now() - started, ...detail },
    o.log.msg,
  );
  return answer;
}
