import { accountOptions } from '../../blocks/lookupModal.ts';
import { suggest } from '../../usecases/suggest.ts';
import type { ListenerDeps } from '../context.ts';
import type { OptionsListener } from '../routes.ts';

/**
 * The lookup modal's typeahead (`block_suggestion` for action `account`): options from the account
 * index, answered in the ack body itself, so it stays well inside Slack's 3 seconds.
 */
export function accountSuggestions(deps: ListenerDeps): OptionsListener {
  return async ({ ack, payload, body }) => {
    const started = deps.now();
    const outcome = await suggest(deps, {
      userId: body.user.id,
      teamId: body.user.team_id ?? body.team?.id,
      words: payload.value ?? '',
    });
    await ack({ options: accountOptions(outcome) });
    deps.logger.debug(
      { event: 'suggestions', user: body.user.id, outcome: outcome.kind, ms: deps.now() - started },
      'account suggestions',
    );
  };
}
