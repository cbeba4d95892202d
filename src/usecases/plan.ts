import type {
  AccountFinder,
  Candidates,
  IndexFacts,
  IndexNotReady,
  NoMatch,
  ReindexResult,
  Resolution,
} from '../accounts/finder.ts';
import type { BillingPlan } from '../billing/plan.ts';
import type { KnownTier } from '../history/tierPrices.ts';
import type { TierTrend } from '../history/trends.ts';
import type { Logger } from '../logger.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import { readUpstream } from './fromUpstream.ts';
import { type Asker, type AskOptions, type Failure, failureOutcome } from './types.ts';

/** What the account's usage history says of each tier of a plan just read. */
export interface CardTrends {
  /** In the plan's order, one for each tier. */
  tiers: Array<{
    trend: TierTrend;
    /** For a tier likely to move up: the tier above on the same plan, when planbot has seen its price. */
    nextTier?: KnownTier;
  }>;
}

/** How long a card waits for the history before it goes without trends: they must never slow it. */
export const trendsWaitMs = 150;

/** One account's plan, or why it can't be shown. */
export type CardOutcome =
  | {
      kind: 'card';
      accountId: string;
      plan: BillingPlan;
      /** When Constant Contact was read (epoch ms). */
      fetchedAt: number;
      /** Found by name: how old the index it was found in is. */
      foundBy?: IndexFacts;
      /** Absent when the history could not be read in time (or is not kept). */
      trends?: CardTrends;
    }
  | {
      kind: 'failed';
      accountId: string;
      failure: Failure;
      /** The HTTP status Constant Contact answered, when it did. */
      status?: number;
      /** The words were not found as an id and there is no index to search them as a name. */
      noIndex?: { building: boolean };
    }
  | { kind: 'not_configured' };

/** `/plan <words>`: the card, several candidates, or why there is neither. */
export type PlanOutcome = CardOutcome | Candidates | NoMatch | IndexNotReady;

export interface PlanUseCases {
  /** An account by id or by name. */
  find(
    request: { kind: 'lookup'; accountId: string } | { kind: 'find'; words: string },
    asker: Asker,
    options: AskOptions,
  ): Promise<PlanOutcome>;
  /** The account a message's text names (the message shortcut). */
  fromText(text: string, asker: Asker, options: AskOptions): Promise<PlanOutcome>;
  /** One account's card, by its id (a picked candidate, a shared card). */
  card(accountId: string, asker: Asker, options: AskOptions): Promise<CardOutcome>;
  /** `/plan reindex`: rebuilds the account index in the background. */
  reindex(): Promise<ReindexResult>;
}

/** The audit's word for what came of it. */
export function planOutcomeName(outcome: PlanOutcome): string {
  return outcome.kind === 'failed' ? failureOutcome(outcome.failure) : outcome.kind;
}

/** Failures that are routine (logged at info): "busy" is planbot protecting the partner's rate limit. */
const routine = new Set(['card', 'not_found', 'busy']);

export function createPlanUseCases(deps: {
  lookup: PlanLookup;
  finder: AccountFinder;
  logger: Logger;
  now: () => number;
  /** Told of every lookup's outcome (metrics). */
  onOutcome?: (command: string, outcome: string) => void;
  /** Told of every card a person got (their recent lookups). */
  onCard?: (asker: Asker, accountId: string, plan: BillingPlan, fetchedAt: number) => void;
  /** Each tier's trend for a plan just read, from the account's history. */
  trends?: (accountId: string, plan: BillingPlan, fetchedAt: number) => Promise<CardTrends | undefined>;
}): PlanUseCases {
  const { logger, now } = deps;

  /** The trends, or undefined when they fail or take longer than `trendsWaitMs`: the card goes on without them. */
  async function trendsOf(accountId: string, plan: BillingPlan, fetchedAt: number): Promise<CardTrends | undefined> {
    if (!deps.trends) return undefined;
    const unread = (reason: string, error?: unknown) => {
      logger.warn(
        { event: 'history_unread', account: accountId, reason, err: error },
        'card shown without usage trends',
      );
      return undefined;
    };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), trendsWaitMs);
    });
    try {
      const reading = deps.trends(accountId, plan, fetchedAt);
      const result = await Promise.race([reading, late]);
      if (result === 'late') {
        // Still running: its outcome no longer matters, but it must not surface as an unhandled rejection.
        reading.catch(() => undefined);
        return unread('timeout');
      }
      return result;
    } catch (error) {
      return unread('failed', error);
    } finally {
      clearTimeout(timer);
    }
  }

  async function card(accountId: string, asker: Asker, { deadline, command }: AskOptions): Promise<CardOutcome> {
    const fields = { command, user: asker.userId, team: asker.teamId, channel: asker.channelId, account: accountId };
    if (!deps.lookup.configured) {
      logger.warn({ event: 'plan_lookup', ...fields, outcome: 'not_configured' }, 'plan lookup');
      return { kind: 'not_configured' };
    }
    const read = await readUpstream({
      read: () => deps.lookup.get(accountId, deadline),
      logger,
      now,
      log: { event: 'plan_lookup', msg: 'plan lookup', fields },
      success: 'card',
      routine,
      onOutcome: (outcome) => deps.onOutcome?.(command, outcome),
    });
    if (read.ok) {
      const { plan, fetchedAt } = read.value;
      deps.onCard?.(asker, accountId, plan, fetchedAt);
      const trends = await trendsOf(accountId, plan, fetchedAt);
      return { kind: 'card', accountId, plan, fetchedAt, ...(trends ? { trends } : {}) };
    }
    const status = read.error?.status;
    return { kind: 'failed', accountId, failure: read.failure, ...(status !== undefined ? { status } : {}) };
  }

  async function answer(resolved: Resolution, asker: Asker, options: AskOptions): Promise<PlanOutcome> {
    switch (resolved.kind) {
      case 'account': {
        const outcome = await card(resolved.accountId, asker, options);
        if (outcome.kind === 'card' && resolved.foundBy) return { ...outcome, foundBy: resolved.foundBy };
        // Not an id, and no index yet to look it up as a name: say why names don't work yet.
        if (outcome.kind === 'failed' && outcome.failure === 'not_found' && resolved.noIndex) {
          return { ...outcome, noIndex: resolved.noIndex };
        }
        return outcome;
      }
      case 'not_configured':
        // Without partner credentials there is nothing to search; the lookup says so.
        return card('', asker, options);
      default:
        return resolved;
    }
  }

  return {
    card,
    find: async (request, asker, options) => answer(await deps.finder.resolve(request), asker, options),
    fromText: async (text, asker, options) => answer(await deps.finder.inText(text), asker, options),
    reindex: () => deps.finder.reindex(),
  };
}
