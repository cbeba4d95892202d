import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import { homeLimits, homeView } from '../../../src/blocks/homeView.ts';
import { limitViolations } from '../../../src/blocks/limits.ts';
import { radarCsvReply, radarMessage } from '../../../src/blocks/radarMessage.ts';
import type { AccountHistory } from '../../../src/history/historyStore.ts';
import { drawRadar } from '../../../src/history/radar.ts';
import { utcDay, type WalkPoint } from '../../../src/history/series.ts';
import type { HomeOutcome } from '../../../src/usecases/home.ts';
import type { RadarOutcome } from '../../../src/usecases/radar.ts';
import { visibleText } from '../../helpers/slack.ts';

const now = Date.UTC(2026, 2, 8, 12);
const today = utcDay(now);
const view = { now: new Date(now), sample: false };
const index = { builtAt: now - 2 * 3_600_000, accounts: 0, now };

const walk = (first: number, perDay: number, days = 14): WalkPoint[] =>
  Array.from({ length: days }, (_, i) => ({
    day: today - days + 1 + i,
    subscriberCount: Math.round(first + perDay * i),
    billingStatus: 'Open',
  }));

const account = (id: string, name: string | null): PartnerAccount => ({
  id,
  organizationName: name,
  siteOwnerName: null,
  billingStatus: 'Open',
  subscriberCount: null,
  lastLoginDate: null,
});

/** A radar over these accounts and histories, as `/plan radar` would draw it. */
async function radarOf(book: Array<[PartnerAccount, Omit<AccountHistory, 'accountId'>]>): Promise<RadarOutcome> {
  const byId = new Map(book.map(([a, h]) => [a.id, { accountId: a.id, ...h }]));
  const radar = await drawRadar(
    book.map(([a]) => a),
    async function* (ids) {
      for (const id of ids) yield byId.get(id) as AccountHistory;
    },
    now,
  );
  return { kind: 'radar', radar, index: { ...index, accounts: book.length } };
}

const tier3 = (usage: number | null) => ({
  usageType: 'CONTACTS',
  level: 3,
  min: 1001,
  max: 1500,
  usage,
  price: 65,
  currency: 'USD',
});

/** Twelve of each kind, with long and hostile names: more than a message lists. */
function fullBook(): Array<[PartnerAccount, Omit<AccountHistory, 'accountId'>]> {
  const book: Array<[PartnerAccount, Omit<AccountHistory, 'accountId'>]> = [];
  for (let i = 0; i < 12; i++) {
    const w = walk(1000 + i * 10, 30);
    book.push([
      account(`up${i}`, i === 0 ? '<!channel> Acme & <@U999> <https://evil.example|click>' : 'x'.repeat(400)),
      {
        walk: w,
        plans: [{ day: today - 1, tiers: [tier3(w.at(-2)!.subscriberCount)], billingDay: 29, planType: 'BETTER' }],
      },
    ]);
    book.push([account(`grow${i}`, `Growing ${i}`), { walk: walk(100, 5 + i), plans: [] }]);
    book.push([account(`down${i}`, null), { walk: walk(1000, -5 - i), plans: [] }]);
  }
  return book;
}

