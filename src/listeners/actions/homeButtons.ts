import { answerBudgetMs } from '../../answers/runAnswer.ts';
import { isAccountId } from '../../billing/account.ts';
import { refusalMessage } from '../../blocks/accessMessages.ts';
import { cardModal, messageModal, waitingModal } from '../../blocks/lookupModal.ts';
import { planReply } from '../../blocks/replies.ts';
import { planOutcomeName } from '../../usecases/plan.ts';
import { type ListenerDeps, viewFor } from '../context.ts';
import type { ButtonListener } from '../routes.ts';
import { openLookup } from '../shortcuts/lookupPlan.ts';

/** The Home tab's "Look up an account": the lookup modal. */
export function homeLookup(deps: ListenerDeps): ButtonListener {
  return async ({ ack, body }) => {
    await ack();
    await openLookup(deps, { triggerId: body.trigger_id, userId: body.user.id, teamId: body.user.team_id });
  };
}

/**
 * The Home tab's "Show card": the Home tab has no conversation to answer in, so the card opens in
 * the lookup modal (with its picker to send it somewhere). The modal opens at once, since the
 * trigger lasts 3 s, and the card replaces "looking up" when it comes.
 */
export function homeShowPlan(deps: ListenerDeps): ButtonListener {
  return async ({ ack, body, action }) => {
    await ack();
    const accountId = action.value ?? '';
    if (!isAccountId(accountId)) return;
    const started = deps.now();
    const asker = { userId: body.user.id, channelId: '', ...(body.user.team_id ? { teamId: body.user.team_id } : {}) };
    const done = deps.inflight.begin();
    let outcome = 'not_shown';
    try {
      const viewId = await deps.views.open(body.trigger_id, waitingModal());
      const verdict = await deps.access.admit({
        userId: asker.userId,
        userTeamId: body.user.team_id,
        channelId: undefined,
        visible: false,
        spends: true,
      });
      if (!verdict.ok) {
        outcome = verdict.refusal;
        return await deps.views.update(viewId, messageModal(refusalMessage(verdict.refusal, verdict)));
      }
      const card = await deps.plan.card(accountId, asker, { deadline: started + answerBudgetMs, command: 'home' });
      outcome = planOutcomeName(card);
      const message = planReply(card, viewFor(deps, { kind: 'private' })());
      await deps.views.update(viewId, card.kind === 'card' ? cardModal(message, accountId) : messageModal(message));
    } catch (error) {
      deps.logger.warn(
        { event: 'home_card_failed', user: asker.userId, err: error },
        'could not show a card from Home',
      );
    } finally {
      done();
      deps.audit.record({
        action: 'lookup',
        command: 'home',
        user: asker.userId,
        team: asker.teamId,
        channel: '-',
        target: accountId,
        outcome,
        durationMs: deps.now() - started,
      });
    }
  };
}
