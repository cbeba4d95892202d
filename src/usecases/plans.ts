import { catalogPageSize, type PlanSearchPage } from '../billing/catalog.ts';
import type { PlansQuery } from '../grammar/plansCommand.ts';
import type { Logger } from '../logger.ts';
import type { RebillyClient } from '../partner/rebilly.ts';
import { readUpstream } from './fromUpstream.ts';
import { type Asker, type AskOptions, type Failure, failureOutcome } from './types.ts';

/** One page of the Rebilly catalog for a query, or why there is none. */
export type PlansOutcome =
  | { kind: 'page'; page: PlanSearchPage; query: PlansQuery }
  | {
      kind: 'failed';
      failure: Failure;
      status?: number;
      /** Rebilly's own explanation of a refused search (shown escaped for `bad_request`). */
      detail?: string;
      retryAfterMs?: number;
    }
  | { kind: 'not_configured' };

export function plansOutcomeName(outcome: PlansOutcome): string {
  return outcome.kind === 'failed' ? failureOutcome(outcome.failure) : outcome.kind;
}

export interface PlansUseCase {
  search(query: PlansQuery, asker: Asker, options: AskOptions): Promise<PlansOutcome>;
}

const routine = new Set(['page', 'busy']);

export function createPlansUseCase(deps: {
  rebilly: RebillyClient;
  logger: Logger;
  now: () => number;
  onOutcome?: (command: string, outcome: string) => void;
}): PlansUseCase {
  const { logger, now } = deps;
  return {
    async search(query, asker, { deadline, command }) {
      const fields = {
        command,
        user: asker.userId,
        team: asker.teamId,
        channel: asker.channelId,
        query: { words: query.words, filter: query.filter, sort: query.sort, offset: query.offset },
      };
      if (!deps.rebilly.configured) {
        logger.warn({ event: 'plans_search', ...fields, outcome: 'not_configured' }, 'plans search');
        return { kind: 'not_configured' };
      }
      const read = await readUpstream({
        read: () =>
          deps.rebilly.searchPlans(
            {
              q: query.words || undefined,
              filter: query.filter,
              sort: query.sort,
              limit: catalogPageSize,
              offset: query.offset,
            },
            deadline,
          ),
        logger,
        now,
        log: { event: 'plans_search', msg: 'plans search', fields },
        success: 'page',
        routine,
        detail: (page) => ({ total: page.total, shown: page.plans.length }),
        onOutcome: (outcome) => deps.onOutcome?.(command, outcome),
      });
      if (read.ok) return { kind: 'page', page: read.value, query };
      const { status, detail, retryAfterMs } = read.error ?? {};
      return {
        kind: 'failed',
        failure: read.failure,
        ...(status !== undefined ? { status } : {}),
        ...(detail !== undefined ? { detail } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    },
  };
}
