/**
 * The usage history benchmark (`npm run bench:history`; `npm run bench` runs it last), in this
 * process, no bot: BENCH_HISTORY_ACCOUNTS (100,000) accounts with BENCH_HISTORY_DAYS (400) days of
 * history each, in the embedded SQLite store and, when REDIS_URL is set, in Redis (under a prefix
 * of its own, deleted afterwards).
 *
 * The 400 days are simulated walk by walk, in memory, with series.ts (`encode`), and written with
 * `setMany` (reported as "seed"; the bot never writes that way). Each account: a size drawn across
 * small and large lists (e^3…e^11, about 20 to 60,000 contacts); on half of the days nothing moves,
 * on most others a few sign-ups or unsubscribes in proportion to the size, about every two months
 * an import (up to +20%) and about every four months a clean-up (up to −10%); now and then the
 * status changes. One account in ten also has a plan read a week (a digest), one tier each.
 *
 * Then, timed on each store through createHistoryStore as the bot would use it:
 *
 * 1. walk: one real walk of every account on the next day (each series gets a point and loses its
 *    oldest, the window being full);
 * 2. walk again: a second walk the same day, as the hourly walks do, with one account in ten moved;
 * 3. size: the store's `bytes()` (SQLite: keys and values; Redis: MEMORY USAGE of the hash) and the
 *    SQLite file (with its WAL);
 * 4. radar: the radar drawn over every account (`drawRadar`: each history read through
 *    `histories()`, its forecast, the ranking), as `/plan radar` does on a cold cache;
 * 5. card: BENCH_HISTORY_READS (1,000) random accounts, one at a time, each the card's extra work:
 *    its `history()` read and every tier's trend and forecast (`planTrends`): p50 / p99 / max (the
 *    aim is p99 < 5 ms).
 *
 * It measures; it does not judge: exit 0 when it ran.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartnerAccount } from '../../src/billing/account.ts';
import type { PlanTier } from '../../src/billing/plan.ts';
import type { BillingPlan } from '../../src/billing/plan.ts';
import { createHistoryStore } from '../../src/history/historyStore.ts';
import { drawRadar } from '../../src/history/radar.ts';
import { planTrends } from '../../src/history/trends.ts';
import { encode, type PlanPoint, utcDay, type WalkPoint } from '../../src/history/series.ts';
import { createLogger } from '../../src/logger.ts';
import type { BlobKv } from '../../src/store/blobs.ts';
import { createEmbeddedStore, type Store } from '../../src/store/createStore.ts';
import { createRedisStore } from '../../src/store/redisStore.ts';
import { dropPrefix } from '../helpers/redis.ts';
import { envNumber, fmt, log, onAbort, printTable, runBench } from './common.ts';
import { percentile } from './load.ts';

const knobs = {
  accounts: Math.floor(envNumber('BENCH_HISTORY_ACCOUNTS', 100_000)),
  days: Math.floor(envNumber('BENCH_HISTORY_DAYS', 400)),
  reads: Math.floor(envNumber('BENCH_HISTORY_READS', 1_000)),
};
const redisUrl = process.env.REDIS_URL || undefined;
/** The first walk timed is on this day; the simulated history ends the day before. */
const now = Date.UTC(2026, 0, 15, 12);
const today = utcDay(now);
const mb = (bytes: number) => `${fmt(bytes / 1_048_576)} MB`;

/** mulberry32: every run simulates the same accounts. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Simulated {
  ids: string[];
  series: Uint8Array[];
  /** The accounts as the next walk lists them. */
  accounts: PartnerAccount[];
  walkPoints: number;
  planPoints: number;
  walkBytes: number;
  ms: number;
}

const contactsTier = (count: number): PlanTier => ({
  usageType: 'CONTACTS',
  level: count <= 500 ? 1 : count <= 2_500 ? 2 : 3,
  min: count <= 500 ? 0 : count <= 2_500 ? 501 : 2_501,
  max: count <= 500 ? 500 : count <= 2_500 ? 2_500 : 5_000,
  usage: count,
  price: count <= 500 ? 12 : count <= 2_500 ? 45 : 80,
  currency: 'USD',
});

