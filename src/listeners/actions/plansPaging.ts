import type { BlockButtonAction } from '@slack/bolt';
import { runAnswer } from '../../answers/runAnswer.ts';
import { invalidPlansSearch } from '../../blocks/messages.ts';
import type { Audience } from '../../blocks/planCard.ts';
import { plansReply } from '../../blocks/replies.ts';
import type { Placement } from '../../deliver/delivery.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { decodePlansButton, describePlansQuery } from '../../grammar/plansCommand.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { plansOutcomeName } from '../../usecases/plans.ts';
import { actionAsker, type ListenerDeps, viewFor } from '../context.ts';
import type { ButtonListener } from '../routes.ts';

/**
 * Prev/Next replace the message in place; Share posts the page for the conversation. The query
 * (and who shared a shared page) comes whole from the button's value, so any replica can serve the click.
 */
export function plansPaging(deps: ListenerDeps, kind: 'page' | 'share'): ButtonListener {
  return async ({ ack, body, action, context }) => {
    await ack();
    const value = action.value ?? '';
    const asker = actionAsker(body);
    const command = `plans_${kind}`;
    const button = decodePlansButton(value);
    const audience: Audience =
      kind === 'share' ? { kind: 'shared', sharedBy: asker.userId } : pagedAudience(body, button?.sharedBy);
    const view = viewFor(deps, audience);
    const placement: Placement = kind === 'share' ? 'public' : 'replace';
    void runAnswer(
      deps,
      { command, asker, userTeamId: body.user.team_id, visible: false, queuedMs: queuedMs(context) },
      responseUrlDelivery(deps.respond, body.response_url),
      button
        ? {
            what: { action: kind, target: describePlansQuery(button.query) },
            // A shared page (or one paged in a thread) is seen by the whole conversation.
            access: { visible: audience.kind !== 'private', spends: true },
            run: async (deadline) => {
              const outcome = await deps.plans.search(button.query, asker, { deadline, command });
              return {
                message: plansReply(outcome, view()),
                outcome: plansOutcomeName(outcome),
                placement: outcome.kind === 'page' ? placement : 'aside',
              };
            },
          }
        : {
            what: { action: kind, target: value },
            run: async () => ({
              message: invalidPlansSearch('that button no longer works; run `/plans` again'),
              outcome: 'invalid_input',
              placement: 'aside',
            }),
          },
    );
  };
}

/** The asker's ephemeral copy stays private (with Share); a shared page keeps its Shared-by line; a thread answer stays one. */
function pagedAudience(body: BlockButtonAction, sharedBy: string | undefined): Audience {
  if (body.container?.is_ephemeral) return { kind: 'private' };
  return sharedBy ? { kind: 'shared', sharedBy } : { kind: 'thread' };
}
