import { planAccess } from '../../answers/planAnswer.ts';
import { runAnswer } from '../../answers/runAnswer.ts';
import { isAccountId } from '../../billing/account.ts';
import { watchPickActionIds } from '../../blocks/accountMatches.ts';
import { watchReply } from '../../blocks/digestReplies.ts';
import { invalidAccountId } from '../../blocks/messages.ts';
import { responseUrlDelivery } from '../../deliver/responseUrl.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import { watchOutcomeName } from '../../usecases/watch.ts';
import { actionAsker, type ListenerDeps } from '../context.ts';
import type { ButtonListener } from '../routes.ts';

/** The Watch and Unwatch buttons of a `/plan watch <name>` candidate list (each id adds `_<account id>`). */
export const watchPickActionPattern = new RegExp(`^(${watchPickActionIds.watch}|${watchPickActionIds.unwatch})(_|$)`);

/** A candidate picked for `watch`/`unwatch`: the change is made in the channel the list was shown in. */
export function pickWatch(deps: ListenerDeps): ButtonListener {
  return async ({ ack, body, action, context }) => {
    await ack();
    const accountId = action.value ?? '';
    const kind: 'watch' | 'unwatch' = action.action_id.startsWith(watchPickActionIds.unwatch) ? 'unwatch' : 'watch';
    const asker = actionAsker(body);
    const what = { action: kind, target: accountId } as const;
    const valid = isAccountId(accountId) && asker.channelId !== '';
    // What `/plan watch <id>` would be, with its checks.
    const cmd = { kind, ids: [accountId], invalid: [], words: accountId };
    void runAnswer(
      deps,
      {
        command: kind === 'watch' ? 'watch_pick' : 'unwatch_pick',
        asker,
        userTeamId: body.user.team_id,
        visible: false,
        queuedMs: queuedMs(context),
      },
      responseUrlDelivery(deps.respond, body.response_url),
      valid
        ? {
            what,
            access: planAccess(cmd),
            run: async (deadline) => {
              const outcome = await deps.watch.run(cmd, asker, deadline, { resolveNames: false });
              return { message: watchReply(outcome), outcome: watchOutcomeName(outcome), placement: 'replace' };
            },
          }
        : {
            what,
            run: async () => ({ message: invalidAccountId(accountId), outcome: 'invalid_input', placement: 'aside' }),
          },
    );
  };
}
