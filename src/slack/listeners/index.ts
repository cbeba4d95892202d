import type { Respond } from '../responder.ts';
import { registerPickAccount } from './actions/pickAccount.ts';
import { registerPickWatch } from './actions/pickWatch.ts';
import { registerPlansPaging } from './actions/plansPaging.ts';
import { registerSharePlan } from './actions/sharePlan.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerPlansCommand } from './commands/plans.ts';
import { type ConversationDeps, registerConversation } from './events/conversation.ts';
import type { Routes } from './routes.ts';

/** What every listener needs: the conversation listeners' dependencies, plus the response_url poster. */
export type ListenerDeps = ConversationDeps & {
  /** Posts answers to response_urls. */
  respond: Respond;
};

/** Every command, action and event planbot handles; manifest.yml must declare the same (a test checks). */
export function registerListeners(routes: Routes, d: ListenerDeps): void {
  const common = {
    logger: d.logger,
    now: d.now,
    inflight: d.inflight,
    respond: d.respond,
    access: d.access,
    audit: d.audit,
  };
  registerPlanCommand(routes, {
    ...common,
    answers: d.planAnswers,
    finder: d.finder,
    digests: d.digests,
    demoAccounts: d.demoAccounts,
  });
  registerPickAccount(routes, { ...common, answers: d.planAnswers });
  registerPickWatch(routes, { ...common, digests: d.digests });
  registerPlansCommand(routes, { ...common, answers: d.plansAnswers, demo: d.demoAccounts !== undefined });
  registerSharePlan(routes, { ...common, answers: d.planAnswers });
  registerPlansPaging(routes, { ...common, answers: d.plansAnswers });
  registerConversation(routes, {
    ...common,
    planAnswers: d.planAnswers,
    plansAnswers: d.plansAnswers,
    finder: d.finder,
    store: d.store,
    demoAccounts: d.demoAccounts,
    digests: d.digests,
  });
}
