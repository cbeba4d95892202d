import type { BlockButtonAction } from '@slack/bolt';
import type { PlanAnswerDeps } from '../answers/planAnswer.ts';
import type { AnswerDeps } from '../answers/runAnswer.ts';
import type { Audience } from '../blocks/planCard.ts';
import type { View } from '../blocks/replies.ts';
import type { Respond } from '../slackApi/responder.ts';
import type { Store } from '../store/createStore.ts';
import type { AccountFinder } from '../accounts/finder.ts';
import type { SlackViews } from '../slackApi/views.ts';
import type { HomeUseCase } from '../usecases/home.ts';
import type { PlansUseCase } from '../usecases/plans.ts';
import type { Asker } from '../usecases/types.ts';

/** Everything planbot's listeners are given: the use cases, and what every answer needs. */
export interface ListenerDeps extends AnswerDeps, PlanAnswerDeps {
  plans: PlansUseCase;
  /** Posts answers to response_urls. */
  respond: Respond;
  /** Claims each Slack event once, across replicas. */
  store: Pick<Store, 'claim'>;
  /** Demo mode: every answer says it is sample data. */
  sample: boolean;
  /** Modals and the Home tab. */
  views: SlackViews;
  home: HomeUseCase;
  /** The account index, for the lookup modal's typeahead. */
  finder: AccountFinder;
  /** Told of each Slack Web API call a listener made that failed, with Slack's error code. */
  onSlackError?: (method: string, code: string) => void;
}

/** How a listener's answer is shown to `audience` now. */
export const viewFor =
  (deps: Pick<ListenerDeps, 'now' | 'sample'>, audience: Audience): (() => View) =>
  () => ({ audience, now: new Date(deps.now()), sample: deps.sample });

/** Who asked in a slash command's payload. */
export function commandAsker(command: { user_id: string; channel_id: string; team_id: string }): Asker {
  return { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id };
}

/** Who clicked a button, and where. */
export function actionAsker(body: BlockButtonAction): Asker {
  return { userId: body.user.id, channelId: body.channel?.id ?? '', teamId: body.user.team_id ?? body.team?.id };
}
