import type { App } from '@slack/bolt';
import type { Asker, PlanAnswers } from '../../../answers/planAnswers.ts';
import { invalidAccountId, planUsage } from '../../../blocks/messages.ts';
import { parsePlanCommand } from '../../../commands/planCommand.ts';
import type { Inflight } from '../../../lifecycle/inflight.ts';
import type { Logger } from '../../../logger.ts';
import type { Respond, ResponsePayload } from '../../responder.ts';
import { answerBudgetMs, yieldToAcks } from '../../timing.ts';

export function registerPlanCommand(
  app: App,
  deps: { answers: PlanAnswers; logger: Logger; now: () => number; inflight: Inflight; respond: Respond; demoAccounts?: string[] },
): void {
  app.command('/plan', async ({ command, ack }) => {
    // Slack gives 3 seconds to acknowledge; the answer follows through response_url.
    await ack();
    const done = deps.inflight.begin();
    const deadline = deps.now() + answerBudgetMs;
    await yieldToAcks();
    const asker: Asker = { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id };
    const respond = (payload: ResponsePayload) => deps.respond(command.response_url, payload);
    const parsed = parsePlanCommand(command.text ?? '');
    try {
      if (parsed.kind === 'help') {
        await respond({ response_type: 'ephemeral', ...planUsage(deps.demoAccounts) });
        return;
      }
      if (parsed.kind === 'invalid') {
        deps.logger.info(
          { event: 'plan_lookup', command: '/plan', user: asker.userId, channel: asker.channelId, outcome: 'invalid_input' },
          'plan lookup',
        );
        await respond({ response_type: 'ephemeral', ...invalidAccountId(parsed.input) });
        return;
      }
      const answer = await deps.answers.forAccount(parsed.accountId, asker, { kind: 'private' }, { deadline, command: '/plan' });
      await respond({ response_type: 'ephemeral', ...answer.message });
    } catch (error) {
      deps.logger.error(
        { err: error, event: 'respond_failed', command: '/plan', user: asker.userId, channel: asker.channelId },
        'could not answer /plan',
      );
    } finally {
      done();
    }
  });
}
