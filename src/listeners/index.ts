import { alertShowPlanActionId } from '../blocks/alertMessages.ts';
import { homeActionIds } from '../blocks/homeView.ts';
import { lookupIds } from '../blocks/lookupModal.ts';
import { plansActionIds } from '../blocks/plansPage.ts';
import { radarActionIds } from '../blocks/radarMessage.ts';
import { shareActionId } from '../blocks/planCard.ts';
import { alertShowPlan } from './actions/alertShowPlan.ts';
import { homeLookup, homeShowPlan } from './actions/homeButtons.ts';
import { pickAccount, pickActionPattern } from './actions/pickAccount.ts';
import { pickWatch, watchPickActionPattern } from './actions/pickWatch.ts';
import { plansPaging } from './actions/plansPaging.ts';
import { sharePlan } from './actions/sharePlan.ts';
import { planCommand } from './commands/plan.ts';
import { plansCommand } from './commands/plans.ts';
import type { ListenerDeps } from './context.ts';
import { appHomeOpened } from './events/appHome.ts';
import { appMention, directMessage } from './events/conversation.ts';
import { accountSuggestions } from './options/accountSuggestions.ts';
import { lookupPlanShortcut } from './shortcuts/lookupPlan.ts';
import { planFromMessage, planFromMessageCallbackId } from './shortcuts/planFromMessage.ts';
import { planLookupSubmission } from './views/planLookup.ts';
import { getBillingPlan, getBillingPlanCallbackId } from './functions/getBillingPlan.ts';
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
  routes.action(radarActionIds.showPlan, alertShowPlan(deps, 'radar'));
  routes.event('app_mention', appMention(deps));
  routes.event('message', directMessage(deps));
  routes.event('app_home_opened', appHomeOpened(deps));
  routes.action(homeActionIds.lookup, homeLookup(deps));
  routes.action(homeActionIds.showPlan, homeShowPlan(deps));
  routes.shortcut(lookupIds.shortcut, lookupPlanShortcut(deps));
  routes.shortcut(planFromMessageCallbackId, planFromMessage(deps));
  routes.view(lookupIds.view, planLookupSubmission(deps));
  routes.options(lookupIds.account, accountSuggestions(deps));
  routes.function(getBillingPlanCallbackId, getBillingPlan(deps));
}
