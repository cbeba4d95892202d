import { describe, expect, it } from 'vitest';
import { refreshIntervalFor } from '../../../src/accounts/refreshInterval.ts';
import { accountsPageSize } from '../../../src/partner/constantContact.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

describe('the account index refresh interval at a daily quota of 10,000', () => {
  const at = (accounts: number, configuredMs = hour) =>
    refreshIntervalFor({ accounts, pageSize: accountsPageSize, dailyQuota: 10_000, configuredMs });

  it.each([
    // 20 pages a walk: 166 walks fit in a third of the quota, so the configured hour stands.
    { accounts: 1_000, ms: hour, why: 'configured', pagesPerWalk: 20 },
    // 1,000 pages a walk: 3 walks fit in 3,333 requests, one every 8 hours (not hourly: 24,000 a day).
    { accounts: 50_000, ms: 8 * hour, why: 'quota', pagesPerWalk: 1_000 },
    // 5,000 pages a walk: not one fits in a day's share; one every 5,000 ÷ 3,333 days, to the minute above.
    { accounts: 250_000, ms: 2_161 * minute, why: 'quota', pagesPerWalk: 5_000 },
  ])('$accounts accounts: every $ms ms ($why)', ({ accounts, ms, why, pagesPerWalk }) => {
    const chosen = at(accounts);
    expect(chosen).toEqual({ ms, why, pagesPerWalk, walkBudget: 3_333 });
    // Whatever the size, the walks then cost at most a third of the quota a day.
    expect((pagesPerWalk * day) / chosen.ms).toBeLessThanOrEqual(10_000 / 3);
  });

  it('keeps a configured interval that is already longer, and 0 (walked only on /plan reindex)', () => {
    expect(at(50_000, 12 * hour)).toMatchObject({ ms: 12 * hour, why: 'configured' });
    expect(at(50_000, 0)).toMatchObject({ ms: 0, why: 'configured' });
  });

  it('counts a partial page as a page, and an empty list as one page', () => {
    expect(at(1).pagesPerWalk).toBe(1);
    expect(at(0).pagesPerWalk).toBe(1);
    expect(at(50_001).pagesPerWalk).toBe(1_001);
    // 1,001 pages: 3 walks still fit (3,003 ≤ 3,333).
    expect(at(50_001).ms).toBe(8 * hour);
  });
});
