import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../src/billing/account.ts';
import { type AccountHistory, createHistoryStore } from '../../src/history/historyStore.ts';
import { drawRadar, outlookOf } from '../../src/history/radar.ts';
import { encode, isoDay, utcDay } from '../../src/history/series.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { startBot } from '../helpers/bot.ts';
import { fakeClock } from '../helpers/fakeClock.ts';
import { waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-demo-history-'));
  dirs.push(dir);
  return dir;
};

/** The sample accounts as the index lists them (the radar takes their billing status from here). */
const accounts: PartnerAccount[] = [
  ['demo-email', 'Open'],
  ['demo-plus', 'Open'],
  ['demo-gold', 'Open'],
  ['demo-trial', 'Trial'],
  ['demo-ended', 'Trial End'],
  ['demo-canceled', 'Canceled'],
].map(([id, billingStatus]) => ({
  id: id as string,
  organizationName: null,
  siteOwnerName: null,
  billingStatus: billingStatus as string,
  subscriberCount: null,
  lastLoginDate: null,
}));

/** Starts demo mode on `dataDir` at `at`, then stops it; resolves with its log. */
async function runDemo(dataDir: string, at: string) {
  const bot = await startBot({ DEMO_MODE: 'true', DATA_DIR: dataDir }, { clock: fakeClock(at) });
  await bot.stop({ keepData: true });
  return bot.logs();
}

/** What the bot left in the data directory's usage history, read as of `at`. */
async function storedHistory(dataDir: string, at: string) {
  const store = createEmbeddedStore(dataDir);
  try {
    const history = createHistoryStore({ blobs: store.blobs('history'), days: 400, now: () => Date.parse(at) });
    const byId = new Map<string, AccountHistory>();
    for await (const h of history.histories(accounts.map((a) => a.id))) byId.set(h.accountId, h);
    const bytes = await store.blobs('history').getMany(accounts.map((a) => a.id));
    return { byId, bytes };
  } finally {
    await store.close();
  }
}

describe('demo mode’s sample history', () => {
  // The 31st is demo-plus's billing day; Feb 28 and 29 are too (a 31st falls on a month's last day).
  it.each([
    '2026-01-31T09:00:00Z',
    '2026-02-28T23:30:00Z',
    '2028-02-29T00:10:00Z',
    '2026-03-15T12:00:00Z',
    '2026-03-16T12:00:00Z',
    '2026-12-31T22:00:00Z',
  ])('on %s: 60 days before today, with one account likely to move up, one growing and one shrinking', async (at) => {
    const dataDir = freshDir();
    const logs = await runDemo(dataDir, at);
    expect(logs.find((l) => l.event === 'sample_history')).toMatchObject({ accounts: 6 });
    const { byId } = await storedHistory(dataDir, at);
    const now = Date.parse(at);
    const today = utcDay(now);
    const sixtyDays = Array.from({ length: 60 }, (_, i) => today - 60 + i);
    for (const id of ['demo-email', 'demo-plus', 'demo-gold']) {
      const h = byId.get(id)!;
      expect(h.walk.map((p) => p.day)).toEqual(sixtyDays);
      expect(h.plans.map((p) => p.day)).toEqual(sixtyDays);
      expect(h.plans.every((p) => p.billingDay !== null && p.planType !== null && p.tiers.length > 0)).toBe(true);
    }
    // Each line ends where the sample API's numbers are today.
    expect(byId.get('demo-plus')!.walk.at(-1)!.subscriberCount).toBeGreaterThan(2_500);
    expect(byId.get('demo-plus')!.walk.at(-1)!.subscriberCount).toBeLessThan(2_540);

    const kind = (id: string) =>
      outlookOf(
        accounts.find((a) => a.id === id)!,
        byId.get(id)!,
        now,
      ).forecast.kind;
    expect([kind('demo-plus'), kind('demo-email'), kind('demo-gold')]).toEqual(['likely_up', 'growing', 'shrinking']);

    const radar = await drawRadar(
      accounts,
      async function* (ids) {
        for (const id of ids) yield byId.get(id)!;
      },
      now,
    );
    expect(radar.likelyUp.map((o) => o.account.id)).toEqual(['demo-plus']);
    expect(radar.growing.map((o) => o.account.id)).toEqual(['demo-email']);
    expect(radar.shrinking.map((o) => o.account.id)).toEqual(['demo-gold']);
    expect(radar.day).toBe(isoDay(today));
  });

  it('fills only missing days, keeps points already there, and adds nothing on a restart', async () => {
    const at = '2026-06-10T08:00:00Z';
    const today = utcDay(Date.parse(at));
    const dataDir = freshDir();
    // A live walk and plan read of demo-email three days ago, before any sample history.
    const store = createEmbeddedStore(dataDir);
    const real = {
      walk: [{ day: today - 3, subscriberCount: 999, billingStatus: 'Open' }],
      plans: [
        {
          day: today - 3,
          tiers: [{ usageType: 'CONTACTS', level: 1, min: 0, max: 500, usage: 999, price: 20, currency: 'USD' }],
          billingDay: 15,
          planType: 'GOOD',
        },
      ],
    };
    await store.blobs('history').setMany([['demo-email', encode(real)]]);
    await store.close();

    const first = await runDemo(dataDir, at);
    expect(first.find((l) => l.event === 'sample_history')!.added).toBeGreaterThan(0);
    const before = await storedHistory(dataDir, at);
    const email = before.byId.get('demo-email')!;
    expect(email.walk).toHaveLength(60);
    expect(email.walk.find((p) => p.day === today - 3)).toEqual(real.walk[0]);
    expect(email.plans.find((p) => p.day === today - 3)?.tiers[0]?.usage).toBe(999);

    const second = await runDemo(dataDir, '2026-06-10T20:00:00Z');
    expect(second.find((l) => l.event === 'sample_history')).toMatchObject({ added: 0 });
    const after = await storedHistory(dataDir, at);
    expect(after.bytes).toEqual(before.bytes);
  });

  it('shows the likely move up in a digest, with the next tier’s price from the sample plans', async () => {
    const hooks = await startResponseUrlReceiver();
    const bot = await startBot(
      { DEMO_MODE: 'true', DATA_DIR: freshDir() },
      // A billing day of demo-plus (the 31st).
      { clock: fakeClock('2027-01-31T10:00:00Z') },
    );
    try {
      for (const text of ['watch demo-email demo-plus demo-gold', 'digest now']) {
        const responseUrl = hooks.newUrl();
        await bot.command({ text, responseUrl, channelId: 'C0DEMORADAR' });
        await hooks.waitForPost(responseUrl);
      }
      const posts = () => bot.slack!.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0DEMORADAR');
      await waitFor(() => posts().length >= 1, 15_000, 'the digest');
      const summary = visibleText(posts()[0]!.args);
      expect(summary).toContain(
        '*Likely to move up a tier before billing*\n• `demo-plus` past 2,500 since Jan 27, bills Jan 31: likely tier 4 (about $85.00 a month)',
      );
      expect(summary).not.toMatch(/`demo-(email|gold)` (reaches|past)/);
    } finally {
      await bot.stop();
      await hooks.close();
    }
  }, 30_000);
});
