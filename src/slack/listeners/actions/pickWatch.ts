import { watchPickActionIds } from '../../../blocks/accountMatches.ts';
import { invalidAccountId } from '../../../blocks/messages.ts';
import { type DigestCommands, type DigestSubcommand, runDigestCommand } from '../../../digests/digestCommands.ts';
import { isAccountId } from '../../../partner/accountId.ts';
import { actionAsker, answerInBackground, type BackgroundDeps } from '../background.ts';
import { planAccess } from '../commands/plan.ts';
import type { Routes } from '../routes.ts';

/** The Watch and Unwatch buttons of a `/plan watch <name>` candidate list (each id adds `_<account id>`). */
export const watchPickActionPattern = new RegExp(`^(${watchPickActionIds.watch}|${watchPickActionIds.unwatch})(_|$)`);

/** A candidate picked for `watch`/`unwatch`: the change is made in the channel the list was shown in. */
export function registerPickWatch(
  routes: Routes,
  deps: BackgroundDeps & { digests: DigestCommands | undefined },
): void {
  routes.action(watchPickActionPattern, async ({ ack, body, action, context }) => {
    await ack();
    const accountId = action.value ?? '';
    const kind = action.action_id.startsWith(watchPickActionIds.unwatch) ? 'unwatch' : 'watch';
    const asker = actionAsker(body);
    answerInBackground(
      deps,
      kind === 'watch' ? 'watch_pick' : 'unwatch_pick',
      asker,
      { responseUrl: body.response_url, context },
      async ({ deadline, respond, admit }) => {
        const what = { action: kind, target: accountId } as const;
        if (!isAccountId(accountId) || !asker.channelId) {
          await respond({ response_type: 'ephemeral', replace_original: false, ...invalidAccountId(accountId) });
          return { ...what, outcome: 'invalid_input' };
        }
        // What `/plan watch <id>` would be, with its checks.
        const cmd: DigestSubcommand = { kind, ids: [accountId], invalid: [], words: accountId };
        const admitted = await admit({ userTeamId: body.user.team_id, ...planAccess(cmd) }, what);
        if (admitted !== 'ok') return admitted;
        const result = await runDigestCommand(deps.digests, cmd, asker, deadline);
        await respond({ replace_original: true, ...result.message });
        return { ...what, outcome: result.outcome };
      },
    );
  });
}
