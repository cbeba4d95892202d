import type { BlockButtonAction } from '@slack/bolt';
import type { PlansAnswers } from '../../../answers/plansAnswers.ts';
import { invalidPlansSearch } from '../../../blocks/messages.ts';
import type { Audience } from '../../../blocks/planCard.ts';
import { plansActionIds } from '../../../blocks/plansPage.ts';
import { decodePlansQuery, describePlansQuery } from '../../../commands/plansCommand.ts';
import { actionAsker, answerInBackground, type BackgroundDeps } from '../background.ts';
import type { ButtonListener, Routes } from '../routes.ts';

/**
 * Prev/Next replace the message in place; Share posts the page for the conversation. The query
 * comes whole from the button's value, so any replica can serve the click.
 */
export function registerPlansPaging(routes: Routes, deps: BackgroundDeps & { answers: PlansAnswers }): void {
  const handle =
    (kind: 'page' | 'share'): ButtonListener =>
    async ({ ack, body, action, context }) => {
      await ack();
      const value = action.value ?? '';
      const asker = actionAsker(body);
      const audience: Audience = kind === 'share' ? { kind: 'shared', sharedBy: asker.userId } : pagedAudience(body);
      const command = `plans_${kind}`;
      answerInBackground(
        deps,
        command,
        asker,
        { responseUrl: body.response_url, context },
        async ({ deadline, respond, admit }) => {
          const query = decodePlansQuery(value);
          const action = kind === 'share' ? ('share' as const) : ('page' as const);
          if (!query) {
            await respond({
              response_type: 'ephemeral',
              replace_original: false,
              ...invalidPlansSearch('that button no longer works; run `/plans` again'),
            });
            return { action, target: value, outcome: 'invalid_input' };
          }
          const what = { action, target: describePlansQuery(query) };
          // A shared page (or one paged in a thread) is seen by the whole conversation.
          const admitted = await admit(
            { userTeamId: body.user.team_id, visible: audience.kind !== 'private', spends: true },
            what,
          );
          if (admitted !== 'ok') return admitted;
          const answer = await deps.answers.page(query, asker, audience, { deadline, command });
          if (answer.outcome !== 'page')
            await respond({ response_type: 'ephemeral', replace_original: false, ...answer.message });
          else if (kind === 'share')
            await respond({ response_type: 'in_channel', replace_original: false, ...answer.message });
          else await respond({ replace_original: true, ...answer.message });
          return { ...what, outcome: answer.outcome };
        },
      );
    };
  routes.action(plansActionIds.prev, handle('page'));
  routes.action(plansActionIds.next, handle('page'));
  routes.action(plansActionIds.share, handle('share'));
}

/**
 * The asker's ephemeral copy stays private (with Share); a shared page keeps its Shared-by line;
 * an answer in a thread stays a thread answer.
 */
function pagedAudience(body: BlockButtonAction): Audience {
  if (body.container?.is_ephemeral) return { kind: 'private' };
  const sharedBy = /Shared by <@([A-Z0-9]+)>/.exec(JSON.stringify(body.message?.blocks ?? []))?.[1];
  return sharedBy ? { kind: 'shared', sharedBy } : { kind: 'thread' };
}
