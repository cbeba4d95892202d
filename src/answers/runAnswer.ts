import type { AccessGate } from '../access/accessGate.ts';
import type { Audit, AuditEntry } from '../audit/audit.ts';
import { refusedMessage } from '../blocks/accessMessages.ts';
import { somethingWentWrong } from '../blocks/messages.ts';
import type { Delivery, Placement } from '../deliver/delivery.ts';
import type { Inflight } from '../lifecycle/inflight.ts';
import type { Logger } from '../logger.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import type { Asker } from '../usecases/types.ts';

/**
 * A person must have an answer within 15 s of typing. Use cases get 12 s of that (queueing, token,
 * retries); the rest is for Slack's delivery and our post.
 */
export const answerBudgetMs = 12_000;

/** What every answer needs, whichever surface it came from. */
export interface AnswerDeps {
  logger: Logger;
  now: () => number;
  inflight: Inflight;
  access: AccessGate;
  audit: Audit;
}

/** Who asked, where, and how, as the surface's payload told it. */
export interface AnswerRequest {
  /** How it was asked, for the log and the audit: `/plan`, `@planbot`, `dm`, `share`, … */
  command: string;
  asker: Asker;
  /** The person's workspace as the payload gave it. */
  userTeamId: string | undefined;
  /** Every answer here is seen by the conversation (a reply in a thread). */
  visible: boolean;
  /** The payload said the conversation is shared with another organization. */
  channelExternal?: boolean;
  /** How long the request waited between its ack and its listener (ms): its 15 s started at the ack. */
  queuedMs: number;
}

/** A rendered answer and what came of it. */
export interface Reply {
  message: SlackMessage;
  /** The audit's word for what came of it (`card`, `not_found`, `watched`, …). */
  outcome: string;
  placement?: Placement;
  /** Work that goes on after the answer (`digest now`), with news to tell when it ends. */
  followUp?: () => Promise<SlackMessage | undefined>;
}

/** How to answer one request, decided from its parsed text before any work starts. */
export interface AnswerPlan {
  /** The audit line's action and target; none for help. */
  what?: Pick<AuditEntry, 'action' | 'target'>;
  /** What the access gate must allow first; none for help and invalid input, which show no data. */
  access?: { visible: boolean; spends: boolean };
  run(deadline: number): Promise<Reply>;
}

/**
 * Lets the event loop take in (and acknowledge) the requests already waiting before this one's
 * work runs: acks have Slack's 3-second deadline, answers have 15 seconds.
 */
const yieldToAcks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one answer from any surface: tracked for a clean shutdown, through the access gate, within
 * the deadline, delivered, audited with its outcome and duration. An unexpected failure is logged
 * and the person told "something went wrong", never the error itself. Never throws.
 */
export async function runAnswer(deps: AnswerDeps, request: AnswerRequest, delivery: Delivery, plan: AnswerPlan) {
  const { asker } = request;
  const label = { command: request.command, user: asker.userId, team: asker.teamId, channel: asker.channelId };
  const started = deps.now() - request.queuedMs;
  const done = deps.inflight.begin();
  let outcome: string;
  let action = plan.what;
  try {
    await yieldToAcks();
    let reply: Reply;
    try {
      reply = await answer(deps, request, plan, started + answerBudgetMs);
    } catch (error) {
      deps.logger.error({ err: error, event: 'respond_failed', ...label }, `could not answer ${label.command}`);
      action = { action: 'unknown' };
      reply = { message: somethingWentWrong(), outcome: 'internal_error', placement: 'aside' };
    }
    outcome = reply.outcome;
    try {
      await delivery.send(reply.message, reply.placement ?? 'answer');
      const news = await reply.followUp?.();
      if (news) await delivery.send(news, 'aside');
    } catch (error) {
      deps.logger.error(
        { err: error, event: 'answer_not_delivered', ...label },
        `could not deliver the answer to ${label.command}`,
      );
      outcome = 'not_posted';
    }
  } finally {
    done();
  }
  if (action) {
    deps.audit.record({ ...action, outcome, ...label, durationMs: deps.now() - started });
  }
}

async function answer(deps: AnswerDeps, request: AnswerRequest, plan: AnswerPlan, deadline: number): Promise<Reply> {
  if (plan.access) {
    const verdict = await deps.access.admit({
      userId: request.asker.userId,
      userTeamId: request.userTeamId,
      channelId: request.asker.channelId,
      visible: request.visible || plan.access.visible,
      ...(request.channelExternal !== undefined ? { channelExternal: request.channelExternal } : {}),
      spends: plan.access.spends,
    });
    if (!verdict.ok) return { message: refusedMessage(verdict), outcome: verdict.refusal, placement: 'aside' };
  }
  return plan.run(deadline);
}
