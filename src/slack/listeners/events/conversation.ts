import type { AccessGate } from '../../../access/accessGate.ts';
import type { Audit } from '../../../audit/audit.ts';
import type { AccountFinder } from '../../../answers/accountFinder.ts';
import type { Asker, PlanAnswers } from '../../../answers/planAnswers.ts';
import type { PlansAnswers } from '../../../answers/plansAnswers.ts';
import type { SlackMessage } from '../../../blocks/limits.ts';
import {
  conversationUsage,
  invalidAccountId,
  invalidPlansSearch,
  plansUsage,
  planUsage,
  somethingWentWrong,
} from '../../../blocks/messages.ts';
import { parseConversationText } from '../../../commands/conversationText.ts';
import { describePlansQuery } from '../../../commands/plansCommand.ts';
import type { Inflight } from '../../../lifecycle/inflight.ts';
import type { Logger } from '../../../logger.ts';
import type { Store } from '../../../store/createStore.ts';
import type { DigestCommands } from '../../../digests/digestCommands.ts';
import { answerBudgetMs, yieldToAcks } from '../../timing.ts';
import { queuedMs } from '../../forwardedReceiver.ts';
import type { Done } from '../background.ts';
import { answerAccount, answerDigestCommand, answerReindex, planAccess, planTarget } from '../commands/plan.ts';
import type { EventListener, Routes } from '../routes.ts';

export interface ConversationDeps {
  planAnswers: PlanAnswers;
  plansAnswers: PlansAnswers;
  /** Finds accounts by name in the account index (undefined without partner credentials). */
  finder: AccountFinder | undefined;
  store: Pick<Store, 'claim'>;
  logger: Logger;
  now: () => number;
  inflight: Inflight;
  /** Watchlists and digests (undefined without partner credentials). */
  digests: DigestCommands | undefined;
  /** Demo mode: the sample account ids to suggest. */
  demoAccounts: string[] | undefined;
  access: AccessGate;
  audit: Audit;
}

/** Slack retries an event for up to a few minutes; a day of memory is ample. */
const handledEventTtlMs = 24 * 60 * 60_000;
const workingReaction = 'hourglass_flowing_sand';

interface Question {
  eventId: string;
  channel: string;
  /** The message that asked (reacted to while we work). */
  ts: string;
  /** Where the answer goes: the thread of the question (or none, for a top-level DM). */
  threadTs: string | undefined;
  userId: string;
  teamId: string | undefined;
  text: string;
  via: 'mention' | 'dm';
  /** The event said the conversation is shared with another organization. */
  externalChannel: boolean;
  /** How long the event waited between its ack and Bolt (ms). */
  queuedMs: number;
}

/** `@planbot plan …` in a thread or channel, and `plan …` in a DM: answered where it was asked. */
export function registerConversation(routes: Routes, deps: ConversationDeps): void {
  routes.event('app_mention', async ({ event, body, client, context }) => {
    if (event.bot_id || event.subtype || !event.user) return;
    // Detached from Bolt's request (the event was acked already) so its objects can be freed.
    void answer(client, deps, {
      eventId: body.event_id,
      channel: event.channel,
      ts: event.ts,
      threadTs: event.thread_ts ?? event.ts,
      userId: event.user,
      teamId: event.user_team ?? event.team ?? body.team_id,
      text: event.text,
      via: 'mention',
      externalChannel: body.is_ext_shared_channel === true,
      queuedMs: queuedMs(context),
    });
  });

  routes.event('message', async ({ event, body, client, context }) => {
    // Only people's own new messages in a DM with planbot; never edits, joins, or any bot's posts.
    if (event.channel_type !== 'im' || event.subtype !== undefined || ('bot_id' in event && event.bot_id)) return;
    const user = 'user' in event ? event.user : undefined;
    const text = 'text' in event ? event.text : undefined;
    if (!user || typeof text !== 'string') return;
    void answer(client, deps, {
      eventId: body.event_id,
      channel: event.channel,
      ts: event.ts,
      threadTs: 'thread_ts' in event ? event.thread_ts : undefined,
      userId: user,
      teamId:
        ('user_team' in event && typeof event.user_team === 'string' ? event.user_team : undefined) ?? body.team_id,
      text,
      via: 'dm',
      externalChannel: body.is_ext_shared_channel === true,
      queuedMs: queuedMs(context),
    });
  });
}

type WebClient = Parameters<EventListener<'message'>>[0]['client'];

async function answer(client: WebClient, deps: ConversationDeps, q: Question): Promise<void> {
  const log = { event: 'conversation', via: q.via, user: q.userId, channel: q.channel, eventId: q.eventId };
  try {
    await answerOnce(client, deps, q, log);
  } catch (error) {
    deps.logger.error({ ...log, err: error }, 'could not handle a conversation event');
  }
}

