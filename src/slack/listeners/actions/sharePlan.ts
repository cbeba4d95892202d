import type { PlanAnswers } from '../../../answers/planAnswers.ts';
import { invalidAccountId } from '../../../blocks/messages.ts';
import { shareActionId } from '../../../blocks/planCard.ts';
import { isAccountId } from '../../../partner/accountId.ts';
import { actionAsker, answerInBackground, type BackgroundDeps } from '../background.ts';
import type { Routes } from '../routes.ts';

/** "Share in channel": the same card, visible to the conversation, saying who shared it. */
export function registerSharePlan(routes: Routes, deps: BackgroundDeps & { answers: PlanAnswers }): void {
  routes.action(shareActionId, async ({ ack, body, action, context }) => {
    await ack();
    const accountId = action.value ?? '';
    const asker = actionAsker(body);
    answerInBackground(
      deps,
      'share',
      asker,
      { responseUrl: body.response_url, context },
      async ({ deadline, respond, admit }) => {
        const what = { action: 'share' as const, target: accountId };
        if (!isAccountId(accountId)) {
          await respond({ response_type: 'ephemeral', replace_original: false, ...invalidAccountId(accountId) });
          return { ...what, outcome: 'invalid_input' };
        }
        // Everyone in the conversation will see it: the channel must be allowed and not shared outside.
        const admitted = await admit({ userTeamId: body.user.team_id, visible: true, spends: true }, what);
        if (admitted !== 'ok') return admitted;
        const answer = await deps.answers.forAccount(
          accountId,
          asker,
          { kind: 'shared', sharedBy: asker.userId },
          { deadline, command: 'share' },
        );
        const visible = answer.outcome === 'card';
        await respond({
          response_type: visible ? 'in_channel' : 'ephemeral',
          replace_original: false,
          ...answer.message,
        });
        return { ...what, outcome: answer.outcome };
      },
    );
  });
}
