import type { SlackMessage } from '../blocks/limits.ts';
import { catalogFailure, plansNotConfigured } from '../blocks/messages.ts';
import type { Audience } from '../blocks/planCard.ts';
import { plansPage } from '../blocks/plansPage.ts';
import { type PlansQuery, pageSize } from '../commands/plansCommand.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError } from '../partner/errors.ts';
import type { RebillyClient } from '../partner/rebilly.ts';
import type { Asker } from './planAnswers.ts';

export interface PlansAnswer {
  message: SlackMessage;
  /** `page` when Rebilly answered (even with no match); otherwise the failure the person was told about. */
  outcome: string;
}

export interface PlansAnswers {
  /** One page of the catalog for this query, or a plain-words failure. Never throws. */
  page(query: PlansQuery, asker: Asker, audience: Audience, options: { deadline: number; command: string }): Promise<PlansAnswer>;
}

export function createPlansAnswers(deps: {
  rebilly: RebillyClient | undefined;
  logger: Logger;
  sample: boolean;
  now?: () => number;
}): PlansAnswers {
  const now = deps.now ?? Date.now;
  return {
    async page(query, asker, audience, { deadline, command }) {
      const started = now();
      let answer: PlansAnswer;
      let detail: Record<string, unknown> = {};
      if (!deps.rebilly) {
        answer = { message: plansNotConfigured(), outcome: 'not_configured' };
      } else {
        try {
          const page = await deps.rebilly.searchPlans(
            { q: query.words || undefined, filter: query.filter, sort: query.sort, limit: pageSize, offset: query.offset },
            deadline,
          );
          answer = { message: plansPage({ page, query, sample: deps.sample, audience }), outcome: 'page' };
          detail = { total: page.total, shown: page.plans.length };
        } catch (error) {
          if (isUpstreamError(error)) {
            answer = {
              message: catalogFailure(error.code, { status: error.status, detail: error.detail, retryAfterMs: error.retryAfterMs }),
              outcome: error.code,
            };
            detail = { error: error.message, status: error.status };
          } else {
            answer = { message: catalogFailure('internal', {}), outcome: 'internal_error' };
            detail = { err: error };
          }
        }
      }
      const level = answer.outcome === 'internal_error' ? 'error' : answer.outcome === 'page' ? 'info' : 'warn';
      deps.logger[level](
        {
          event: 'plans_search',
          command,
          user: asker.userId,
          team: asker.teamId,
          channel: asker.channelId,
          query: { words: query.words, filter: query.filter, sort: query.sort, offset: query.offset },
          outcome: answer.outcome,
          durationMs: now() - started,
          ...detail,
        },
        'plans search',
      );
      return answer;
    },
  };
}
