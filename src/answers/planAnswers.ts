import { lookupFailure, planNotConfigured } from '../blocks/messages.ts';
import { type Audience, planCard } from '../blocks/planCard.ts';
import type { Logger } from '../logger.ts';
import { UpstreamError } from '../partner/errors.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import { type Answer, answerFromUpstream } from './fromUpstream.ts';

/** Who asked, and where: every lookup is logged with it. */
export interface Asker {
  userId: string;
  channelId: string;
  teamId?: string;
}

export type PlanAnswer = Answer;

export interface PlanAnswers {
  /** The card for an account, or a plain-words failure. Never throws. */
  forAccount(
    accountId: string,
    asker: Asker,
    audience: Audience,
    options: { deadline: number; command: string },
  ): Promise<PlanAnswer>;
}

export function createPlanAnswers(deps: {
  lookup: PlanLookup | undefined;
  logger: Logger;
  sample: boolean;
  now?: () => number;
  onOutcome?: (command: string, outcome: string) => void;
}): PlanAnswers {
  const now = deps.now ?? Date.now;
  return {
    async forAccount(accountId, asker, audience, { deadline, command }) {
      const fields = { command, user: asker.userId, team: asker.teamId, channel: asker.channelId, account: accountId };
      const lookup = deps.lookup;
      if (!lookup) {
        deps.logger.warn({ event: 'plan_lookup', ...fields, outcome: 'not_configured' }, 'plan lookup');
        return { message: planNotConfigured(), outcome: 'not_configured' };
      }
      return answerFromUpstream({
        fetch: () => lookup.get(accountId, deadline),
        render: (result) => ({
          message: planCard({
            accountId,
            plan: result.plan,
            fetchedAt: result.fetchedAt,
            now: new Date(now()),
            sample: deps.sample,
            audience,
          }),
          outcome: 'card',
        }),
        failure: (code, error) =>
          lookupFailure(code, {
            accountId,
            status: error instanceof UpstreamError ? error.status : undefined,
            now: new Date(now()),
          }),
        logger: deps.logger,
        now,
        onOutcome: (outcome) => deps.onOutcome?.(command, outcome),
        log: { event: 'plan_lookup', msg: 'plan lookup', fields },
        // "busy" is planbot protecting the partner's rate limit: expected under load, not a fault.
        routine: ['card', 'not_found', 'busy'],
      });
    },
  };
}
