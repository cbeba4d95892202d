import type { SlackMessage } from '../blocks/limits.ts';
import { lookupFailure, planNotConfigured } from '../blocks/messages.ts';
import { type Audience, planCard } from '../blocks/planCard.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError } from '../partner/errors.ts';
import type { PlanLookup } from '../partner/planLookup.ts';

/** Who asked, and where: every lookup is logged with it. */
export interface Asker {
  userId: string;
  channelId: string;
  teamId?: string;
}

export interface PlanAnswer {
  message: SlackMessage;
  /** `card` when the plan was found; otherwise the failure the person was told about. */
  outcome: string;
}

export interface PlanAnswers {
  /** The card for an account, or a plain-words failure. Never throws. */
  forAccount(accountId: string, asker: Asker, audience: Audience, options: { deadline: number; command: string }): Promise<PlanAnswer>;
}

export function createPlanAnswers(deps: {
  lookup: PlanLookup | undefined;
  logger: Logger;
  sample: boolean;
  now?: () => number;
}): PlanAnswers {
  const now = deps.now ?? Date.now;
  return {
    async forAccount(accountId, asker, audience, { deadline, command }) {
      const started = now();
      let answer: PlanAnswer;
      let detail: Record<string, unknown> = {};
      if (!deps.lookup) {
        answer = { message: planNotConfigured(), outcome: 'not_configured' };
      } else {
        try {
          const result = await deps.lookup.get(accountId, deadline);
          const message = planCard({
            accountId,
            plan: result.plan,
            fetchedAt: result.fetchedAt,
            now: new Date(now()),
            sample: deps.sample,
            audience,
          });
          answer = { message, outcome: 'card' };
        } catch (error) {
          if (isUpstreamError(error)) {
            answer = { message: lookupFailure(error.code, { accountId, status: error.status, now: new Date(now()) }), outcome: error.code };
            detail = { error: error.message, status: error.status, upstreamDetail: error.detail };
          } else {
            answer = { message: lookupFailure('internal', { accountId, now: new Date(now()) }), outcome: 'internal_error' };
            detail = { err: error };
          }
        }
      }
      const level =
        answer.outcome === 'internal_error' ? 'error' : answer.outcome === 'card' || answer.outcome === 'not_found' ? 'info' : 'warn';
      deps.logger[level](
        {
          event: 'plan_lookup',
          command,
          user: asker.userId,
          team: asker.teamId,
          channel: asker.channelId,
          account: accountId,
          outcome: answer.outcome,
          durationMs: now() - started,
          ...detail,
        },
        'plan lookup',
      );
      return answer;
    },
  };
}
