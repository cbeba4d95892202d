import type { Logger } from '../logger.ts';
import type { ConstantContactClient } from '../partner/constantContact.ts';
import type { Store } from '../store/createStore.ts';
import { type AccountIndex, buildIndex } from './accountIndex.ts';
import { type AccountFinder, createAccountFinder, unconfiguredFinder } from './finder.ts';
import { createAccountIndexStore } from './indexStore.ts';
import { prepareSearch } from './search.ts';

/** The account index as a feature: the name finder people use, and the walks that keep it fresh. */
export interface AccountIndexFeature {
  finder: AccountFinder;
  /** Walks at start (unless the stored index is fresh) and then whenever it gets older than the interval. */
  start(): void;
  /** Stops the schedule and aborts a walk that is running. */
  stop(): void;
}

type Trigger = 'start' | 'schedule' | 'command';

/** Requests a day the walks cost at this interval: one per page of the account list. */
export function walkRequestsPerDay(pages: number, refreshMs: number): number | undefined {
  return refreshMs > 0 ? Math.round((pages * 86_400_000) / refreshMs) : undefined;
}

/** How often to check whether the index is older than the interval: a quarter of it, at most every 15 minutes. */
export const refreshCheckMs = (refreshMs: number) => Math.min(refreshMs / 4, 15 * 60_000);

/** Without partner credentials there is no account list to walk. */
export const unconfiguredAccountIndex: AccountIndexFeature = {
  finder: unconfiguredFinder,
  start() {},
  stop() {},
};

/**
 * The index is walked at start (unless another replica's is fresh), whenever it is older than
 * `refreshMs` (0: only on `/plan reindex`), and on `/plan reindex`; lookups use the last complete
 * one meanwhile. Whoever built it, its search is prepared here before anyone asks.
 */
export function createAccountIndexFeature(o: {
  client: Pick<ConstantContactClient, 'listAccounts'>;
  store: Store;
  refreshMs: number;
  logger: Logger;
  now: () => number;
  /** Told of each index this replica walked (the usage history records every account's count). */
  onBuilt?: (index: AccountIndex) => void;
}): AccountIndexFeature {
  const { logger } = o;
  const stopWalks = new AbortController();
  let walkPages = 0;
  let timer: NodeJS.Timeout | undefined;
  const index = createAccountIndexStore({
    store: o.store,
    build: () => {
      walkPages = 0;
      return buildIndex({
        client: o.client,
        deadlinePerPage: 60_000,
        now: o.now,
        signal: stopWalks.signal,
        onPage: (p) => (walkPages = p.pages),
      });
    },
    now: o.now,
  });

  const refresh = (trigger: Trigger) => {
    index
      .refresh(trigger === 'command' ? {} : { ifOlderThanMs: o.refreshMs })
      .then(
        (r) => {
          if (r.status !== 'built') return;
          o.onBuilt?.(r.index);
          // Each page costs one request of the partner's daily quota: the log says how much a day.
          logger.info(
            {
              event: 'account_index_refresh',
              trigger,
              accounts: r.index.accounts.length,
              pages: walkPages,
              requestsPerDay: walkRequestsPerDay(walkPages, o.refreshMs),
            },
            'account index rebuilt',
          );
        },
        (error: unknown) =>
          logger.warn(
            { event: 'account_index_failed', trigger, err: error },
            'account index rebuild failed; the last complete index stays in use',
          ),
      )
      .then(() => index.load())
      .then(
        (loaded) => loaded && prepareSearch(loaded),
        () => undefined,
      );
  };

  return {
    finder: createAccountFinder({ index, rebuild: () => refresh('command'), logger, now: o.now }),
    start() {
      if (o.refreshMs === 0) {
        // No walks: still read the stored index and prepare its search before anyone asks.
        void index.load().then(
          (loaded) => loaded && prepareSearch(loaded),
          () => undefined,
        );
        return;
      }
      refresh('start');
      timer = setInterval(() => refresh('schedule'), refreshCheckMs(o.refreshMs));
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      stopWalks.abort();
    },
  };
}
