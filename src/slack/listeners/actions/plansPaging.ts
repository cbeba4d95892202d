import type { App, BlockButtonAction } from '@slack/bolt';
import type { Asker } from '../../../answers/planAnswers.ts';
import type { PlansAnswers } from '../../../answers/plansAnswers.ts';
import { invalidPlansSearch } from '../../../blocks/messages.ts';
import type { Audience } from '../../../blocks/planCard.ts';
import { plansActionIds } from '../../../blocks/plansPage.ts';
import { decodePlansQuery } from '../../../commands/plansCommand.ts';
import type { Inflight } from '../../../lifecycle/inflight.ts';
import type { Logger } from '../../../logger.ts';
import type { Respond, ResponsePayload } from '../../responder.ts';
import { answerBudgetMs, yieldToAcks } from '../../timing.ts';

/**
 * Prev/Next replace the message in place; Share posts the page for the conversation. The query
 * comes whole from the button's value, so any replica can serve the click.
 */
export function registerPlansPaging(
  app: App,
  deps: { answers: PlansAnswers; logger: Logger; now: () => number; inflight: Inflight; respond: Respond },
): void {
  const handle =
    (kind: 'page' | 'share') =>
    async ({ ack, body, action }: Parameters<Parameters<typeof app.action<BlockButtonAction>>[1]>[0]) => {
      await ack();
      const done = deps.inflight.begin();
      const deadline = deps.now() + answerBudgetMs;
      await yieldToAcks();
      const respond = (payload: ResponsePayload) => deps.respond(body.response_url, payload);
      const asker: Asker = { userId: body.user.id, channelId: body.channel?.id ?? '', teamId: body.user.team_id ?? body.team?.id };
      try {
        const query = decodePlansQuery(action.value ?? '');
        if (!query) {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            ...invalidPlansSearch('that button no longer works; run `/plans` again'),
          });
          return;
        }
        if (kind === 'page') {
          const audience = pagedAudience(body);
          const answer = await deps.answers.page(query, asker, audience, { deadline, command: 'plans_page' });
          if (answer.outcome === 'page') await respond({ replace_original: true, ...answer.message });
          else await respond({ response_type: 'ephemeral', replace_original: false, ...answer.message });
        } else {
          const answer = await deps.answers.page(
            query,
            asker,
            { kind: 'shared', sharedBy: asker.userId },
            { deadline, command: 'plans_share' },
          );
          const visible = answer.outcome === 'page';
          await respond({ response_type: visible ? 'in_channel' : 'ephemeral', replace_original: false, ...answer.message });
        }
      } catch (error) {
        deps.logger.error(
          { err: error, event: 'respond_failed', command: `plans_${kind}`, user: asker.userId },
          'could not answer a plans button',
        );
      } finally {
        done();
      }
    };
  app.action<BlockButtonAction>(plansActionIds.prev, handle('page'));
  app.action<BlockButtonAction>(plansActionIds.next, handle('page'));
  app.action<BlockButtonAction>(plansActionIds.share, handle('share'));
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
