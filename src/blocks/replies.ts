import type { ReindexResult } from '../accounts/finder.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import type { PlanOutcome } from '../usecases/plan.ts';
import type { PlansOutcome } from '../usecases/plans.ts';
import {
  candidatesMessage,
  indexNotReady,
  noMatchMessage,
  reindexMessage,
  withIndexNote,
  withNoIndexNote,
} from './accountMatches.ts';
import { catalogFailure, lookupFailure, planNotConfigured, plansNotConfigured } from './messages.ts';
import { type Audience, planCard } from './planCard.ts';
import { plansPage } from './plansPage.ts';

/** How a reply is shown: who sees it, and the moment it describes. */
export interface View {
  audience: Audience;
  now: Date;
  /** Demo mode: every answer says it is sample data. */
  sample: boolean;
}

/** `/plan <account>` and a picked or shared card. */
export function planReply(outcome: PlanOutcome, view: View): SlackMessage {
  switch (outcome.kind) {
    case 'card': {
      const card = planCard({ ...outcome, now: view.now, sample: view.sample, audience: view.audience });
      return outcome.foundBy ? withIndexNote(card, outcome.foundBy) : card;
    }
    case 'failed': {
      const ctx = {
        accountId: outcome.accountId,
        now: view.now,
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      };
      const message = lookupFailure(outcome.failure, ctx);
      return outcome.noIndex ? withNoIndexNote(message, outcome.noIndex.building) : message;
    }
    case 'not_configured':
      return planNotConfigured();
    case 'candidates':
      return candidatesMessage(outcome, 'plan');
    case 'no_match':
      return noMatchMessage(outcome);
    case 'index_not_ready':
      return indexNotReady(outcome.building);
  }
}

/** `/plan reindex`. */
export function reindexReply(result: ReindexResult): SlackMessage {
  return result.kind === 'not_configured' ? planNotConfigured() : reindexMessage(result.status, result.index);
}

/** `/plans <search>` and its Prev/Next/Share. */
export function plansReply(outcome: PlansOutcome, view: View): SlackMessage {
  switch (outcome.kind) {
    case 'page':
      return plansPage({ page: outcome.page, query: outcome.query, sample: view.sample, audience: view.audience });
    case 'failed':
      return catalogFailure(outcome.failure, outcome);
    case 'not_configured':
      return plansNotConfigured();
  }
}
