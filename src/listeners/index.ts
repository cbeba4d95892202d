import { alertShowPlanActionId } from '../blocks/alertMessages.ts';
import { plansActionIds } from '../blocks/plansPage.ts';
import { shareActionId } from '../blocks/planCard.ts';
import { alertShowPlan } from './actions/alertShowPlan.ts';
import { pickAccount, pickActionPattern } from './actions/pickAccount.ts';
import { pickWatch, watchPickActionPattern } from './actions/pickWatch.ts';
import { plansPaging } from './actions/plansPaging.ts';
import { sharePlan } from './actions/sharePlan.ts';
import { planCommand } from './commands/plan.ts';
import { plansCommand } from './commands/plans.ts';
import type { ListenerDeps } from './context.ts';
import { appMention, directMessage } from './events/conversation.ts';
import type { Routes } from './routes.ts';

export type { ListenerDeps } from './context.ts';

/** Every command, action and event planbot handles; manifest.yml must declare the same (a test checks). */
export function registerListeners(routes: Routes, deps: ListenerDeps): void {
  routes.command('/plan', planCommand(deps));
  routes.command('/plans', plansCommand(deps));
  routes.action(pickActionPattern, pickAccount(deps));
  routes.action(watchPickActionPattern, pickWatch(deps));
  routes.action(shareActionId, sharePlan(deps));
  routes.action(plansActionIds.prev, plansPaging(deps, 'page'));
  routes.action(plansActionIds.next, plansPaging(deps, 'page'));
  routes.action(plansActionIds.share, plansPaging(deps, 'share'));
  routes.action(alertShowPlanActionId, alertShowPlan(deps));
  routes.event('app_mention', appMention(deps));
  routes.event('message', directMessage(deps));
}