async function answerOnce(
  client: WebClient,
  deps: ConversationDeps,
  q: Question,
  log: Record<string, string>,
): Promise<void> {
  // A retried delivery of an event we already took is dropped, on any replica sharing the store.
  const key = q.eventId ? `slack-event:${q.eventId}` : `slack-message:${q.channel}:${q.ts}`;
  if (!(await deps.store.claim(key, handledEventTtlMs))) {
    deps.logger.info({ ...log, outcome: 'duplicate' }, 'ignored a repeated Slack event');
    return;
  }
  const done = deps.inflight.begin();
  // The 15 s started when the event was acknowledged, not when Bolt got to it.
  const started = deps.now() - q.queuedMs;
  const deadline = started + answerBudgetMs;
  let result: Done;
  await yieldToAcks();
  const asker: Asker = { userId: q.userId, channelId: q.channel, teamId: q.teamId };
  const reacted = await client.reactions
    .add({ channel: q.channel, timestamp: q.ts, name: workingReaction })
    .then(() => true)
    .catch((error: unknown) => {
      deps.logger.warn({ ...log, error: slackError(error) }, 'could not add the working reaction');
      return false;
    });
  try {
    let message: SlackMessage;
    try {
      const composed = await compose(deps, q, asker, deadline);
      message = composed.message;
      result = composed.done;
    } catch (error) {
      // Unexpected: the person is told something went wrong, the detail goes to the log only.
      deps.logger.error({ ...log, err: error }, 'could not prepare the answer');
      message = somethingWentWrong();
      result = { action: 'unknown', outcome: 'internal_error' };
    }
    await client.chat.postMessage({
      channel: q.channel,
      ...(q.threadTs ? { thread_ts: q.threadTs } : {}),
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
  } catch (error) {
    deps.logger.error({ ...log, err: error }, 'could not answer in the conversation');
    result = { ...(result ?? { action: 'unknown' as const }), outcome: 'not_posted' };
  } finally {
    if (reacted) {
      await client.reactions
        .remove({ channel: q.channel, timestamp: q.ts, name: workingReaction })
        .catch((error: unknown) => {
          deps.logger.warn({ ...log, error: slackError(error) }, 'could not remove the working reaction');
        });
    }
    done();
  }
  const command = q.via === 'mention' ? '@planbot' : 'dm';
  if (result)
    deps.audit.record({
      ...result,
      command,
      user: q.userId,
      team: q.teamId,
      channel: q.channel,
      durationMs: deps.now() - started,
    });
}

async function compose(
  deps: ConversationDeps,
  q: Question,
  asker: Asker,
  deadline: number,
): Promise<{ message: SlackMessage; done: Done }> {
  const request = parseConversationText(q.text);
  const command = q.via === 'mention' ? '@plan' : 'dm';
  // A mention's answer is a reply everyone in the conversation sees; a DM is between the person and planbot.
  const visible = q.via === 'mention';
  const admit = async (spends: boolean, extraVisible = false) =>
    deps.access.admit({
      userId: q.userId,
      userTeamId: q.teamId,
      channelId: q.channel,
      visible: visible || extraVisible,
      channelExternal: q.externalChannel,
      spends,
    });
  switch (request.kind) {
    case 'help':
      return { message: conversationUsage(q.via), done: undefined };
    case 'unknown':
      return { message: conversationUsage(q.via, request.word), done: undefined };
    case 'plan': {
      const c = request.command;
      if (c.kind === 'help') return { message: planUsage(deps.demoAccounts), done: undefined };
      const what = planTarget(c);
      if (c.kind === 'invalid')
        return { message: invalidAccountId(c.input), done: { ...what, outcome: 'invalid_input' } };
      const needs = planAccess(c);
      const verdict = await admit(needs.spends, needs.visible);
      if (!verdict.ok) return { message: verdict.message, done: { ...what, outcome: verdict.refusal } };
      if (c.kind === 'reindex') {
        const result = await answerReindex(deps.finder);
        return { message: result.message, done: { ...what, outcome: result.outcome } };
      }
      if (c.kind !== 'lookup' && c.kind !== 'find') {
        const result = await answerDigestCommand(deps, c, asker, deadline);
        return { message: result.message, done: { ...what, outcome: result.outcome } };
      }
      const answer = await answerAccount(
        { answers: deps.planAnswers, finder: deps.finder },
        c,
        asker,
        { kind: 'thread' },
        { deadline, command },
      );
      return { message: answer.message, done: { ...what, outcome: answer.outcome } };
    }
    case 'plans': {
      const c = request.command;
      if (c.kind === 'help') return { message: plansUsage(deps.demoAccounts !== undefined), done: undefined };
      if (c.kind === 'invalid')
        return { message: invalidPlansSearch(c.problem), done: { action: 'search', outcome: 'invalid_input' } };
      const what = { action: 'search' as const, target: describePlansQuery(c.query) };
      const verdict = await admit(true);
      if (!verdict.ok) return { message: verdict.message, done: { ...what, outcome: verdict.refusal } };
      const answer = await deps.plansAnswers.page(
        c.query,
        asker,
        { kind: 'thread' },
        { deadline, command: `${command}s` },
      );
      return { message: answer.message, done: { ...what, outcome: answer.outcome } };
    }
  }
}

function slackError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
