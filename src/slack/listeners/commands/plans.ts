import type { App } from '@slack/bolt';
import type { Asker } from '../../../answers/planAnswers.ts';
import type { PlansAnswers } from '../../../answers/plansAnswers.ts';
import { invalidPlansSearch, plansUsage } from '../../../blocks/messages.ts';
import { parsePlansCommand } from '../../../commands/plansCommand.ts';
import { answerInBackground, type BackgroundDeps } from '../background.ts';

export function registerPlansCommand(app: App, deps: BackgroundDeps & { answers: PlansAnswers; demo: boolean }): void {
  app.command('/plans', async ({ command, ack }) => {
    await ack();
    const text = command.text ?? '';
    const asker: Asker = { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id };
    const label = { command: '/plans', user: asker.userId, channel: asker.channelId };
    answerInBackground(deps, label, command.response_url, async ({ deadline, respond }) => {
      const parsed = parsePlansCommand(text);
      if (parsed.kind === 'help') return respond({ response_type: 'ephemeral', ...plansUsage(deps.demo) });
      if (parsed.kind === 'invalid') {
        deps.logger.info({ event: 'plans_search', ...label, outcome: 'invalid_input' }, 'plans search');
        return respond({ response_type: 'ephemeral', ...invalidPlansSearch(parsed.problem) });
      }
      const answer = await deps.answers.page(parsed.query, asker, { kind: 'private' }, { deadline, command: '/plans' });
      await respond({ response_type: 'ephemeral', ...answer.message });
    });
  });
}
