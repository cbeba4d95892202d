import type { App, BlockButtonAction } from '@slack/bolt';
import type { Asker, PlanAnswers } from '../../../answers/planAnswers.ts';
import { invalidAccountId } from '../../../blocks/messages.ts';
import { shareActionId } from '../../../blocks/planCard.ts';
import { isAccountId } from '../../../partner/accountId.ts';
import { answerInBackground, type BackgroundDeps } from '../background.ts';

/** "Share in channel": the same card, visible to the conversation, saying who shared it. */
export function registerSharePlan(app: App, deps: BackgroundDeps & { answers: PlanAnswers }): void {
  app.action<BlockButtonAction>(shareActionId, async ({ ack, body, action }) => {
    await ack();
    const accountId = action.value ?? '';
    const asker: Asker = { userId: body.user.id, channelId: body.channel?.id ?? '', teamId: body.user.team_id ?? body.team?.id };
    const label = { command: 'share', user: asker.userId, channel: asker.channelId };
    answerInBackground(deps, label, body.response_url, async ({ deadline, respond }) => {
      if (!isAccountId(accountId)) return respond({ response_type: 'ephemeral', replace_original: false, ...invalidAccountId(accountId) });
      const answer = await deps.answers.forAccount(accountId, asker, { kind: 'shared', sharedBy: asker.userId }, { deadline, command: 'share' });
      const visible = answer.outcome === 'card';
      await respond({ response_type: visible ? 'in_channel' : 'ephemeral', replace_original: false, ...answer.message });
    });
  });
}
