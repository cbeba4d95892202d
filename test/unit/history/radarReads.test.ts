import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import type { BillingPlan } from '../../../src/billing/plan.ts';
import { createHistoryStore } from '../../../src/history/historyStore.ts';
import { createRadarReads } from '../../../src/history/radarReads.ts';
import { createLogger } from '../../../src/logger.ts';
import type { PlanLookup } from '../../../src/partner/planLookup.ts';
import { createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';
import { waitFor } from '../../helpers/http.ts';

const dayMs = 86_400_000;
const start = Date.UTC(2030, 4, 1, 12);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const account = (i: number, subscriberCount: number): PartnerAccount => ({
  id: `acct${i}`,
  organizationName: `Org ${i}`,
  siteOwnerName: null,
  billingStatus: 'Open',
  subscriberCount,
  lastLoginDate: null,
});

const plan: BillingPlan = {
  planType: 'BETTER',
  billingStatus: 'Open',
  billingDayOfMonth: 29,
  tiers: [{ usageType: 'CONTACTS', level: 2, min: 501, max: 100_000, usage: 900, price: 45, currency: 'USD' }],
};

/** A store whose history holds a week of counts for `rising` accounts that gain a contact a day per index. */
async function weekOfCounts(rising: number) {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-radar-reads-'));
  const store = createEmbeddedStore(dir);
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => store.close(),
  );
  let now = start;
  const history = createHistoryStore({ blobs: store.blobs('history'), days: 400, now: () => now });
  let accounts: PartnerAccount[] = [];
  for (let d = 0; d < 7; d++) {
    now = start + d * dayMs;
    accounts = Array.from({ length: rising }, (_, i) => account(i, 1000 + d * (i + 1) * 5));
    await history.recordWalk(accounts);
  }
  return { store, history, accounts, now: () => now };
}

/** A plan lookup that takes `ms` per read, as a slow Constant Contact would. */
function slowLookup(ms: number) {
  const reads: string[] = [];
  const lookup: PlanLookup = {
    configured: true,
    async get(accountId) {
      reads.push(accountId);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { plan, fetchedAt: Date.now() };
    },
  };
  return { lookup, reads };
}

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    }),
  );
  return { logger, runs: () => lines.filter((l) => l.event === 'radar_reads') };
}

function reads(
  o: { store: Store; history: ReturnType<typeof createHistoryStore>; now: () => number },
  lookup: PlanLookup,
  perDay: number,
) {
  const log = capturedLogger();
  const job = createRadarReads({
    perDay,
    lookup,
    histories: (ids) => o.history.histories(ids),
    store: o.store,
    spent: o.store.durable('radar-reads'),
    logger: log.logger,
    now: o.now,
  });
  job.start();
  cleanups.push(() => job.stop(1_000));
  return { job, ...log };
}

describe('the radar’s plan reads', () => {
  it('stop promptly: the read in hand ends, and no other starts', async () => {
    const book = await weekOfCounts(5);
    const slow = slowLookup(300);
    const { job, runs } = reads(book, slow.lookup, 500);
    job.afterWalk(book.accounts);
    await waitFor(() => slow.reads.length === 1, 5_000, 'the first read');
    const started = performance.now();
    await job.stop(5_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(runs()).toEqual([expect.objectContaining({ candidates: 5, read: 1, ended: 'stopped' })]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(slow.reads).toHaveLength(1);
  });

  it('run on one replica at a time: another replica’s walk meanwhile reads nothing', async () => {
    const book = await weekOfCounts(4);
    const slow = slowLookup(50);
    const one = reads(book, slow.lookup, 500);
    const two = reads(book, slow.lookup, 500);
    one.job.afterWalk(book.accounts);
    await waitFor(() => slow.reads.length === 1, 5_000, 'the first read');
    two.job.afterWalk(book.accounts);
    await waitFor(() => one.runs().length === 1 && two.runs().length === 1, 5_000, 'both runs');
    expect(two.runs()[0]).toMatchObject({ ended: 'other_replica' });
    expect(slow.reads.sort()).toEqual(['acct0', 'acct1', 'acct2', 'acct3']);
  });

  it('keep the day’s count in the store: a restart the same day does not get the budget again', async () => {
    const book = await weekOfCounts(5);
    const slow = slowLookup(1);
    const before = reads(book, slow.lookup, 3);
    before.job.afterWalk(book.accounts);
    await waitFor(() => before.runs()[0], 5_000, 'the first run');
    expect(before.runs()[0]).toMatchObject({ read: 3, spentToday: 3, ended: 'budget' });
    await before.job.stop(1_000);

    const after = reads(book, slow.lookup, 3);
    after.job.afterWalk(book.accounts);
    await waitFor(() => after.runs()[0], 5_000, 'the run after the restart');
    expect(after.runs()[0]).toMatchObject({ read: 0, spentToday: 3, ended: 'budget' });
    expect(slow.reads).toHaveLength(3);
  });

  it('read nothing at all when RADAR_PLAN_READS_PER_DAY is 0', async () => {
    const book = await weekOfCounts(3);
    const slow = slowLookup(1);
    const { job, runs } = reads(book, slow.lookup, 0);
    job.afterWalk(book.accounts);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs()).toEqual([]);
    expect(slow.reads).toEqual([]);
  });
});
