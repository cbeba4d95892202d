import type { AccountFinder, Resolution } from '../../../answers/accountFinder.ts';
import type { Asker, PlanAnswers } from '../../../answers/planAnswers.ts';
import { withIndexNote, withNoIndexNote } from '../../../blocks/accountMatches.ts';
import type { SlackMessage } from '../../../blocks/limits.ts';
import { invalidAccountId, planNotConfigured, planUsage } from '../../../blocks/messages.ts';
import { type PlanCommand, parsePlanCommand } from '../../../commands/planCommand.ts';
import {
  type DigestCommandResult,
  type DigestCommands,
  type DigestSubcommand,
  runDigestCommand,
} from '../../../digests/digestCommands.ts';
import { answerInBackground, type BackgroundDeps, commandAsker } from '../background.ts';
import type { Routes } from '../routes.ts';

/**
 * An account by id or by name: the card (noting the index's age when found by name), the
 * candidates to pick from, or why there is none. Shared by /plan and mentions.
 */
export async function answerAccount(
  d: { answers: PlanAnswers; finder: AccountFinder | undefined },
  request: { kind: 'lookup'; accountId: string } | { kind: 'find'; words: string },
  asker: Asker,
  audience: Parameters<PlanAnswers['forAccount']>[2],
  options: { deadline: number; command: string },
): Promise<{ message: SlackMessage; outcome: string }> {
  const resolved: Resolution | undefined = d.finder
    ? await d.finder.resolve(request)
    : request.kind === 'lookup'
      ? { kind: 'account', accountId: request.accountId }
      : undefined;
  // Without partner credentials there is nothing to search; the plan answer says so.
  if (!resolved) return d.answers.forAccount(request.kind === 'find' ? request.words : '', asker, audience, options);
  if (resolved.kind === 'message') return resolved;
  const answer = await d.answers.forAccount(resolved.accountId, asker, audience, options);
  if (answer.outcome === 'card' && resolved.foundBy)
    return { message: withIndexNote(answer.message, resolved.foundBy), outcome: answer.outcome };
  // Not an id, and no index yet to look it up as a name: the usual answer, and why names don't work yet.
  if (answer.outcome === 'not_found' && resolved.noIndex)
    return { message: withNoIndexNote(answer.message, resolved.noIndex.building), outcome: answer.outcome };
  return answer;
}

/**
 * watch, unwatch, watchlist, digest: this channel's digest. Names in `watch acme` are resolved
 * through the account index first; several matches come back as candidates to pick from.
 */
export async function answerDigestCommand(
  d: { digests: DigestCommands | undefined; finder: AccountFinder | undefined },
  cmd: DigestSubcommand,
  asker: Asker,
  deadline: number,
): Promise<DigestCommandResult> {
  if ((cmd.kind === 'watch' || cmd.kind === 'unwatch') && d.finder && d.digests) {
    const resolved = await d.finder.resolveWatch(cmd);
    if (resolved.kind === 'message') return { message: resolved.message, outcome: resolved.outcome };
    return runDigestCommand(d.digests, resolved.cmd, asker, deadline);
  }
  return runDigestCommand(d.digests, cmd, asker, deadline);
}

/** `/plan reindex`: rebuilds the account index, or says why there is none. */
export async function answerReindex(
  finder: AccountFinder | undefined,
): Promise<{ message: SlackMessage; outcome: string }> {
  return finder ? finder.reindex() : { message: planNotConfigured(), outcome: 'not_configured' };
}

/**
 * What a /plan subcommand needs from the access gate: digest commands lead to posts the whole
 * channel sees; lookups and watches call Constant Contact, so they count against the person's limit.
 */
export function planAccess(parsed: Exclude<PlanCommand, { kind: 'help' | 'invalid' }>): {
  visible: boolean;
  spends: boolean;
} {
  switch (parsed.kind) {
    case 'lookup':
    case 'find':
    case 'reindex':
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
export function planTarget(parsed: Exclude<PlanCommand, { kind: 'help' }>): {
  action: 'lookup' | 'watch' | 'unwatch' | 'watchlist' | 'digest' | 'reindex';
  target?: string;
} {
  switch (parsed.kind) {
    case 'lookup':
      return { action: 'lookup', target: parsed.accountId };
    case 'find':
      return { action: 'lookup', target: parsed.words };
    case 'reindex':
      return { action: 'reindex' };
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
  routes: Routes,
  deps: BackgroundDeps & {
    answers: PlanAnswers;
    finder: AccountFinder | undefined;
    digests: DigestCommands | undefined;
    demoAccounts?: string[];
  },
): void {
  routes.command('/plan', async ({ command, ack, context }) => {
    // Slack gives 3 seconds to acknowledge; the answer follows through response_url.
    await ack();
    const text = command.text ?? '';
    const asker = commandAsker(command);
    answerInBackground(
      deps,
      '/plan',
      asker,
      { responseUrl: command.response_url, context },
      async ({ deadline, respond, admit }) => {
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
        if (parsed.kind === 'reindex') {
          const result = await answerReindex(deps.finder);
          await respond({ response_type: 'ephemeral', ...result.message });
          return { ...what, outcome: result.outcome };
        }
        if (parsed.kind !== 'lookup' && parsed.kind !== 'find') {
          const result = await answerDigestCommand(deps, parsed, asker, deadline);
          await respond({ response_type: 'ephemeral', ...result.message });
          const followUp = await result.followUp?.();
          if (followUp) await respond({ response_type: 'ephemeral', replace_original: false, ...followUp });
          return { ...what, outcome: result.outcome };
        }
        const answer = await answerAccount(deps, parsed, asker, { kind: 'private' }, { deadline, command: '/plan' });
        await respond({ response_type: 'ephemeral', ...answer.message });
        return { ...what, outcome: answer.outcome };
      },
    );
  });
}
