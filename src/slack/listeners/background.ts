import type { BlockButtonAction, Context } from '@slack/bolt';
import type { AccessGate, AccessRequest } from '../../access/accessGate.ts';
import type { Asker } from '../../answers/planAnswers.ts';
import type { Audit, AuditEntry } from '../../audit/audit.ts';
import { somethingWentWrong } from '../../blocks/messages.ts';
import type { Inflight } from '../../lifecycle/inflight.ts';
import type { Logger } from '../../logger.ts';
import type { Respond, ResponsePayload } from '../responder.ts';
import { queuedMs } from '../forwardedReceiver.ts';
import { answerBudgetMs, yieldToAcks } from '../timing.ts';

export interface BackgroundDeps {
  logger: Logger;
  now: () => number;
  inflight: Inflight;
  respond: Respond;
  access: AccessGate;
  audit: Audit;
}

/** Who asked in a slash command's payload. */
export function commandAsker(command: { user_id: string; channel_id: string; team_id: string }): Asker {
  return { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id };
}

/** Who clicked a button, and where. */
export function actionAsker(body: BlockButtonAction): Asker {
  return { userId: body.user.id, channelId: body.channel?.id ?? '', teamId: body.user.team_id ?? body.team?.id };
}

/** What the work did, for the audit line; nothing is recorded for help and the like. */
export type Done = Pick<AuditEntry, 'action' | 'target' | 'outcome'> | undefined;

export interface AnswerContext {
  /** Epoch ms by which the lookup must be done, so the answer lands within Slack's 15 s. */
  deadline: number;
  /** Posts to this request's response_url. */
  respond: (payload: ResponsePayload) => Promise<void>;
  /**
   * Asks the access gate; on a refusal the person is told why (privately) and the refusal is
   * returned as the work's result, so it is audited like any answer.
   */
  admit: (
    request: Omit<AccessRequest, 'userId' | 'channelId'>,
    what: Pick<AuditEntry, 'action' | 'target'>,
  ) => Promise<Done | 'ok'>;
}

/**
 * Runs the answer to an acknowledged request apart from Bolt's request: the listener returns at
 * once, so Bolt's request objects can be freed while a lookup waits its turn at the rate gate.
 * The work is tracked for a clean shutdown, runs after waiting requests have been acked, is
 * audited with its outcome and duration, and any failure is logged (never shown raw to anyone).
 */
export function answerInBackground(
  deps: BackgroundDeps,
  command: string,
  asker: Asker,
  request: { responseUrl: string; context: Context },
  work: (ctx: AnswerContext) => Promise<Done>,
): void {
  // The log's and the audit line's who, where and how.
  const label = { command, user: asker.userId, team: asker.teamId, channel: asker.channelId };
  const { responseUrl } = request;
  // The 15 s started when the request was acknowledged, not when Bolt got to it.
  const started = deps.now() - queuedMs(request.context);
  const deadline = started + answerBudgetMs;
  const done = deps.inflight.begin();
  const respond = (payload: ResponsePayload) => deps.respond(responseUrl, payload);
  const admit: AnswerContext['admit'] = async (request, what) => {
    const verdict = await deps.access.admit({ ...request, userId: label.user, channelId: label.channel });
    if (verdict.ok) return 'ok';
    await respond({ response_type: 'ephemeral', replace_original: false, ...verdict.message });
    return { ...what, outcome: verdict.refusal };
  };
  void (async () => {
    let result: Done;
    try {
      await yieldToAcks();
      result = await work({ deadline, respond, admit });
    } catch (error) {
      deps.logger.error({ err: error, event: 'respond_failed', ...label }, `could not answer ${label.command}`);
      result = { action: 'unknown', outcome: 'internal_error' };
      // The person still hears back (if response_url works at all), never with the error itself.
      await respond({ response_type: 'ephemeral', replace_original: false, ...somethingWentWrong() }).catch(
        () => undefined,
      );
    } finally {
      done();
    }
    if (result)
      deps.audit.record({
        ...result,
        command: label.command,
        user: label.user,
        team: label.team,
        channel: label.channel,
        durationMs: deps.now() - started,
      });
  })();
}
