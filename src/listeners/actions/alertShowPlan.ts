import { runAnswer } from '../../answers/runAnswer.ts';
import { isAccountId } from '../../billing/account.ts';
import { invalidAccountId } from '../../blocks/messages.ts';
import { planReply } from '../../blocks/replies.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { pick } from '../../usecases/pick.ts';
import { planOutcomeName } from '../../usecases/plan.ts';
import { actionAsker, type ListenerDeps, viewFor } from '../context.ts';
import type { ButtonListener } from '../routes.ts';

/**
 * "Show plan" under an alert (and "Show card" beside a radar entry, `command` `radar`): the card for
 * the person who clicked, beside the message (which stays as it is for everyone else), under the
 * same access gate as a lookup.
 */
export function alertShowPlan(deps: ListenerDeps, command = 'alert'): ButtonListener {
  return async ({ ack, body, action, context }) => {
    await ack();
    const accountId = action.value ?? '';
    const asker = actionAsker(body);
    const view = viewFor(deps, { kind: 'private' });
    void runAnswer(
      deps,
      { command, asker, userTeamId: body.user.team_id, visible: false, queuedMs: queuedMs(context) },
      responseUrlDelivery(deps.respond, body.response_url),
      {
        what: { action: 'lookup', target: accountId },
        access: isAccountId(accountId) ? { visible: false, spends: true } : undefined,
        run: async (deadline) => {
          const outcome = await pick(deps.plan, accountId, asker, { deadline, command });
          if (outcome.kind === 'invalid_id')
            return { message: invalidAccountId(outcome.input), outcome: 'invalid_input', placement: 'aside' };
          return { message: planReply(outcome, view()), outcome: planOutcomeName(outcome), placement: 'aside' };
        },
      },
    );
  };
}
