import type { App } from '@slack/bolt';
import type { Asker, PlanAnswers } from '../../../answers/planAnswers.ts';
import { invalidAccountId, planUsage } from '../../../blocks/messages.ts';
import { parsePlanCommand } from '../../../commands/planCommand.ts';
import { type DigestCommands, runDigestCommand } from '../../../digests/digestCommands.ts';
import { answerInBackground, type BackgroundDeps } from '../background.ts';

export function registerPlanCommand(
  app: App,
  deps: BackgroundDeps & { answers: PlanAnswers; digests: DigestCommands | undefined; demoAccounts?: string[] },
): void {
  app.command('/plan', async ({ command, ack }) => {
    // Slack gives 3 seconds to acknowledge; the answer follows through response_url.
    await ack();
    const text = command.text ?? '';
    const asker: Asker = { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id };
    const label = { command: '/plan', user: asker.userId, channel: asker.channelId };
    answerInBackground(deps, label, command.response_url, async ({ deadline, respond }) => {
      const parsed = parsePlanCommand(text);
      if (parsed.kind === 'help') return respond({ response_type: 'ephemeral', ...planUsage(deps.demoAccounts) });
      if (parsed.kind === 'invalid') {
        deps.logger.info({ event: 'plan_lookup', ...label, outcome: 'invalid_input' }, 'plan lookup');
        return respond({ response_type: 'ephemeral', ...invalidAccountId(parsed.input) });
      }
      if (parsed.kind !== 'lookup') {
        // watch, unwatch, watchlist, digest: this channel's digest.
        const result = await runDigestCommand(deps.digests, parsed, asker, deadline);
        deps.logger.info({ event: 'digest_command', ...label, subcommand: parsed.kind, args: 'args' in parsed ? parsed.args : undefined, ids: 'ids' in parsed ? parsed.ids : undefined }, 'digest command');
        await respond({ response_type: 'ephemeral', ...result.message });
        const followUp = await result.followUp?.();
        if (followUp) await respond({ response_type: 'ephemeral', replace_original: false, ...followUp });
        return;
      }
      const answer = await deps.answers.forAccount(parsed.accountId, asker, { kind: 'private' }, { deadline, command: '/plan' });
      await respond({ response_type: 'ephemeral', ...answer.message });
    });
  });
}
