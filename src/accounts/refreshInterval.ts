const dayMs = 86_400_000;

/** The share of the daily quota index walks may use; the rest is for lookups, digests, alerts and the radar. */
export const walkShareOfQuota = 1 / 3;

export interface RefreshInterval {
  /** How old the index may get before it is walked again. */
  ms: number;
  /** `configured`: ACCOUNT_INDEX_REFRESH_MINUTES is within the walks' share; `quota`: stretched to fit it. */
  why: 'configured' | 'quota';
  /** Requests one walk costs: one per page. */
  pagesPerWalk: number;
  /** Requests a day the walks may use. */
  walkBudget: number;
}

/**
 * The refresh interval that keeps index walks within a third of the daily quota at the current
 * number of accounts: the configured one when it already does, else 24 h ÷ the walks that fit
 * (whole walks a day), or, when not even one walk fits in a day's share, as many days as the walk
 * needs, rounded up to the minute. `configuredMs` 0 (walked only on `/plan reindex`) stays 0.
 */
export function refreshIntervalFor(o: {
  accounts: number;
  pageSize: number;
  dailyQuota: number;
  configuredMs: number;
}): RefreshInterval {
  const pagesPerWalk = Math.max(1, Math.ceil(o.accounts / o.pageSize));
  const walkBudget = Math.floor(o.dailyQuota * walkShareOfQuota);
  const walksPerDay = Math.floor(walkBudget / pagesPerWalk);
  const fits =
    walksPerDay >= 1
      ? Math.ceil(dayMs / walksPerDay)
      : Math.ceil((dayMs * pagesPerWalk) / Math.max(1, walkBudget) / 60_000) * 60_000;
  if (o.configuredMs === 0 || o.configuredMs >= fits)
    return { ms: o.configuredMs, why: 'configured', pagesPerWalk, walkBudget };
  return { ms: fits, why: 'quota', pagesPerWalk, walkBudget };
}