const billingDayOf = (account: number) => 1 + (account % 28);

function simulate(): Simulated {
  const started = performance.now();
  const random = prng(20_260_115);
  const out: Simulated = { ids: [], series: [], accounts: [], walkPoints: 0, planPoints: 0, walkBytes: 0, ms: 0 };
  for (let a = 0; a < knobs.accounts; a++) {
    const id = `a${a.toString(36).padStart(4, '0')}x${Math.floor(random() * 1e6).toString(36)}`;
    let count = Math.round(Math.exp(3 + random() * 8));
    let status = random() < 0.1 ? 'Trial' : 'Open';
    const withPlans = random() < 0.1;
    const walk: WalkPoint[] = [];
    const plans: PlanPoint[] = [];
    for (let d = today - knobs.days; d < today; d++) {
      const r = random();
      if (r < 0.5) {
        // a quiet day
      } else if (r < 0.976) count += Math.round((random() - 0.45) * (4 + count * 0.003));
      else if (r < 0.992) count += Math.round(count * random() * 0.2);
      else count -= Math.round(count * random() * 0.1);
      count = Math.max(0, count);
      if (random() < 0.003) status = status === 'Open' ? 'Canceled' : 'Open';
      walk.push({ day: d, subscriberCount: count, billingStatus: status });
      if (withPlans && d % 7 === 0)
        plans.push({ day: d, tiers: [contactsTier(count)], billingDay: billingDayOf(a), planType: 'GOOD' });
    }
    const series = encode({ walk, plans });
    out.ids.push(id);
    out.series.push(series);
    out.walkPoints += walk.length;
    out.planPoints += plans.length;
    out.walkBytes += withPlans ? encode({ walk }).length : series.length;
    out.accounts.push({
      id,
      organizationName: null,
      siteOwnerName: null,
      billingStatus: status,
      subscriberCount: count + (random() < 0.5 ? 0 : Math.round((random() - 0.45) * 6)),
      lastLoginDate: null,
    });
  }
  out.ms = performance.now() - started;
  return out;
}

interface Figures {
  store: string;
  seedMs: number;
  walkMs: number;
  walkWritten: number;
  walkAgainMs: number;
  walkAgainWritten: number;
  bytes: number;
  fileBytes: number | undefined;
  radarMs: number;
  radar: { likelyUp: number; growing: number; shrinking: number; withTrend: number; needsRead: number };
  cardP50: number;
  cardP99: number;
  cardMax: number;
}

async function measure(label: string, blobs: BlobKv, sim: Simulated, fileSize?: () => number): Promise<Figures> {
  log(`${label}: seeding ${knobs.accounts.toLocaleString('en')} series…`);
  let t = performance.now();
  for (let i = 0; i < sim.ids.length; i += 1_000) {
    await blobs.setMany(sim.ids.slice(i, i + 1_000).map((id, j) => [id, sim.series[i + j] as Uint8Array]));
  }
  const seedMs = performance.now() - t;

  const history = createHistoryStore({ blobs, days: knobs.days, now: () => now });
  log(`${label}: one walk…`);
  const walk = await history.recordWalk(sim.accounts);
  if (walk.status !== 'recorded') throw new Error(`walk: ${walk.status}`);
  const random = prng(7);
  const moved = sim.accounts.map((a) =>
    random() < 0.1 ? { ...a, subscriberCount: (a.subscriberCount ?? 0) + 1 + Math.floor(random() * 5) } : a,
  );
  const again = await history.recordWalk(moved);
  if (again.status !== 'recorded') throw new Error(`walk again: ${again.status}`);

  const bytes = await history.bytes();

  log(`${label}: drawing the radar…`);
  t = performance.now();
  const radar = await drawRadar(sim.accounts, (ids) => history.histories(ids), now);
  const radarMs = performance.now() - t;
  if (radar.accounts !== sim.ids.length) throw new Error(`radar saw ${radar.accounts} of ${sim.ids.length}`);

  const times: number[] = [];
  for (let i = 0; i < knobs.reads; i++) {
    const index = Math.floor(random() * sim.ids.length);
    const id = sim.ids[index] as string;
    const account = sim.accounts[index] as PartnerAccount;
    // The plan a card has just read: the history is what it adds to it.
    const plan: BillingPlan = {
      planType: 'GOOD',
      billingStatus: 'Open',
      billingDayOfMonth: billingDayOf(index),
      tiers: [contactsTier(account.subscriberCount ?? 0)],
    };
    t = performance.now();
    const h = await history.history(id);
    const trends = planTrends(h, plan, now);
    times.push(performance.now() - t);
    if (h.walk.length !== knobs.days) throw new Error(`${id}: ${h.walk.length} walk points, expected ${knobs.days}`);
    if (trends.length !== 1 || trends[0]?.sparkline.length !== 30) throw new Error(`${id}: no trend`);
  }
  return {
    store: label,
    seedMs,
    walkMs: walk.ms,
    walkWritten: walk.written,
    walkAgainMs: again.ms,
    walkAgainWritten: again.written,
    bytes,
    fileBytes: fileSize?.(),
    radarMs,
    radar: {
      likelyUp: radar.likelyUp.length,
      growing: radar.growing.length,
      shrinking: radar.shrinking.length,
      withTrend: radar.withTrend,
      needsRead: radar.needsRead.length,
    },
    cardP50: percentile(times, 50),
    cardP99: percentile(times, 99),
    cardMax: Math.max(...times),
  };
}

