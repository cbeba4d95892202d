import type { PlanAnswers } from '../../../answers/planAnswers.ts';
import { pickActionId } from '../../../blocks/accountMatches.ts';
import { invalidAccountId } from '../../../blocks/messages.ts';
import { isAccountId } from '../../../partner/accountId.ts';
import { actionAsker, answerInBackground, type BackgroundDeps } from '../background.ts';
import type { Routes } from '../routes.ts';

/** Every candidate button's action id starts with this (each button needs its own id). */
export const pickActionPattern = new RegExp(`^${pickActionId}(_|$)`);

/** A candidate picked from a name search: its card replaces the list, where the list was. */
export function registerPickAccount(routes: Routes, deps: BackgroundDeps & { answers: PlanAnswers }): void {
  routes.action(pickActionPattern, async ({ ack, body, action, context }) => {
    await ack();
    const accountId = action.value ?? '';
    const asker = actionAsker(body);
    // A list posted in a thread is seen by the conversation; the card that replaces it is too.
    const visible = !body.container?.is_ephemeral;
    answerInBackground(
      deps,
      'pick',
      asker,
      { responseUrl: body.response_url, context },
      async ({ deadline, respond, admit }) => {
        const what = { action: 'pick' as const, target: accountId };
        if (!isAccountId(accountId)) {
          await respond({ response_type: 'ephemeral', replace_original: false, ...invalidAccountId(accountId) });
          return { ...what, outcome: 'invalid_input' };
        }
        const admitted = await admit({ userTeamId: body.user.team_id, visible, spends: true }, what);
        if (admitted !== 'ok') return admitted;
        const answer = await deps.answers.forAccount(
          accountId,
          asker,
          visible ? { kind: 'thread' } : { kind: 'private' },
          { deadline, command: 'pick' },
        );
        await respond({ replace_original: answer.outcome === 'card', ...answer.message });
        return { ...what, outcome: answer.outcome };
      },
    );
  });
}
