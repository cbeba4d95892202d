import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { fakeClock } from '../helpers/fakeClock.ts';
import { samplePlans, startFakeConstantContact, type FakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const bots: TestBot[] = [];
const dirs: string[] = [];

const open = (o: Record<string, unknown> = {}) => ({ ...samplePlans.open, ...o });

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
});
afterEach(async () => {
  while (bots.length) await bots.pop()?.stop({ keepData: true });
});
afterAll(async () => {
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function boot(dataDir: string, extra: Parameters<typeof startBot>[1] = {}) {
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
    extra,
  );
  bots.push(bot);
  return bot;
}

function freshDir() {
  const d = mkdtempSync(join(tmpdir(), 'planbot-digest-'));
  dirs.push(d);
  return d;
}

async function plan(bot: TestBot, text: string, channelId: string) {
  const responseUrl = hooks.newUrl();
  await bot.command({ text, responseUrl, channelId });
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return { text: visibleText(post!.body), responseUrl };
}

const postsIn = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
const summariesIn = (channel: string) => postsIn(channel).filter((c) => !c.args.thread_ts);

describe('watching accounts and posting digests', () => {
  it('watches known accounts, refuses unknown ones with the reason, and lists them', async () => {
    cc.accounts.set('acct-w1', open());
    cc.accounts.set('acct-w2', open({ billing_status: 'Trial', billing_day_of_month: null, current_tiers: [] }));
    const bot = await boot(freshDir());
    const { text } = await plan(bot, 'watch acct-w1 acct-w2 acct-nope ../x', 'C0WATCH');
    expect(text).toContain('Now watching `acct-w1`, `acct-w2` in this channel.');
    expect(text).toMatch(
      /Not watched: `\.\.\/x` \(isn't an account id\), `acct-nope` \(not found at Constant Contact\)|Not watched: .*`acct-nope` \(not found at Constant Contact\)/,
    );
    expect(text).toContain('2 accounts are watched here.');
    const list = await plan(bot, 'watchlist', 'C0WATCH');
    expect(list.text).toContain('`acct-w1` _not in a digest yet_');
    const un = await plan(bot, 'unwatch acct-w2 acct-zzz', 'C0WATCH');
    expect(un.text).toContain('Stopped watching `acct-w2`.');
    expect(un.text).toContain("Not on this channel's list: `acct-zzz`.");
  });

  it('posts a digest now, then reports a status change on the next one', async () => {
    cc.accounts.set('acct-d1', open({ billing_status: 'Trial', billing_day_of_month: null, current_tiers: [] }));
    cc.accounts.set('acct-d2', open({ billing_day_of_month: new Date().getUTCDate() }));
    const bot = await boot(freshDir());
    await plan(bot, 'watch acct-d1 acct-d2', 'C0DIGEST');
    const first = await plan(bot, 'digest now', 'C0DIGEST');
    expect(first.text).toContain('Posting the digest in this channel now.');
    await waitFor(() => summariesIn('C0DIGEST').length === 1, 10_000, 'first digest');
    const summary = visibleText(summariesIn('C0DIGEST')[0]!.args);
    expect(summary).toContain('Plan digest · 2 watched accounts');
    expect(summary).toContain('changes are counted from now on');
    expect(summary).toMatch(/Billing in the next 7 days\*\n• `acct-d2` .*\(today\)/);
    await waitFor(() => postsIn('C0DIGEST').length === 2, 10_000, 'thread reply');
    const reply = postsIn('C0DIGEST')[1]!;
    expect(reply.args.thread_ts).toBe(summariesIn('C0DIGEST')[0]!.ts);
    expect(visibleText(reply.args as { text?: string; blocks?: unknown[] })).toContain('`acct-d1`');

    // The trial converts upstream; a digest reads every account fresh.
    cc.accounts.set('acct-d1', open({ plan_type: 'BETTER' }));
    await plan(bot, 'digest now', 'C0DIGEST');
    await waitFor(() => summariesIn('C0DIGEST').length === 2, 10_000, 'second digest');
    const second = visibleText(summariesIn('C0DIGEST')[1]!.args);
    expect(second).not.toContain('counted from now on');
    expect(second).toMatch(/`acct-d1` Trial → Open; plan Email → Email Plus/);
  });

  it('splits a long list into thread replies that each fit Block Kit', async () => {
    // Long lines: 40 accounts a reply (short ones fit 150).
    const ids = Array.from({ length: 85 }, (_, i) => `acct-l${String(i).padStart(3, '0')}`);
    for (const id of ids) cc.accounts.set(id, samplePlans.wide);
    const bot = await boot(freshDir());
    for (let i = 0; i < ids.length; i += 25) await plan(bot, `watch ${ids.slice(i, i + 25).join(' ')}`, 'C0LONG');
    await plan(bot, 'digest now', 'C0LONG');
    await waitFor(() => postsIn('C0LONG').length === 1 + 3, 20_000, 'summary and 3 replies');
    const replies = postsIn('C0LONG').slice(1);
    const summaryTs = summariesIn('C0LONG')[0]!.ts;
    expect(replies.every((r) => r.args.thread_ts === summaryTs && (r.args.blocks as unknown[]).length <= 50)).toBe(
      true,
    );
    const listed = replies.flatMap((r) => visibleText(r.args as { blocks?: unknown[] }).match(/`acct-l\d+`/g) ?? []);
    expect(new Set(listed).size).toBe(85);
    // About one message a second per channel.
    const gaps = postsIn('C0LONG')
      .slice(1)
      .map((p, i) => p.at - postsIn('C0LONG')[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  }, 30_000);

  it('sets a schedule in the person’s Slack time zone, keeps it over a restart, and runs it', async () => {
    slack.directory.users.set('U0001', { tz: 'America/New_York' });
    cc.accounts.set('acct-s1', open());
    const dir = freshDir();
    const clock = fakeClock('2026-03-06T12:00:00Z'); // Friday 07:00 in New York
    const bot = await boot(dir, { clock });
    await plan(bot, 'watch acct-s1', 'C0SCHED');
    const set = await plan(bot, 'digest weekdays 08:00', 'C0SCHED');
    expect(set.text).toContain('Digest set: weekdays at 08:00 (America/New_York) (your Slack time zone).');
    expect(set.text).toContain('next Fri, Mar 6, 08:00');
    await bot.stop({ keepData: true });
    bots.pop();

    // Restarted on the same data: the schedule is still there, and it runs at 08:00 local.
    const clock2 = fakeClock('2026-03-06T12:30:00Z');
    const again = await boot(dir, { clock: clock2 });
    const shown = await plan(again, 'digest', 'C0SCHED');
    expect(shown.text).toContain('Digest: weekdays at 08:00 (America/New_York); next Fri, Mar 6, 08:00.');
    expect(summariesIn('C0SCHED')).toHaveLength(0);
    await clock2.advanceTo('2026-03-06T13:00:00Z');
    await waitFor(() => summariesIn('C0SCHED').length === 1, 10_000, 'scheduled digest');
    const off = await plan(again, 'digest off', 'C0SCHED');
    expect(off.text).toContain('The digest for this channel is off.');
    await clock2.advanceTo('2026-03-10T13:00:00Z');
    await delay(200);
    expect(summariesIn('C0SCHED')).toHaveLength(1);
  });

  it('explains a bad time or zone with an example', async () => {
    const bot = await boot(freshDir());
    expect((await plan(bot, 'digest daily 25:00', 'C0BAD')).text).toMatch(
      /24-hour HH:MM.*For example `\/plan digest weekdays 08:30 America\/New_York`/,
    );
    expect((await plan(bot, 'digest daily 08:00 Moon/Base', 'C0BAD')).text).toMatch(
      /not a time zone I know: use an IANA name/,
    );
  });

  it('stops scheduling a channel planbot was removed from', async () => {
    cc.accounts.set('acct-g1', open());
    const bot = await boot(freshDir());
    await plan(bot, 'watch acct-g1', 'C0GONE');
    await plan(bot, 'digest daily 08:00 UTC', 'C0GONE');
    slack.scripted.set('chat.postMessage', [{ status: 200, body: { ok: false, error: 'not_in_channel' } }]);
    const { responseUrl } = await plan(bot, 'digest now', 'C0GONE');
    const posts = await hooks.waitForPost(responseUrl, 2);
    expect(visibleText(posts[1]!.body)).toContain('Invite me first: `/invite @planbot`');
    expect((await plan(bot, 'digest', 'C0GONE')).text).toContain('No digest is scheduled here yet');
  });
});

describe('digest command help', () => {
  it('asks for an account when watch has none, and /plan help mentions digests', async () => {
    const bot = await boot(freshDir());
    expect((await plan(bot, 'watch', 'C0HELP')).text).toContain(
      'Name at least one account: `/plan watch a07e1lxtnhz0`',
    );
    expect((await plan(bot, 'help', 'C0HELP')).text).toContain('/plan digest weekdays 08:30');
  });
});
