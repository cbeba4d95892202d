import { catalogPageSize, type PlanSearchPage } from '../billing/catalog.ts';
import type { PlansQuery } from '../grammar/plansCommand.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError } from '../partner/errors.ts';
import type { RebillyClient } from '../partner/rebilly.ts';
import { type Asker, type AskOptions, type Failure, failureOf, failureOutcome } from './types.ts';

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
      const started = now();
      let outcome: PlansOutcome;
      let detail: Record<string, unknown>;
      try {
        const page = await deps.rebilly.searchPlans(
          {
            q: query.words || undefined,
            filter: query.filter,
            sort: query.sort,
            limit: catalogPageSize,
            offset: query.offset,
          },
          deadline,
        );
        outcome = { kind: 'page', page, query };
        detail = { total: page.total, shown: page.plans.length };
      } catch (error) {
        outcome = { kind: 'failed', failure: failureOf(error) };
        if (isUpstreamError(error)) {
          if (error.status !== undefined) outcome.status = error.status;
          if (error.detail !== undefined) outcome.detail = error.detail;
          if (error.retryAfterMs !== undefined) outcome.retryAfterMs = error.retryAfterMs;
          detail = { error: error.message, status: error.status, upstreamDetail: error.detail };
        } else detail = { err: error };
      }
      const name = plansOutcomeName(outcome);
      deps.onOutcome?.(command, name);
      const level = name === 'internal_error' ? 'error' : routine.has(name) ? 'info' : 'warn';
      logger[level](
        { event: 'plans_search', ...fields, outcome: name, durationMs: now() - started, ...detail },
        'plans search',
      );
      return outcome;
    },
  };
}
