import type { ViewResponseAction } from '@slack/bolt';
import { answerBudgetMs } from '../../answers/runAnswer.ts';
import { isAccountId } from '../../billing/account.ts';
import { refusalMessage } from '../../blocks/accessMessages.ts';
import {
  cardModal,
  lookupIds,
  messageModal,
  noAccountValue,
  pickAConversation,
  pickAnAccount,
  sentModal,
  stageOf,
  waitingModal,
} from '../../blocks/lookupModal.ts';
import { planReply } from '../../blocks/replies.ts';
import type { Audit } from '../../audit/audit.ts';
import { planOutcomeName } from '../../usecases/plan.ts';
import type { Asker } from '../../usecases/types.ts';
import { type ListenerDeps, viewFor } from '../context.ts';
import type { ViewListener } from '../routes.ts';

/** How long the submission waits for the card before answering "looking up" and updating the modal after. */
const inAckWaitMs = 2_000;

type Ack = (response?: ViewResponseAction) => Promise<void>;

interface ResponseUrl {
  channel_id: string;
  response_url: string;
}

/**
 * The lookup modal's submissions (`plan_lookup`). The first shows the picked account's card in the
 * modal (`response_action: update`); the second sends it to the conversation picked under it,
 * through that conversation's response_url, under the same Slack Connect guard as Share in channel.
 */
export function planLookupSubmission(deps: ListenerDeps): ViewListener {
  return async ({ ack, body, view }) => {
    const stage = stageOf(view.private_metadata);
    const asker: Asker = {
      userId: body.user.id,
      channelId: '',
      ...(body.user.team_id ? { teamId: body.user.team_id } : {}),
    };
    const person = { asker, teamId: body.user.team_id ?? body.team?.id };
    if (stage.stage === 'pick') {
      const selected = view.state.values[lookupIds.accountBlock]?.[lookupIds.account]?.selected_option?.value;
      if (!selected || selected === noAccountValue || !isAccountId(selected))
        return ack({ response_action: 'errors', errors: { [lookupIds.accountBlock]: pickAnAccount } });
      return showCard(deps, ack, person, selected, view.id);
    }
    if (stage.stage === 'card') {
      const urls = (body as { response_urls?: ResponseUrl[] }).response_urls ?? [];
      const target = urls[0];
      if (!target) return ack({ response_action: 'errors', errors: { [lookupIds.sendBlock]: pickAConversation } });
      return send(deps, ack, person, stage.accountId, target);
    }
    await ack();
  };
}

function audit(
  deps: { audit: Audit; now: () => number },
  a: Asker,
  action: 'lookup' | 'share',
  fields: { channel: string; target: string; outcome: string; started: number },
) {
  deps.audit.record({
    action,
    command: 'modal',
    user: a.userId,
    team: a.teamId,
    channel: fields.channel,
    target: fields.target,
    outcome: fields.outcome,
    durationMs: deps.now() - fields.started,
  });
}

async function showCard(
  deps: ListenerDeps,
  ack: Ack,
  person: { asker: Asker; teamId: string | undefined },
  accountId: string,
  viewId: string,
) {
  const started = deps.now();
  const done = deps.inflight.begin();
  try {
    const verdict = await deps.access.admit({
      userId: person.asker.userId,
      userTeamId: person.teamId,
      channelId: undefined,
      visible: false,
      spends: true,
    });
    if (!verdict.ok) {
      audit(deps, person.asker, 'lookup', { channel: '-', target: accountId, outcome: verdict.refusal, started });
      return await ack({ response_action: 'update', view: messageModal(refusalMessage(verdict.refusal, verdict)) });
    }
    const view = viewFor(deps, { kind: 'private' });
    const lookup = deps.plan
      .card(accountId, person.asker, { deadline: started + answerBudgetMs, command: 'modal' })
      .then((outcome) => {
        audit(deps, person.asker, 'lookup', {
          channel: '-',
          target: accountId,
          outcome: planOutcomeName(outcome),
          started,
        });
        const message = planReply(outcome, view());
        return outcome.kind === 'card' ? cardModal(message, accountId) : messageModal(message);
      });
    const inTime = await Promise.race([
      lookup,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), inAckWaitMs).unref()),
    ]);
    if (inTime) return await ack({ response_action: 'update', view: inTime });
    // Slack wants the answer within 3 s: say it is on its way, and put the card in when it comes.
    await ack({ response_action: 'update', view: waitingModal() });
    await deps.views.update(viewId, await lookup);
  } catch (error) {
    deps.logger.error({ event: 'modal_lookup_failed', user: person.asker.userId, err: error }, 'modal lookup failed');
  } finally {
    done();
  }
}

async function send(
  deps: ListenerDeps,
  ack: Ack,
  person: { asker: Asker; teamId: string | undefined },
  accountId: string,
  target: ResponseUrl,
) {
  const started = deps.now();
  const asker = { ...person.asker, channelId: target.channel_id };
  // Everyone there will see it: the same checks as Share in channel.
  const verdict = await deps.access.admit({
    userId: asker.userId,
    userTeamId: person.teamId,
    channelId: target.channel_id,
    visible: true,
    spends: true,
  });
  if (!verdict.ok) {
    audit(deps, asker, 'share', { channel: target.channel_id, target: accountId, outcome: verdict.refusal, started });
    const why = refusalMessage(verdict.refusal, verdict).text.replace(/[*_`]/g, '');
    return ack({ response_action: 'errors', errors: { [lookupIds.sendBlock]: why } });
  }
  await ack({ response_action: 'update', view: sentModal(target.channel_id) });
  const done = deps.inflight.begin();
  try {
    const outcome = await deps.plan.card(accountId, asker, { deadline: started + answerBudgetMs, command: 'modal' });
    const message = planReply(outcome, viewFor(deps, { kind: 'shared', sharedBy: asker.userId })());
    await deps.respond(target.response_url, { response_type: 'in_channel', ...message });
    audit(deps, asker, 'share', {
      channel: target.channel_id,
      target: accountId,
      outcome: planOutcomeName(outcome),
      started,
    });
  } catch (error) {
    deps.logger.error({ event: 'modal_share_failed', user: asker.userId, err: error }, 'could not send the card');
    audit(deps, asker, 'share', { channel: target.channel_id, target: accountId, outcome: 'not_posted', started });
  } finally {
    done();
  }
}
