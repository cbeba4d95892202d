import type { App } from '@slack/bolt';
import type { Asker } from '../../../answers/planAnswers.ts';
import type { PlansAnswers } from '../../../answers/plansAnswers.ts';
import { invalidPlansSearch, plansUsage } from '../../../blocks/messages.ts';
import { parsePlansCommand } from '../../../commands/plansCommand.ts';
import type { Inflight } from '../../../lifecycle/inflight.ts';
import type { Logger } from '../../../logger.ts';
import type { Respond, ResponsePayload } from '../../responder.ts';
import { answerBudgetMs, yieldToAcks } from '../../timing.ts';

export function registerPlansCommand(
  app: App,
  deps: { answers: PlansAnswers; logger: Logger; now: () => number; inflight: Inflight; respond: Respond; demo: boolean },
): void {
  app.command('/plans', async ({ command, ack }) => {
    await ack();
    const done = deps.inflight.begin();
    const deadline = deps.now() + answerBudgetMs;
    await yieldToAcks();
    const asker: Asker = { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id };
    try {
      const respond = (payload: ResponsePayload) => deps.respond(command.response_url, payload);
      const parsed = parsePlansCommand(command.text ?? '');
      if (parsed.kind === 'help') {
        await respond({ response_type: 'ephemeral', ...plansUsage(deps.demo) });
        return;
      }
      if (parsed.kind === 'invalid') {
        deps.logger.info(
          { event: 'plans_search', command: '/plans', user: asker.userId, channel: asker.channelId, outcome: 'invalid_input' },
          'plans search',
        );
        await respond({ response_type: 'ephemeral', ...invalidPlansSearch(parsed.problem) });
        return;
      }
      const answer = await deps.answers.page(parsed.query, asker, { kind: 'private' }, { deadline, command: '/plans' });
      await respond({ response_type: 'ephemeral', ...answer.message });
    } catch (error) {
      deps.logger.error(
        { err: error, event: 'respond_failed', command: '/plans', user: asker.userId, channel: asker.channelId },
        'could not answer /plans',
      );
    } finally {
      done();
    }
  });
}
