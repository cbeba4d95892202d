import type { Inflight } from '../../lifecycle/inflight.ts';
import type { Logger } from '../../logger.ts';
import type { Respond, ResponsePayload } from '../responder.ts';
import { answerBudgetMs, yieldToAcks } from '../timing.ts';

export interface BackgroundDeps {
  logger: Logger;
  now: () => number;
  inflight: Inflight;
  respond: Respond;
}

export interface AnswerContext {
  /** Epoch ms by which the lookup must be done, so the answer lands within Slack's 15 s. */
  deadline: number;
  /** Posts to this request's response_url. */
  respond: (payload: ResponsePayload) => Promise<void>;
}

/**
 * Runs the answer to an acknowledged request apart from Bolt's request: the listener returns at
 * once, so Bolt's request objects can be freed while a lookup waits its turn at the rate gate.
 * The work is tracked for a clean shutdown, runs after waiting requests have been acked, and any
 * failure is logged (never shown raw to anyone).
 */
export function answerInBackground(
  deps: BackgroundDeps,
  label: { command: string; user: string; channel: string },
  responseUrl: string,
  work: (ctx: AnswerContext) => Promise<void>,
): void {
  const deadline = deps.now() + answerBudgetMs;
  const done = deps.inflight.begin();
  const respond = (payload: ResponsePayload) => deps.respond(responseUrl, payload);
  void (async () => {
    try {
      await yieldToAcks();
      await work({ deadline, respond });
    } catch (error) {
      deps.logger.error({ err: error, event: 'respond_failed', ...label }, `could not answer ${label.command}`);
    } finally {
      done();
    }
  })();
}
