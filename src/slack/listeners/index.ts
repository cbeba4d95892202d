import type { App } from '@slack/bolt';
import type { PlanAnswers } from '../../answers/planAnswers.ts';
import type { PlansAnswers } from '../../answers/plansAnswers.ts';
import type { Inflight } from '../../lifecycle/inflight.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/createStore.ts';
import type { DigestCommands } from '../../digests/digestCommands.ts';
import type { Respond } from '../responder.ts';
import { registerPlansPaging } from './actions/plansPaging.ts';
import { registerSharePlan } from './actions/sharePlan.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerPlansCommand } from './commands/plans.ts';
import { registerConversation } from './events/conversation.ts';

export interface ListenerDeps {
  planAnswers: PlanAnswers;
  plansAnswers: PlansAnswers;
  store: Pick<Store, 'claim'>;
  logger: Logger;
  now: () => number;
  inflight: Inflight;
  /** Posts answers to response_urls. */
  respond: Respond;
  /** Watchlists and digests (undefined without partner credentials). */
  digests: DigestCommands | undefined;
  /** Demo mode: the sample account ids to suggest. */
  demoAccounts: string[] | undefined;
}

/** Every command, action and event planbot handles; manifest.yml must declare the same (a test checks). */
export function registerListeners(app: App, d: ListenerDeps): void {
  const common = { logger: d.logger, now: d.now, inflight: d.inflight, respond: d.respond };
  registerPlanCommand(app, { ...common, answers: d.planAnswers, digests: d.digests, demoAccounts: d.demoAccounts });
  registerPlansCommand(app, { ...common, answers: d.plansAnswers, demo: d.demoAccounts !== undefined });
  registerSharePlan(app, { ...common, answers: d.planAnswers });
  registerPlansPaging(app, { ...common, answers: d.plansAnswers });
  registerConversation(app, {
    ...common,
    planAnswers: d.planAnswers,
    plansAnswers: d.plansAnswers,
    store: d.store,
    demoAccounts: d.demoAccounts,
    digests: d.digests,
  });
}
