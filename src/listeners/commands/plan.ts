import { planAnswer } from '../../answers/planAnswer.ts';
import { runAnswer } from '../../answers/runAnswer.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { parsePlanCommand } from '../../grammar/planCommand.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { commandAsker, type ListenerDeps, viewFor } from '../context.ts';
import type { CommandListener } from '../routes.ts';

/** `/plan …`: answered privately through the command's response_url. */
export function planCommand(deps: ListenerDeps): CommandListener {
  return async ({ command, ack, context }) => {
    // Slack gives 3 seconds to acknowledge; the answer follows through response_url.
    await ack();
    const asker = commandAsker(command);
    const plan = planAnswer(deps, parsePlanCommand(command.text ?? ''), {
      asker,
      view: viewFor(deps, { kind: 'private' }),
      command: '/plan',
      // A slash command's conversation may be anyone's: a file goes to the person's DM with planbot.
      files: { kind: 'dm', userId: asker.userId },
    });
    void runAnswer(
      deps,
      { command: '/plan', asker, userTeamId: command.team_id, visible: false, queuedMs: queuedMs(context) },
      responseUrlDelivery(deps.respond, command.response_url),
      plan,
    );
  };
}
