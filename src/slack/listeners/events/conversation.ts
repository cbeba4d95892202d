import type { App } from '@slack/bolt';
import type { Asker, PlanAnswers } from '../../../answers/planAnswers.ts';
import type { PlansAnswers } from '../../../answers/plansAnswers.ts';
import type { SlackMessage } from '../../../blocks/limits.ts';
import { conversationUsage, invalidAccountId, invalidPlansSearch, plansUsage, planUsage } from '../../../blocks/messages.ts';
import { parseConversationText } from '../../../commands/conversationText.ts';
import type { Inflight } from '../../../lifecycle/inflight.ts';
import type { Logger } from '../../../logger.ts';
import type { Store } from '../../../store/createStore.ts';
import { type DigestCommands, runDigestCommand } from '../../../digests/digestCommands.ts';
import { answerBudgetMs, yieldToAcks } from '../../timing.ts';

export interface ConversationDeps {
  planAnswers: PlanAnswers;
  plansAnswers: PlansAnswers;
  store: Pick<Store, 'claim'>;
  logger: Logger;
  now: () => number;
  inflight: Inflight;
  /** Watchlists and digests (undefined without partner credentials). */
  digests: DigestCommands | undefined;
  /** Demo mode: the sample account ids to suggest. */
  demoAccounts: string[] | undefined;
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
}

/** `@planbot plan …` in a thread or channel, and `plan …` in a DM: answered where it was asked. */
export function registerConversation(app: App, deps: ConversationDeps): void {
  app.event('app_mention', async ({ event, body, client }) => {
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
    });
  });

  app.event('message', async ({ event, body, client }) => {
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
      teamId: body.team_id,
      text,
      via: 'dm',
    });
  });
}

type WebClient = Parameters<Parameters<App['event']>[1]>[0]['client'];

async function answer(client: WebClient, deps: ConversationDeps, q: Question): Promise<void> {
  const log = { event: 'conversation', via: q.via, user: q.userId, channel: q.channel, eventId: q.eventId };
  try {
    await answerOnce(client, deps, q, log);
  } catch (error) {
    deps.logger.error({ ...log, err: error }, 'could not handle a conversation event');
  }
}

async function answerOnce(client: WebClient, deps: ConversationDeps, q: Question, log: Record<string, string>): Promise<void> {
  // A retried delivery of an event we already took is dropped, on any replica sharing the store.
  const key = q.eventId ? `slack-event:${q.eventId}` : `slack-message:${q.channel}:${q.ts}`;
  if (!(await deps.store.claim(key, handledEventTtlMs))) {
    deps.logger.info({ ...log, outcome: 'duplicate' }, 'ignored a repeated Slack event');
    return;
  }
  const done = deps.inflight.begin();
  const deadline = deps.now() + answerBudgetMs;
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
    const message = await compose(deps, q, asker, deadline);
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
  } finally {
    if (reacted) {
      await client.reactions.remove({ channel: q.channel, timestamp: q.ts, name: workingReaction }).catch((error: unknown) => {
        deps.logger.warn({ ...log, error: slackError(error) }, 'could not remove the working reaction');
      });
    }
    done();
  }
}

async function compose(deps: ConversationDeps, q: Question, asker: Asker, deadline: number): Promise<SlackMessage> {
  const request = parseConversationText(q.text);
  const command = q.via === 'mention' ? '@plan' : 'dm';
  switch (request.kind) {
    case 'help':
      return conversationUsage(q.via);
    case 'unknown':
      return conversationUsage(q.via, request.word);
    case 'plan': {
      const c = request.command;
      if (c.kind === 'help') return planUsage(deps.demoAccounts);
      if (c.kind === 'invalid') return invalidAccountId(c.input);
      if (c.kind !== 'lookup') return (await runDigestCommand(deps.digests, c, asker, deadline)).message;
      return (await deps.planAnswers.forAccount(c.accountId, asker, { kind: 'thread' }, { deadline, command })).message;
    }
    case 'plans': {
      const c = request.command;
      if (c.kind === 'help') return plansUsage(deps.demoAccounts !== undefined);
      if (c.kind === 'invalid') return invalidPlansSearch(c.problem);
      return (await deps.plansAnswers.page(c.query, asker, { kind: 'thread' }, { deadline, command: `${command}s` })).message;
    }
  }
}

function slackError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
