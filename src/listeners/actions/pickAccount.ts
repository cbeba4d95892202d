import { runAnswer } from '../../answers/runAnswer.ts';
import { isAccountId } from '../../billing/account.ts';
import { pickActionId } from '../../blocks/accountMatches.ts';
import { invalidAccountId } from '../../blocks/messages.ts';
import { planReply } from '../../blocks/replies.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { pick } from '../../usecases/pick.ts';
import { planOutcomeName } from '../../usecases/plan.ts';
import { actionAsker, type ListenerDeps, viewFor } from '../context.ts';
import type { ButtonListener } from '../routes.ts';

/** Every candidate button's action id starts with this (each button needs its own id). */
export const pickActionPattern = new RegExp(`^${pickActionId}(_|$)`);

/** A candidate picked from a name search: its card replaces the list, where the list was. */
export function pickAccount(deps: ListenerDeps): ButtonListener {
  return async ({ ack, body, action, context }) => {
    await ack();
    const accountId = action.value ?? '';
    const asker = actionAsker(body);
    // A list posted in a thread is seen by the conversation; the card that replaces it is too.
    const visible = !body.container?.is_ephemeral;
    const view = viewFor(deps, visible ? { kind: 'thread' } : { kind: 'private' });
    void runAnswer(
      deps,
      { command: 'pick', asker, userTeamId: body.user.team_id, visible: false, queuedMs: queuedMs(context) },
      responseUrlDelivery(deps.respond, body.response_url),
      {
        what: { action: 'pick', target: accountId },
        // Invalid input shows no data, so it needs no access check (and spends nothing).
        access: isAccountId(accountId) ? { visible, spends: true } : undefined,
        run: async (deadline) => {
          const outcome = await pick(deps.plan, accountId, asker, { deadline, command: 'pick' });
          if (outcome.kind === 'invalid_id') {
            return { message: invalidAccountId(outcome.input), outcome: 'invalid_input', placement: 'aside' };
          }
          const card = outcome.kind === 'card';
          return {
            message: planReply(outcome, view()),
            outcome: planOutcomeName(outcome),
            placement: card ? 'replace' : 'aside',
          };
        },
      },
    );
  };
}