async function main() {
  log(
    `usage history: ${knobs.accounts.toLocaleString('en')} accounts × ${knobs.days} days, ${knobs.reads} card reads` +
      (redisUrl ? '' : ' (REDIS_URL unset: SQLite only)'),
  );
  const sim = simulate();
  const valueBytes = sim.series.reduce((n, s) => n + s.length, 0);
  log(
    `simulated in ${fmt(sim.ms / 1000)} s: ${sim.walkPoints.toLocaleString('en')} walk points, ` +
      `${sim.planPoints.toLocaleString('en')} plan points; values ${mb(valueBytes)} ` +
      `(${fmt(valueBytes / sim.ids.length, 0)} B/account); walk sections ${fmt(sim.walkBytes / sim.walkPoints, 3)} B/point`,
  );

  const results: Figures[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-bench-history-'));
  let store: Store | undefined;
  try {
    store = createEmbeddedStore(dataDir);
    const file = join(dataDir, 'planbot.sqlite');
    const size = (path: string) => {
      try {
        return statSync(path).size;
      } catch {
        return 0;
      }
    };
    results.push(await measure('sqlite', store.blobs('history'), sim, () => size(file) + size(`${file}-wal`)));
  } finally {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (redisUrl) {
    const prefix = `planbot-bench-history-${process.pid}`;
    const forget = onAbort(() => dropPrefix(redisUrl, prefix));
    const redis = await createRedisStore({ url: redisUrl, prefix, logger: createLogger('silent') });
    try {
      results.push(await measure('redis', redis.blobs('history'), sim));
    } finally {
      await redis.close();
      await dropPrefix(redisUrl, prefix);
      forget();
    }
  }

  log();
  printTable([
    [
      'store',
      'seed (setMany)',
      'walk (new day)',
      'walk again (same day)',
      'bytes()',
      'file',
      'radar (every account)',
      'card p50 / p99 / max',
    ],
    ...results.map((r) => [
      r.store,
      `${fmt(r.seedMs / 1000)} s`,
      `${fmt(r.walkMs / 1000, 2)} s (${r.walkWritten.toLocaleString('en')} written)`,
      `${fmt(r.walkAgainMs / 1000, 2)} s (${r.walkAgainWritten.toLocaleString('en')} written)`,
      mb(r.bytes),
      r.fileBytes === undefined ? '–' : mb(r.fileBytes),
      `${fmt(r.radarMs / 1000, 2)} s (${r.radar.withTrend.toLocaleString('en')} with a trend; lists ${r.radar.likelyUp}/${r.radar.growing}/${r.radar.shrinking}; ${r.radar.needsRead.toLocaleString('en')} to read)`,
      `${fmt(r.cardP50, 2)} / ${fmt(r.cardP99, 2)} / ${fmt(r.cardMax, 2)} ms`,
    ]),
  ]);
}

runBench('history bench', main, 900_000);
