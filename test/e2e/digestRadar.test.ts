import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encode, utcDay, type WalkPoint } from '../../src/history/series.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { fakeClock } from '../helpers/fakeClock.ts';
import {
  type FakeConstantContact,
  planAtTier,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

// A Wednesday; every plan below is billed on the 29th.
const at = '2027-03-10T12:00:00Z';
const today = utcDay(Date.parse(at));
const title = 'Likely to move up a tier before billing';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const bots: TestBot[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  // Email Plus (BETTER) tier 3 is 1,001–1,500: 1,490 today.
  cc.accounts.set('acct-r-up', planAtTier(3));
  // Email (GOOD) tier 1 is 0–500: 480 today.
  cc.accounts.set('acct-r-up2', {
    ...samplePlans.open,
    current_tiers: [{ ...samplePlans.open.current_tiers[0], current_usage: 480 }],
  });
  // Email Plus tier 2 is 501–1,000: 990, near its top but not moving.
  cc.accounts.set('acct-r-flat', planAtTier(2));
  // Email Plus tier 3, 1,200 today and falling.
  const tier3 = planAtTier(3) as { current_tiers: Array<Record<string, unknown>> };
  cc.accounts.set('acct-r-down', { ...tier3, current_tiers: [{ ...tier3.current_tiers[0], current_usage: 1_200 }] });
  // Email Plus tier 4 (1,501–2,000 at $85): any read of it teaches planbot that tier's price.
  cc.accounts.set('acct-r-t4', planAtTier(4));
});
afterEach(async () => {
  while (bots.length) await bots.pop()?.stop({ keepData: true });
});
afterAll(async () => {
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The 30 days before today of contacts moving by `perDay`, `yesterday` the day before today. */
function days(yesterday: number, perDay: number): WalkPoint[] {
  return Array.from({ length: 30 }, (_, i) => ({
    day: today - 30 + i,
    subscriberCount: yesterday - perDay * (29 - i),
    billingStatus: 'Open',
  }));
}

/** A data directory whose usage history already holds these accounts' walks, as earlier days' walks left it. */
async function dataDirWith(walks: Record<string, WalkPoint[]>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-radar-'));
  dirs.push(dir);
  const store = createEmbeddedStore(dir);
  try {
    await store.blobs('history').setMany(Object.entries(walks).map(([id, walk]) => [id, encode({ walk })]));
  } finally {
    await store.close();
  }
  return dir;
}

async function boot(dataDir: string) {
  const bot = await startBot(
    {
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      SLACK_API_URL: slack.url,
      DATA_DIR: dataDir,
      CC_RATE_LIMIT: '50',
    },
    { clock: fakeClock(at) },
  );
  bots.push(bot);
  return bot;
}

async function plan(bot: TestBot, text: string, channelId: string) {
  const responseUrl = hooks.newUrl();
  await bot.command({ text, responseUrl, channelId });
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return visibleText(post!.body);
}

const postsIn = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);

/** Watches the accounts, posts a digest now, and gives its summary and thread reply as text. */
async function digestOf(bot: TestBot, channel: string, ids: string[]) {
  expect(await plan(bot, `watch ${ids.join(' ')}`, channel)).toContain('Now watching');
  await plan(bot, 'digest now', channel);
  await waitFor(() => postsIn(channel).length === 2, 15_000, 'the summary and its thread reply');
  const [summary, reply] = postsIn(channel).map((c) => visibleText(c.args as { text?: string; blocks?: unknown[] }));
  return { summary: summary!, reply: reply! };
}

describe('the digest’s likely-to-move-up section', () => {
  it('lists watched accounts whose usage history rises past their tier’s maximum before billing, soonest first', async () => {
    const dir = await dataDirWith({
      // 10 a day to 1,480 yesterday and 1,490 today: past 1,500 on Mar 12.
      'acct-r-up': days(1_480, 10),
      // 5 a day to 475 yesterday and 480 today: past 500 on Mar 15.
      'acct-r-up2': days(475, 5),
      'acct-r-flat': days(990, 0),
    });
    const bot = await boot(dir);
    // Some account's plan read showed Email Plus tier 4 and its price.
    expect(await plan(bot, 'acct-r-t4', 'C0RADAR')).toContain('acct-r-t4');

    const { summary, reply } = await digestOf(bot, 'C0RADAR', ['acct-r-up2', 'acct-r-flat', 'acct-r-up']);
    expect(summary).toContain(
      [
        `*${title}*`,
        '• `acct-r-up` reaches 1,500 around Mar 12, bills Mar 29: likely tier 4 (about $85.00 a month)',
        '• `acct-r-up2` reaches 500 around Mar 15, bills Mar 29: likely tier 2 (planbot has not seen its price yet)',
      ].join('\n'),
    );
    expect(summary).not.toMatch(/`acct-r-flat` reaches/);
    expect(summary).toContain('2 likely to move up a tier');
    expect(reply).toContain('likely to bill at tier 4 on Mar 29');
  }, 30_000);

  it('is left out when no watched account is likely to move up', async () => {
    const dir = await dataDirWith({
      'acct-r-flat': days(990, 0),
      // 10 a day down to 1,210 yesterday: 1,200 today.
      'acct-r-down': days(1_210, -10),
      // Rising 1 a day: 500 only long after the 29th.
      'acct-r-up2': days(479, 1),
    });
    const bot = await boot(dir);
    const { summary, reply } = await digestOf(bot, 'C0NORADAR', ['acct-r-flat', 'acct-r-down', 'acct-r-up2']);
    expect(summary).toContain('Plan digest · 3 watched accounts');
    expect(summary).not.toContain(title);
    expect(summary).not.toContain('likely to move up');
    expect(reply).not.toContain('likely to bill');
    expect(bot.logs().some((l) => l.event === 'digest_history_missed')).toBe(false);
  }, 30_000);
});
