import { invalidPlansSearch, plansUsage } from '../blocks/messages.ts';
import { plansReply, type View } from '../blocks/replies.ts';
import { describePlansQuery, type PlansCommand } from '../grammar/plansCommand.ts';
import { plansOutcomeName, type PlansUseCase } from '../usecases/plans.ts';
import type { Asker } from '../usecases/types.ts';
import type { AnswerPlan } from './runAnswer.ts';

/** `/plans …`, `@planbot plans …` and `plans …` in a DM. */
export function plansAnswer(
  deps: { plans: PlansUseCase; demo: boolean },
  parsed: PlansCommand,
  ctx: { asker: Asker; view: () => View; command: string; text: string },
): AnswerPlan {
  if (parsed.kind === 'help') return { run: async () => ({ message: plansUsage(deps.demo), outcome: 'help' }) };
  if (parsed.kind === 'invalid') {
    return {
      what: { action: 'search', target: ctx.text },
      run: async () => ({ message: invalidPlansSearch(parsed.problem), outcome: 'invalid_input' }),
    };
  }
  return {
    what: { action: 'search', target: describePlansQuery(parsed.query) },
    access: { visible: false, spends: true },
    run: async (deadline) => {
      const outcome = await deps.plans.search(parsed.query, ctx.asker, { deadline, command: ctx.command });
      return { message: plansReply(outcome, ctx.view()), outcome: plansOutcomeName(outcome) };
    },
  };
}
