import type { Logger } from '../logger.ts';
import { accountsPageSize, type ConstantContactClient } from '../partner/constantContact.ts';
import { isUpstreamError } from '../partner/errors.ts';
import type { Store } from '../store/createStore.ts';
import { type AccountIndex, buildIndex, IndexBuildError } from './accountIndex.ts';
import { type AccountFinder, createAccountFinder, unconfiguredFinder } from './finder.ts';
import { createAccountIndexStore } from './indexStore.ts';
import { refreshIntervalFor } from './refreshInterval.ts';
import { prepareSearchInSlices } from './search.ts';

/** The account index as a feature: the name finder people use, and the walks that keep it fresh. */
export interface AccountIndexFeature {
  finder: AccountFinder;
  /** Walks at start (unless the stored index is fresh) and then whenever it gets older than the interval. */
  start(): void;
  /** Stops the schedule and aborts a walk that is running. */
  stop(): void;
  /** The last walk any replica finished or gave up, and whether one is running now. */
  walks(): Promise<{ last: LastWalk | undefined; running: boolean }>;
  /** The refresh interval in force: the configured one, or the one the daily quota stretched it to. */
  interval(): IntervalInForce;
}

export interface IntervalInForce {
  /** 0: walked only on `/plan reindex`. */
  ms: number;
  /** `quota`: stretched past ACCOUNT_INDEX_REFRESH_MINUTES to keep walks within a third of the daily quota. */
  why: 'configured' | 'quota';
  /** ACCOUNT_INDEX_REFRESH_MINUTES, in ms. */
  configuredMs: number;
}

type Trigger = 'start' | 'schedule' | 'command';

/** One walk of the account list, kept for `/plan status` (walks cost the daily quota: their size matters). */
export interface LastWalk {
  trigger: Trigger;
  startedAt: number;
  finishedAt: number;
  pages: number;
  outcome: 'built' | 'failed';
  /** Built: how many accounts it found. */
  accounts?: number;
  /** Failed: why (`quota_exceeded`, `offset_repeated`, `aborted`, …). */
  failure?: string;
}

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
  async walks() {
    return { last: undefined, running: false };
  },
  interval: () => ({ ms: 0, why: 'configured', configuredMs: 0 }),
};

/** Why a walk stopped, in one word: the upstream failure when Constant Contact refused a page. */
function walkFailure(error: unknown): string {
  if (!(error instanceof IndexBuildError)) return 'store';
  return error.code === 'upstream' && isUpstreamError(error.cause) ? error.cause.code : error.code;
}

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
  /** Told of each walk that stopped before its last page, with why. */
  onWalkFailed?: (failure: string) => void;
  /** CC_DAILY_QUOTA: the interval stretches so walks use at most a third of it; unset: `refreshMs` as it is. */
  dailyQuota?: number;
}): AccountIndexFeature {
  const { logger } = o;
  const stopWalks = new AbortController();
  let walkPages = 0;
  /** When this replica's latest walk began, and how many it has begun (a refresh that began none has no walk to record). */
  let walkStarted = 0;
  let walksBegun = 0;
  let timer: NodeJS.Timeout | undefined;
  /** `refreshMs`, or longer once the number of accounts says walks that often would spend too much of the quota. */
  let refreshMs = o.refreshMs;
  let refreshWhy: IntervalInForce['why'] = 'configured';
  /** Chooses the interval for an index of `accounts`; logged after each walk here, and when it changes. */
  const chooseInterval = (accounts: number, walked: boolean) => {
    if (o.dailyQuota === undefined || o.refreshMs === 0) return;
    const chosen = refreshIntervalFor({
      accounts,
      pageSize: accountsPageSize,
      dailyQuota: o.dailyQuota,
      configuredMs: o.refreshMs,
    });
    const changed = chosen.ms !== refreshMs;
    refreshMs = chosen.ms;
    refreshWhy = chosen.why;
    if (!walked && !changed) return;
    logger.info(
      {
        event: 'index_refresh_interval',
        accounts,
        pagesPerWalk: chosen.pagesPerWalk,
        intervalMinutes: Math.round(chosen.ms / 60_000),
        configuredMinutes: Math.round(o.refreshMs / 60_000),
        why: chosen.why,
        walkBudget: chosen.walkBudget,
        dailyQuota: o.dailyQuota,
      },
      chosen.why === 'quota'
        ? 'account index refresh interval stretched: walks that often would spend more than a third of the daily quota'
        : 'account index refresh interval as configured: walks stay within a third of the daily quota',
    );
  };
  // Shared by the replicas, like the index: any of them can say how the last walk went.
  const walkLog = o.store.namespace('account-walks');
  const recordWalk = (walk: LastWalk) =>
    walkLog
      .set('last', walk)
      .then(() => undefined)
      .catch((error: unknown) => logger.warn({ event: 'walk_unrecorded', err: error }, 'could not record the walk'));
  const index = createAccountIndexStore({
    store: o.store,
    build: () => {
      walkPages = 0;
      walkStarted = o.now();
      walksBegun++;
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
    const begunBefore = walksBegun;
    index
      .refresh(trigger === 'command' ? {} : { ifOlderThanMs: refreshMs })
      .then(
        async (r) => {
          if (r.status !== 'built') return;
          await recordWalk({
            trigger,
            startedAt: walkStarted,
            finishedAt: o.now(),
            pages: walkPages,
            outcome: 'built',
            accounts: r.index.accounts.length,
          });
          o.onBuilt?.(r.index);
          chooseInterval(r.index.accounts.length, true);
          // Each page costs one request of the partner's daily quota: the log says how much a day.
          logger.info(
            {
              event: 'account_index_refresh',
              trigger,
              accounts: r.index.accounts.length,
              pages: walkPages,
              durationMs: o.now() - walkStarted,
              requestsPerDay: walkRequestsPerDay(walkPages, refreshMs),
            },
            'account index rebuilt',
          );
        },
        async (error: unknown) => {
          const walked = walksBegun !== begunBefore;
          const pages = error instanceof IndexBuildError ? error.pages : walkPages;
          if (walked) {
            const failure = walkFailure(error);
            o.onWalkFailed?.(failure);
            await recordWalk({
              trigger,
              startedAt: walkStarted,
              finishedAt: o.now(),
              pages,
              outcome: 'failed',
              failure,
            });
          }
          logger.warn(
            {
              event: 'account_index_failed',
              trigger,
              ...(walked ? { pages, durationMs: o.now() - walkStarted } : {}),
              err: error,
            },
            'account index rebuild failed; the last complete index stays in use',
          );
        },
      )
      .then(() => index.load())
      .then(
        (loaded) => {
          // Another replica's walk (or the last run's) sets the interval here too.
          if (loaded) chooseInterval(loaded.accounts.length, false);
          return loaded && prepareSearchInSlices(loaded);
        },
        () => undefined,
      );
  };

  return {
    finder: createAccountFinder({ index, rebuild: () => refresh('command'), logger, now: o.now }),
    start() {
      if (o.refreshMs === 0) {
        // No walks: still read the stored index and prepare its search before anyone asks.
        void index.load().then(
          (loaded) => loaded && prepareSearchInSlices(loaded),
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
    async walks() {
      const [last, running] = await Promise.all([walkLog.get<LastWalk>('last'), index.building().catch(() => false)]);
      return { last, running };
    },
    interval: () => ({ ms: refreshMs, why: refreshWhy, configuredMs: o.refreshMs }),
  };
}
