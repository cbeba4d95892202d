import { runAnswer } from '../../answers/runAnswer.ts';
import { isAccountId } from '../../billing/account.ts';
import { invalidAccountId } from '../../blocks/messages.ts';
import { planReply } from '../../blocks/replies.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { planOutcomeName } from '../../usecases/plan.ts';
import { share } from '../../usecases/share.ts';
import { actionAsker, type ListenerDeps, viewFor } from '../context.ts';
import type { ButtonListener } from '../routes.ts';

/** "Share in channel": the same card, visible to the conversation, saying who shared it. */
export function sharePlan(deps: ListenerDeps): ButtonListener {
  return async ({ ack, body, action, context }) => {
    await ack();
    const accountId = action.value ?? '';
    const asker = actionAsker(body);
    const view = viewFor(deps, { kind: 'shared', sharedBy: asker.userId });
    void runAnswer(
      deps,
      { command: 'share', asker, userTeamId: body.user.team_id, visible: false, queuedMs: queuedMs(context) },
      responseUrlDelivery(deps.respond, body.response_url),
      {
        what: { action: 'share', target: accountId },
        // Everyone in the conversation will see it: the channel must be allowed and not shared outside.
        // Invalid input shows no data, so it needs no access check (and spends nothing).
        access: isAccountId(accountId) ? { visible: true, spends: true } : undefined,
        run: async (deadline) => {
          const outcome = await share(deps.plan, accountId, asker, { deadline, command: 'share' });
          if (outcome.kind === 'invalid_id') {
            return { message: invalidAccountId(outcome.input), outcome: 'invalid_input', placement: 'aside' };
          }
          return {
            message: planReply(outcome, view()),
            outcome: planOutcomeName(outcome),
            placement: outcome.kind === 'card' ? 'public' : 'aside',
          };
        },
      },
    );
  };
}
