import { plansAnswer } from '../../answers/plansAnswer.ts';
import { runAnswer } from '../../answers/runAnswer.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { parsePlansCommand } from '../../grammar/plansCommand.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { commandAsker, type ListenerDeps, viewFor } from '../context.ts';
import type { CommandListener } from '../routes.ts';

/** `/plans …`: one page of the Rebilly catalog, privately, with Prev/Next and Share. */
export function plansCommand(deps: ListenerDeps): CommandListener {
  return async ({ command, ack, context }) => {
    await ack();
    const text = command.text ?? '';
    const asker = commandAsker(command);
    const plan = plansAnswer({ plans: deps.plans, demo: deps.sample }, parsePlansCommand(text), {
      asker,
      view: viewFor(deps, { kind: 'private' }),
      command: '/plans',
      text,
    });
    void runAnswer(
      deps,
      { command: '/plans', asker, userTeamId: command.team_id, visible: false, queuedMs: queuedMs(context) },
      responseUrlDelivery(deps.respond, command.response_url),
      plan,
    );
  };
}
