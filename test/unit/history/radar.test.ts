import { describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import type { PlanTier } from '../../../src/billing/plan.ts';
import type { AccountHistory } from '../../../src/history/historyStore.ts';
import { drawRadar, growthShare, outlookOf } from '../../../src/history/radar.ts';
import { utcDay, type PlanPoint, type WalkPoint } from '../../../src/history/series.ts';

/** Sunday 8 March 2026, noon UTC: the next billing on the 29th is 21 days away. */
const now = Date.UTC(2026, 2, 8, 12);
const today = utcDay(now);

const account = (id: string, billingStatus = 'Open'): PartnerAccount => ({
  id,
  organizationName: `Org ${id}`,
  siteOwnerName: null,
  billingStatus,
  subscriberCount: null,
  lastLoginDate: null,
});

/** A walk point a day for `days` days ending today, from `first` by `perDay`. */
const walk = (first: number, perDay: number, days = 14): WalkPoint[] =>
  Array.from({ length: days }, (_, i) => ({
    day: today - days + 1 + i,
    subscriberCount: Math.round(first + perDay * i),
    billingStatus: 'Open',
  }));

const contactsTier = (level: number, min: number, max: number, usage: number): PlanTier => ({
  usageType: 'CONTACTS',
  level,
  min,
  max,
  usage,
  price: 20 * level + 5,
  currency: 'USD',
});

/** A plan point `daysAgo` days ago whose contacts tier's usage is the walk's count that day. */
function readOf(w: WalkPoint[], daysAgo: number, tier: Omit<PlanTier, 'usage'> | null, billingDay = 29): PlanPoint {
  const day = today - daysAgo;
  const usage = w.find((p) => p.day === day)?.subscriberCount ?? null;
  return {
    day,
    tiers: tier ? [{ ...tier, usage }] : [{ ...contactsTier(1, 0, 500, 0), usageType: 'EMAILS', usage: 3 }],
    billingDay,
    planType: 'BETTER',
  };
}

const tier = (level: number, min: number, max: number) => {
  const { usage: _usage, ...rest } = contactsTier(level, min, max, 0);
  return rest;
};

interface Case {
  account: PartnerAccount;
  history: AccountHistory;
}

function book(): Case[] {
  const cases: Array<[string, WalkPoint[], PlanPoint[], string?]> = [];
  const add = (id: string, w: WalkPoint[], plans: (w: WalkPoint[]) => PlanPoint[] = () => [], status?: string) =>
    cases.push([id, w, plans(w), status]);
  // Passes 1,500 around Mar 12, well before billing on the 29th.
  add('soon', walk(1000, 30), (w) => [readOf(w, 1, tier(3, 1001, 1500))]);
  // Passes 1,500 around Mar 22: still before billing, but later.
  add('later', walk(1240, 10), (w) => [readOf(w, 1, tier(3, 1001, 1500))]);
  // Already past its tier's top, and still rising.
  add('over', walk(1505, 2), (w) => [readOf(w, 0, tier(3, 1001, 1500))]);
  // Rising fast and never read: its tier is unknown.
  add('fast', walk(100, 10));
  // Rising slowly and never read.
  add('slow', walk(5000, 10));
  // Rising on a wide tier it will not leave before billing.
  add('wide', walk(2000, 20), (w) => [readOf(w, 2, tier(1, 0, 100_000))]);
  // Rising; its last read is 40 days old.
  add('stale', walk(1000, 20), () => [
    { day: today - 40, tiers: [contactsTier(1, 0, 100_000, 900)], billingDay: 29, planType: 'BETTER' },
  ]);
  // Rising; read 10 days ago, and billed on the 1st since.
  add('billed', walk(3000, 40), (w) => [readOf(w, 10, tier(1, 0, 100_000), 1)]);
  // Rising; read yesterday, and its plan has no contacts tier: another read would tell nothing new.
  add('emails', walk(800, 6), (w) => [readOf(w, 1, null)]);
  // Falling about 9% a month, and about 26% a month.
  add('dips', walk(1000, -3));
  add('drops', walk(1000, -10));
  // Not moving.
  add('flat', walk(700, 0));
  // A trial: nothing to move up to.
  add('trial', walk(100, 10), () => [], 'Trial');
  // Three days of counts: no trend yet.
  add('new', walk(100, 50, 3));
  return cases.map(([id, w, plans, status]) => ({
    account: account(id, status),
    history: { accountId: id, walk: w, plans },
  }));
}

async function draw(cases: Case[], options: Parameters<typeof drawRadar>[3] = {}) {
  const byId = new Map(cases.map((c) => [c.account.id, c.history]));
  const requested: string[][] = [];
  const radar = await drawRadar(
    cases.map((c) => c.account),
    async function* (ids) {
      requested.push([...ids]);
      for (const id of ids) yield byId.get(id) as AccountHistory;
    },
    now,
    options,
  );
  return { radar, requested };
}

const ids = (list: Array<{ account: PartnerAccount }>) => list.map((o) => o.account.id);

describe('drawRadar', () => {
  it('lists likely upgrades soonest first, an account already past its maximum first of all', async () => {
    const { radar } = await draw(book());
    expect(ids(radar.likelyUp)).toEqual(['over', 'soon', 'later']);
    const [over, soon, later] = radar.likelyUp;
    expect(over?.forecast).toMatchObject({ kind: 'likely_up', alreadyOver: true, nextLevel: 4 });
    expect(soon?.forecast).toMatchObject({
      kind: 'likely_up',
      reachesMaxOn: '2026-03-12',
      nextBillingDate: '2026-03-29',
    });
    expect(later?.forecast).toMatchObject({ kind: 'likely_up', reachesMaxOn: '2026-03-22' });
  });

  it('lists the other rising accounts fastest growth first, whether or not their tier is known', async () => {
    const { radar } = await draw(book());
    expect(ids(radar.growing)).toEqual(['fast', 'stale', 'billed', 'wide', 'emails', 'slow']);
    const shares = radar.growing.map(growthShare);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(radar.growing[0]?.tier).toBeUndefined();
    expect(radar.growing.find((o) => o.account.id === 'wide')?.forecast.kind).toBe('growing');
  });

  it('lists accounts falling by more than 5% in 30 days, steepest first, and leaves out flat, trial and new ones', async () => {
    const { radar } = await draw(book());
    expect(ids(radar.shrinking)).toEqual(['drops', 'dips']);
    expect(
      radar.shrinking.map((o) => o.forecast.kind === 'shrinking' && Math.round(o.forecast.fallShare * 100)),
    ).toEqual([26, 9]);
    const listed = new Set([...radar.likelyUp, ...radar.growing, ...radar.shrinking].map((o) => o.account.id));
    for (const id of ['flat', 'trial', 'new']) expect(listed.has(id), id).toBe(false);
    expect(radar.accounts).toBe(14);
    // Everything but the trial (no line drawn) and the three-day account has a trend.
    expect(radar.withTrend).toBe(12);
    expect(radar.day).toBe('2026-03-08');
  });

  it('asks for the plans of rising accounts never read, read 30 days ago or more, or billed since their read', async () => {
    const { radar } = await draw(book());
    // Fastest first: the reads that most change what the radar can say.
    expect(radar.needsRead).toEqual(['fast', 'stale', 'billed', 'slow']);
  });

  it('keeps only `limit` of each list, the best ones, however many accounts qualify', async () => {
    const many: Case[] = Array.from({ length: 50 }, (_, i) => ({
      account: account(`g${i}`),
      history: { accountId: `g${i}`, walk: walk(1000, 5 + i), plans: [] },
    }));
    const { radar } = await draw(many, { limit: 3 });
    expect(ids(radar.growing)).toEqual(['g49', 'g48', 'g47']);
    expect(radar.needsRead).toHaveLength(50);
    expect(radar.needsRead.slice(0, 3)).toEqual(['g49', 'g48', 'g47']);
  });

  it('reads the histories in the order of the accounts, and matches each to its account', async () => {
    const cases = book();
    const { requested } = await draw(cases);
    expect(requested).toEqual([cases.map((c) => c.account.id)]);
    const outlook = outlookOf(cases[0]!.account, cases[0]!.history, now);
    expect(outlook).toMatchObject({
      usage: 1390,
      usageOn: '2026-03-08',
      tier: { level: 3, max: 1500 },
      billingDay: 29,
      readOn: '2026-03-07',
      planType: 'BETTER',
    });
  });
});
