import type { PlansAnswers } from '../../../answers/plansAnswers.ts';
import { invalidPlansSearch, plansUsage } from '../../../blocks/messages.ts';
import { describePlansQuery, parsePlansCommand } from '../../../commands/plansCommand.ts';
import { answerInBackground, type BackgroundDeps, commandAsker } from '../background.ts';
import type { Routes } from '../routes.ts';

export function registerPlansCommand(
  routes: Routes,
  deps: BackgroundDeps & { answers: PlansAnswers; demo: boolean },
): void {
  routes.command('/plans', async ({ command, ack, context }) => {
    await ack();
    const text = command.text ?? '';
    const asker = commandAsker(command);
    answerInBackground(
      deps,
      '/plans',
      asker,
      { responseUrl: command.response_url, context },
      async ({ deadline, respond, admit }) => {
        const parsed = parsePlansCommand(text);
        if (parsed.kind === 'help') {
          await respond({ response_type: 'ephemeral', ...plansUsage(deps.demo) });
          return undefined;
        }
        if (parsed.kind === 'invalid') {
          await respond({ response_type: 'ephemeral', ...invalidPlansSearch(parsed.problem) });
          return { action: 'search', target: text, outcome: 'invalid_input' };
        }
        const what = { action: 'search' as const, target: describePlansQuery(parsed.query) };
        const admitted = await admit({ userTeamId: command.team_id, visible: false, spends: true }, what);
        if (admitted !== 'ok') return admitted;
        const answer = await deps.answers.page(
          parsed.query,
          asker,
          { kind: 'private' },
          { deadline, command: '/plans' },
        );
        await respond({ response_type: 'ephemeral', ...answer.message });
        return { ...what, outcome: answer.outcome };
      },
    );
  });
}
