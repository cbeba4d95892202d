import { planAnswer } from '../../answers/planAnswer.ts';
import { plansAnswer } from '../../answers/plansAnswer.ts';
import { type AnswerPlan, runAnswer } from '../../answers/runAnswer.ts';
import { conversationUsage } from '../../blocks/messages.ts';
import { threadDelivery } from '../../deliver/threadPost.ts';
import { parseConversationText } from '../../grammar/conversationText.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import type { Asker } from '../../usecases/types.ts';
import { type ListenerDeps, viewFor } from '../context.ts';
import type { EventListener } from '../routes.ts';

/** Slack retries an event for up to a few minutes; a day of memory is ample. */
const handledEventTtlMs = 24 * 60 * 60_000;
const workingReaction = 'hourglass_flowing_sand';

/** A question asked in a conversation: a mention, or a message in a DM with planbot. */
export interface Question {
  eventId: string;
  channel: string;
  /** The message that asked (reacted to while planbot works). */
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

type WebClient = Parameters<EventListener<'message'>>[0]['client'];

/** `@planbot plan …` in a thread or channel: answered in the thread, for everyone in it. */
export function appMention(deps: ListenerDeps): EventListener<'app_mention'> {
  return async ({ event, body, client, context }) => {
    if (event.bot_id || event.subtype || !event.user) return;
    // Detached from Bolt's request (the event was acked already) so its objects can be freed.
    void answerQuestion(deps, client, {
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
  };
}

/** `plan …` in a DM with planbot: answered in the DM. */
export function directMessage(deps: ListenerDeps): EventListener<'message'> {
  return async ({ event, body, client, context }) => {
    // Only people's own new messages in a DM with planbot; never edits, joins, or any bot's posts.
    if (event.channel_type !== 'im' || event.subtype !== undefined || ('bot_id' in event && event.bot_id)) return;
    const user = 'user' in event ? event.user : undefined;
    const text = 'text' in event ? event.text : undefined;
    if (!user || typeof text !== 'string') return;
    void answerQuestion(deps, client, {
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
  };
}

/** The same answers as the slash commands, delivered in the conversation, once per event. */
export async function answerQuestion(deps: ListenerDeps, client: WebClient, q: Question): Promise<void> {
  const log = { event: 'conversation', via: q.via, user: q.userId, channel: q.channel, eventId: q.eventId };
  try {
    // A retried delivery of an event already taken is dropped, on any replica sharing the store.
    const key = q.eventId ? `slack-event:${q.eventId}` : `slack-message:${q.channel}:${q.ts}`;
    if (!(await deps.store.claim(key, handledEventTtlMs))) {
      deps.logger.info({ ...log, outcome: 'duplicate' }, 'ignored a repeated Slack event');
      return;
    }
    const reacted = await client.reactions
      .add({ channel: q.channel, timestamp: q.ts, name: workingReaction })
      .then(() => true)
      .catch((error: unknown) => {
        deps.onSlackError?.('reactions.add', slackCode(error));
        deps.logger.warn({ ...log, error: errorText(error) }, 'could not add the working reaction');
        return false;
      });
    const asker: Asker = { userId: q.userId, channelId: q.channel, teamId: q.teamId };
    await runAnswer(
      deps,
      {
        command: q.via === 'mention' ? '@planbot' : 'dm',
        asker,
        userTeamId: q.teamId,
        // A mention's answer is a reply everyone in the conversation sees; a DM is between the person and planbot.
        visible: q.via === 'mention',
        channelExternal: q.externalChannel,
        queuedMs: q.queuedMs,
      },
      threadDelivery(client, q.channel, q.threadTs, deps.onSlackError),
      questionAnswer(deps, q, asker),
    );
    if (reacted) {
      await client.reactions
        .remove({ channel: q.channel, timestamp: q.ts, name: workingReaction })
        .catch((error: unknown) => {
          deps.onSlackError?.('reactions.remove', slackCode(error));
          deps.logger.warn({ ...log, error: errorText(error) }, 'could not remove the working reaction');
        });
    }
  } catch (error) {
    deps.logger.error({ ...log, err: error }, 'could not handle a conversation event');
  }
}

function questionAnswer(deps: ListenerDeps, q: Question, asker: Asker): AnswerPlan {
  const request = parseConversationText(q.text);
  const command = q.via === 'mention' ? '@plan' : 'dm';
  const view = viewFor(deps, { kind: 'thread' });
  switch (request.kind) {
    case 'help':
      return { run: async () => ({ message: conversationUsage(q.via), outcome: 'help' }) };
    case 'unknown':
      return { run: async () => ({ message: conversationUsage(q.via, request.word), outcome: 'help' }) };
    case 'plan':
      return planAnswer(deps, request.command, {
        asker,
        view,
        command,
        files: { kind: 'here', channelId: q.channel, ...(q.threadTs ? { threadTs: q.threadTs } : {}) },
      });
    case 'plans':
      return plansAnswer({ plans: deps.plans, demo: deps.sample }, request.command, {
        asker,
        view,
        command: `${command}s`,
        text: q.text,
      });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Slack's error code, or `request_failed` when Slack was not reached. */
function slackCode(error: unknown): string {
  return (error as { data?: { error?: string } }).data?.error ?? 'request_failed';
}