describe('radarMessage', () => {
  it('lists ten of each kind with a card button each, within Block Kit’s limits', async () => {
    const message = radarMessage(await radarOf(fullBook()), view);
    expect(limitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const buttons = message.blocks.flatMap((b) =>
      b.type === 'section' && b.accessory?.type === 'button' ? [b.accessory] : [],
    );
    expect(buttons).toHaveLength(30);
    for (const b of buttons) expect(b.action_id).toBe('radar_show_plan');
    expect(buttons.map((b) => b.value)).toContain('up0');
    const text = visibleText(message);
    expect(text).toContain('Likely to move up a tier before billing');
    expect(text).toContain('Growing fastest');
    expect(text).toContain('Shrinking');
    expect(text).toContain('36 accounts in the account index (updated 2 hours ago)');
    expect(message.text).toBe('Upgrade radar: 10 likely to move up a tier, 10 growing, 10 shrinking.');
  });

  it('escapes account names, so a name can never ping a channel or make a link', async () => {
    const message = radarMessage(await radarOf(fullBook()), view);
    const json = JSON.stringify(message);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U999>');
    expect(json).not.toContain('<https://evil');
    expect(visibleText(message)).toContain('&lt;!channel&gt; Acme &amp; &lt;@U999&gt;');
  });

  it('gives each account its figures: contacts now, the 30-day change and the key figure', async () => {
    const w = walk(1000, 30);
    const outcome = await radarOf([
      [
        account('soon', 'Soon Co'),
        {
          walk: w,
          plans: [{ day: today - 1, tiers: [tier3(w.at(-2)!.subscriberCount)], billingDay: 29, planType: 'BETTER' }],
        },
      ],
      [account('grows', 'Grows Co'), { walk: walk(1000, 12), plans: [] }],
      [account('falls', 'Falls Co'), { walk: walk(1000, -10), plans: [] }],
    ]);
    const text = visibleText(radarMessage(outcome, view));
    expect(text).toContain(
      '*Soon Co* `soon`\n1,390 contacts · +390 in 30 days · *passes 1,500*, the top of tier 3, around Mar 12; next billing Mar 29: likely to bill at tier 4',
    );
    expect(text).toContain(
      '*Grows Co* `grows`\n1,156 contacts · +156 in 30 days · *up 31% a month* · plan not read yet',
    );
    expect(text).toContain('*Falls Co* `falls`\n870 contacts · −130 in 30 days · *down 26% in 30 days* at this pace');
    expect(text).toMatch(/1 rising account has no recent plan read/);
  });

  it('says plainly why the lists are empty when there is too little history', async () => {
    const outcome = await radarOf([[account('new', 'New Co'), { walk: walk(100, 10, 3), plans: [] }]]);
    const message = radarMessage(outcome, view);
    expect(limitViolations(message)).toEqual([]);
    const text = visibleText(message);
    expect(text.match(/too little history/g)).toHaveLength(3);
    expect(text).toContain('at least 7 days of counts');
    expect(text).toContain('1 account in the account index');
    expect(text).toContain('From planbot’s usage history');
  });

  it('says why an empty list is empty once there is history', async () => {
    const text = visibleText(
      radarMessage(await radarOf([[account('flat', 'Flat Co'), { walk: walk(500, 0), plans: [] }]]), view),
    );
    expect(text).toMatch(/None: no account is on course to pass its tier’s maximum before its next billing date/);
    expect(text).toMatch(/None: no account fell by more than 5% in 30 days/);
  });

  it('says why there is no radar without an index or credentials', () => {
    expect(visibleText(radarMessage({ kind: 'index_not_ready', building: false }, view))).toMatch(
      /`\/plan reindex` builds it/,
    );
    expect(visibleText(radarMessage({ kind: 'index_not_ready', building: true }, view))).toMatch(/still being built/);
    expect(visibleText(radarMessage({ kind: 'not_configured' }, view))).toMatch(/isn't set up yet/);
    expect(visibleText(radarMessage({ kind: 'failed' }, view))).toMatch(/couldn’t read its usage history/);
  });

  it('words where the CSV went, and why it did not go', () => {
    expect(visibleText(radarCsvReply({ kind: 'uploaded', to: 'dm', channelId: 'D1', accounts: 1234, index }))).toMatch(
      /CSV \(1,234 accounts\) is in your DM with planbot/,
    );
    expect(visibleText(radarCsvReply({ kind: 'upload_failed', to: 'here', code: 'missing_scope' }))).toMatch(
      /files:write/,
    );
    expect(visibleText(radarCsvReply({ kind: 'upload_failed', to: 'here', code: '<!channel>' }))).not.toContain(
      '<!channel>',
    );
  });
});

describe('the Home tab’s radar', () => {
  it('shows three of each list with buttons to the card, and a full tab stays within 100 blocks', async () => {
    const outcome: HomeOutcome = {
      kind: 'home',
      recent: Array.from({ length: 10 }, (_, i) => ({
        accountId: `r${i}`,
        name: `Recent ${i}`,
        planType: 'GOOD',
        billingStatus: 'Open',
        at: now,
      })),
      watchlist: Array.from({ length: 40 }, (_, i) => ({
        accountId: `w${i}`,
        name: `Watched ${i}`,
        known: undefined,
        nearLimit: false,
        billsSoon: undefined,
      })),
      moreWatched: 3,
      alerts: undefined,
      index: { kind: 'ready', index: { ...index, accounts: 36 } },
      radar: await radarOf(fullBook()),
      now: new Date(now),
    };
    const home = homeView(outcome);
    expect(home.blocks.length).toBeLessThanOrEqual(homeLimits.blocks);
    expect(Buffer.byteLength(JSON.stringify(home))).toBeLessThan(homeLimits.bytes);
    const radarButtons = (home.blocks as KnownBlock[]).flatMap((b) =>
      b.type === 'section' && b.accessory?.type === 'button' && /^(up|grow|down)\d/.test(b.accessory.value ?? '')
        ? [b.accessory]
        : [],
    );
    // Soonest first (ties: fastest growth first), fastest, steepest.
    expect(radarButtons.map((b) => b.value)).toEqual([
      'up9',
      'up10',
      'up11',
      'grow11',
      'grow10',
      'grow9',
      'down11',
      'down10',
      'down9',
    ]);
    for (const b of radarButtons) expect(b.action_id).toBe('home_show_plan');
    const text = visibleText({ blocks: home.blocks });
    expect(text).toContain('Upgrade radar');
    expect(text).not.toContain('<!channel>');
    // The index line still comes last.
    expect(text).toMatch(/Account index: 36 accounts/);
  });

  it('says the radar is being drawn when it took longer than the tab waits', () => {
    const home = homeView({
      kind: 'home',
      recent: [],
      watchlist: [],
      moreWatched: 0,
      alerts: undefined,
      index: { kind: 'ready', index: { ...index, accounts: 36 } },
      radar: { kind: 'drawing' },
      now: new Date(now),
    });
    expect(visibleText({ blocks: home.blocks })).toMatch(/being drawn/);
  });
});
