import type { AccessGate, AccessVerdict } from '../access/accessGate.ts';
import type { IndexFacts, IndexNotReady } from '../accounts/finder.ts';
import type { RecentLookup, RecentLookups } from '../accounts/recentLookups.ts';
import type { AccountState } from '../alerts/accountState.ts';
import type { ChannelAlerts, KnownState } from '../alerts/alertStore.ts';
import { daysUntil, nextBillingDate } from '../billing/nextBillingDate.ts';
import { isBilled } from '../billing/planLabels.ts';
import { usageShare } from '../billing/usage.ts';
import type { Logger } from '../logger.ts';
import type { RadarOutcome } from './radar.ts';

/** A watched account as the Home tab shows it, from what planbot last read of it (no new request). */
export interface HomeWatchEntry {
  accountId: string;
  name: string | null;
  /** The last state planbot read, and when; undefined when it never read this account. */
  known: { state: AccountState; at: number } | undefined;
  /** A tier at 90% or more of its maximum at the last read. */
  nearLimit: boolean;
  /** The next billing date when it is within 7 days. */
  billsSoon: { date: Date; inDays: number } | undefined;
}

export type HomeOutcome =
  | { kind: 'refused'; verdict: Extract<AccessVerdict, { ok: false }> }
  | {
      kind: 'home';
      recent: RecentLookup[];
      watchlist: HomeWatchEntry[];
      /** More watched accounts than the tab lists. */
      moreWatched: number;
      alerts: ChannelAlerts | undefined;
      index: { kind: 'ready'; index: IndexFacts } | IndexNotReady | { kind: 'not_configured' };
      /** The upgrade radar; `drawing` when it took longer than the tab waits (it is kept for the next open). */
      radar: RadarOutcome | { kind: 'drawing' } | undefined;
      now: Date;
    };

/** Watched accounts the Home tab lists (each one a block; the tab holds 100). */
export const homeWatchlistShown = 40;

/** How long the Home tab waits for a radar not drawn yet: a whole book takes seconds the first time. */
export const homeRadarWaitMs = 1_500;

export interface HomeUseCase {
  /** `dmChannel`: the person's DM with planbot, whose watchlist and alert setting are theirs. */
  run(person: { userId: string; teamId: string | undefined; dmChannel: string | undefined }): Promise<HomeOutcome>;
}

export function createHomeUseCase(deps: {
  access: AccessGate;
  recent: RecentLookups;
  watchlist: (channel: string) => Promise<string[]>;
  alertSetting: (channel: string) => Promise<ChannelAlerts | undefined>;
  known: (accountId: string) => Promise<KnownState | undefined>;
  accountName: (accountId: string) => Promise<string | null>;
  indexStatus: () => Promise<{ kind: 'ready'; index: IndexFacts } | IndexNotReady | { kind: 'not_configured' }>;
  /** The radar as `/plan radar` draws it (kept for a minute, so most opens of the tab find it drawn). */
  radar?: () => Promise<RadarOutcome>;
  logger: Logger;
  now: () => number;
}): HomeUseCase {
  async function entry(accountId: string, today: Date): Promise<HomeWatchEntry> {
    const known = await deps.known(accountId).catch(() => undefined);
    const state = known?.state;
    const nearLimit = (state?.tiers ?? []).some((t) => (usageShare(t.usage ?? null, t.max) ?? 0) >= 0.9);
    let billsSoon: HomeWatchEntry['billsSoon'];
    if (state && isBilled(state.billingStatus) && typeof state.billingDay === 'number') {
      const date = nextBillingDate(state.billingDay, today);
      const inDays = daysUntil(date, today);
      if (inDays <= 7) billsSoon = { date, inDays };
    }
    return {
      accountId,
      name: await deps.accountName(accountId).catch(() => null),
      known: known ? { state: known.state, at: known.at } : undefined,
      nearLimit,
      billsSoon,
    };
  }

  /** The radar, or `drawing` when it is not ready within `waitMs` (the drawing goes on, and is kept). */
  async function radarWithin(waitMs: number): Promise<RadarOutcome | { kind: 'drawing' } | undefined> {
    if (!deps.radar) return undefined;
    const drawing = deps.radar().catch((error: unknown) => {
      deps.logger.warn({ event: 'home_radar_failed', err: error }, 'could not draw the radar for the Home tab');
      return undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<{ kind: 'drawing' }>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'drawing' }), waitMs);
    });
    try {
      return await Promise.race([drawing, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async run(person) {
      // The Home tab is the person's own: no conversation, nothing spent.
      const verdict = await deps.access.admit({
        userId: person.userId,
        userTeamId: person.teamId,
        channelId: undefined,
        visible: false,
        spends: false,
      });
      if (!verdict.ok) return { kind: 'refused', verdict };
      const radar = radarWithin(homeRadarWaitMs);
      const now = new Date(deps.now());
      const watched = person.dmChannel ? await deps.watchlist(person.dmChannel) : [];
      return {
        kind: 'home',
        recent: await deps.recent.list(person.userId),
        watchlist: await Promise.all(watched.slice(0, homeWatchlistShown).map((id) => entry(id, now))),
        moreWatched: Math.max(0, watched.length - homeWatchlistShown),
        alerts: person.dmChannel ? await deps.alertSetting(person.dmChannel) : undefined,
        index: await deps.indexStatus(),
        radar: await radar,
        now,
      };
    },
  };
}
