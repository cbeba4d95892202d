import { catalogFailure, plansNotConfigured } from '../blocks/messages.ts';
import type { Audience } from '../blocks/planCard.ts';
import { plansPage } from '../blocks/plansPage.ts';
import { pageSize, type PlansQuery } from '../commands/plansCommand.ts';
import type { Logger } from '../logger.ts';
import type { RebillyClient } from '../partner/rebilly.ts';
import { type Answer, answerFromUpstream } from './fromUpstream.ts';
import type { Asker } from './planAnswers.ts';

export type PlansAnswer = Answer;

export interface PlansAnswers {
  /** One page of the catalog for this query, or a plain-words failure. Never throws. */
  page(
    query: PlansQuery,
    asker: Asker,
    audience: Audience,
    options: { deadline: number; command: string },
  ): Promise<PlansAnswer>;
}

export function createPlansAnswers(deps: {
  rebilly: RebillyClient | undefined;
  logger: Logger;
  sample: boolean;
  now?: () => number;
  onOutcome?: (command: string, outcome: string) => void;
}): PlansAnswers {
  const now = deps.now ?? Date.now;
  return {
    async page(query, asker, audience, { deadline, command }) {
      const fields = {
        command,
        user: asker.userId,
        team: asker.teamId,
        channel: asker.channelId,
        query: { words: query.words, filter: query.filter, sort: query.sort, offset: query.offset },
      };
      const rebilly = deps.rebilly;
      if (!rebilly) {
        deps.logger.warn({ event: 'plans_search', ...fields, outcome: 'not_configured' }, 'plans search');
        return { message: plansNotConfigured(), outcome: 'not_configured' };
      }
      return answerFromUpstream({
        fetch: () =>
          rebilly.searchPlans(
            {
              q: query.words || undefined,
              filter: query.filter,
              sort: query.sort,
              limit: pageSize,
              offset: query.offset,
            },
            deadline,
          ),
        render: (page) => ({
          message: plansPage({ page, query, sample: deps.sample, audience }),
          outcome: 'page',
          detail: { total: page.total, shown: page.plans.length },
        }),
        failure: (code, error) =>
          catalogFailure(code, { status: error?.status, detail: error?.detail, retryAfterMs: error?.retryAfterMs }),
        logger: deps.logger,
        now,
        onOutcome: (outcome) => deps.onOutcome?.(command, outcome),
        log: { event: 'plans_search', msg: 'plans search', fields },
        routine: ['page', 'busy'],
      });
    },
  };
}
