import type { App, BlockButtonAction } from '@slack/bolt';
import type { Asker, PlanAnswers } from '../../../answers/planAnswers.ts';
import { invalidAccountId } from '../../../blocks/messages.ts';
import { shareActionId } from '../../../blocks/planCard.ts';
import type { Inflight } from '../../../lifecycle/inflight.ts';
import type { Logger } from '../../../logger.ts';
import { isAccountId } from '../../../partner/accountId.ts';
import type { Respond, ResponsePayload } from '../../responder.ts';
import { answerBudgetMs, yieldToAcks } from '../../timing.ts';

/** "Share in channel": the same card, visible to the conversation, saying who shared it. */
export function registerSharePlan(app: App, deps: { answers: PlanAnswers; logger: Logger; now: () => number; inflight: Inflight; respond: Respond }): void {
  app.action<BlockButtonAction>(shareActionId, async ({ ack, body, action }) => {
    await ack();
    const done = deps.inflight.begin();
    const deadline = deps.now() + answerBudgetMs;
    await yieldToAcks();
    const respond = (payload: ResponsePayload) => deps.respond(body.response_url, payload);
    const accountId = action.value ?? '';
    const asker: Asker = { userId: body.user.id, channelId: body.channel?.id ?? '', teamId: body.user.team_id ?? body.team?.id };
    try {
      if (!isAccountId(accountId)) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...invalidAccountId(accountId) });
        return;
      }
      const answer = await deps.answers.forAccount(
        accountId,
        asker,
        { kind: 'shared', sharedBy: asker.userId },
        { deadline, command: 'share' },
      );
      if (answer.outcome === 'card') {
        await respond({ response_type: 'in_channel', replace_original: false, ...answer.message });
      } else {
        await respond({ response_type: 'ephemeral', replace_original: false, ...answer.message });
      }
    } catch (error) {
      deps.logger.error(
        { err: error, event: 'respond_failed', command: 'share', user: asker.userId, channel: asker.channelId },
        'could not share plan',
      );
    } finally {
      done();
    }
  });
}
