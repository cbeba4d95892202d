import { runAnswer } from '../../answers/runAnswer.ts';
import { planReply } from '../../blocks/replies.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { planOutcomeName } from '../../usecases/plan.ts';
import { type ListenerDeps, viewFor } from '../context.ts';
import type { ShortcutListener } from '../routes.ts';

export const planFromMessageCallbackId = 'plan_from_message';

/**
 * "Show billing plan" on a message (message shortcut `plan_from_message`): the card of the account
 * the message names (its first account id, else the name it mentions), or the candidates, visible
 * only to the person, in that conversation.
 */
export function planFromMessage(deps: ListenerDeps): ShortcutListener {
  return async ({ ack, shortcut, context }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const s = shortcut;
    const asker = { userId: s.user.id, channelId: s.channel.id, teamId: s.user.team_id ?? s.team?.id };
    const text = s.message.text ?? '';
    void runAnswer(
      deps,
      { command: 'message', asker, userTeamId: s.user.team_id, visible: false, queuedMs: queuedMs(context) },
      responseUrlDelivery(deps.respond, s.response_url),
      {
        what: { action: 'lookup', target: text.slice(0, 200) },
        access: { visible: false, spends: true },
        run: async (deadline) => {
          const outcome = await deps.plan.fromText(text, asker, { deadline, command: 'message' });
          return {
            message: planReply(outcome, viewFor(deps, { kind: 'private' })()),
            outcome: planOutcomeName(outcome),
          };
        },
      },
    );
  };
}
