import type { App } from '@slack/bolt';
import type { PlanAnswers } from '../../../answers/planAnswers.ts';
import { invalidAccountId, planUsage } from '../../../blocks/messages.ts';
import { type PlanCommand, parsePlanCommand } from '../../../commands/planCommand.ts';
import { type DigestCommands, runDigestCommand } from '../../../digests/digestCommands.ts';
import { answerInBackground, type BackgroundDeps, commandAsker } from '../background.ts';

/**
 * What a /plan subcommand needs from the access gate: digest commands lead to posts the whole
 * channel sees; lookups and watches call Constant Contact, so they count against the person's limit.
 */
export function planAccess(parsed: Exclude<PlanCommand, { kind: 'help' | 'invalid' }>): { visible: boolean; spends: boolean } {
  switch (parsed.kind) {
    case 'lookup':
      return { visible: false, spends: true };
    case 'watch':
      return { visible: true, spends: true };
    case 'digest':
      return { visible: true, spends: parsed.args[0]?.toLowerCase() === 'now' };
    case 'unwatch':
    case 'watchlist':
      return { visible: false, spends: false };
  }
}

/** The audit's name for a /plan subcommand, and what it was about. */
export function planTarget(parsed: Exclude<PlanCommand, { kind: 'help' }>): { action: 'lookup' | 'watch' | 'unwatch' | 'watchlist' | 'digest'; target?: string } {
  switch (parsed.kind) {
    case 'lookup':
      return { action: 'lookup', target: parsed.accountId };
    case 'invalid':
      return { action: 'lookup', target: parsed.input };
    case 'watch':
    case 'unwatch':
      return { action: parsed.kind, target: [...parsed.ids, ...parsed.invalid].join(' ') };
    case 'watchlist':
      return { action: 'watchlist' };
    case 'digest':
      return { action: 'digest', target: parsed.args.join(' ') };
  }
}

export function registerPlanCommand(
  app: App,
  deps: BackgroundDeps & { answers: PlanAnswers; digests: DigestCommands | undefined; demoAccounts?: string[] },
): void {
  app.command('/plan', async ({ command, ack }) => {
    // Slack gives 3 seconds to acknowledge; the answer follows through response_url.
    await ack();
    const text = command.text ?? '';
    const asker = commandAsker(command);
    answerInBackground(deps, '/plan', asker, command.response_url, async ({ deadline, respond, admit }) => {
      const parsed = parsePlanCommand(text);
      if (parsed.kind === 'help') {
        await respond({ response_type: 'ephemeral', ...planUsage(deps.demoAccounts) });
        return undefined;
      }
      const what = planTarget(parsed);
      if (parsed.kind === 'invalid') {
        await respond({ response_type: 'ephemeral', ...invalidAccountId(parsed.input) });
        return { ...what, outcome: 'invalid_input' };
      }
      const admitted = await admit({ userTeamId: command.team_id, ...planAccess(parsed) }, what);
      if (admitted !== 'ok') return admitted;
      if (parsed.kind !== 'lookup') {
        // watch, unwatch, watchlist, digest: this channel's digest.
        const result = await runDigestCommand(deps.digests, parsed, asker, deadline);
        await respond({ response_type: 'ephemeral', ...result.message });
        const followUp = await result.followUp?.();
        if (followUp) await respond({ response_type: 'ephemeral', replace_original: false, ...followUp });
        return { ...what, outcome: result.outcome };
      }
      const answer = await deps.answers.forAccount(parsed.accountId, asker, { kind: 'private' }, { deadline, command: '/plan' });
      await respond({ response_type: 'ephemeral', ...answer.message });
      return { ...what, outcome: answer.outcome };
    });
  });
}
