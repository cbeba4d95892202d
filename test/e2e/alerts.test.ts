import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { planAtTier, startFakeConstantContact, type FakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, startFakeSlackApi, type FakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, json, serve, waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

const secret = 'hook-secret-0123456789abcdef';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const bots: TestBot[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
});
afterEach(async () => {
  while (bots.length) await bots.pop()?.stop();
});
afterAll(async () => {
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const atTier = planAtTier;

async function boot(env: Record<string, string> = {}, extra: Parameters<typeof startBot>[1] = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-alerts-'));
  dirs.push(dataDir);
  const bot = await startBot(
    {
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      SLACK_API_URL: slack.url,
      DATA_DIR: dataDir,
      CC_RATE_LIMIT: '50',
      CC_WEBHOOK_SECRET: secret,
      ...env,
    },
    extra,
  );
  bots.push(bot);
  return bot;
}

const hookOf = (bot: TestBot, s = secret) => `${bot.url}/webhooks/constant-contact/${s}`;

async function plan(bot: TestBot, text: string, channelId: string) {
  const responseUrl = hooks.newUrl();
  await bot.command({ text, responseUrl, channelId });
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return visibleText(post!.body);
}

const postsIn = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
const textOf = (call: { args: Record<string, unknown> }) => visibleText(call.args);

describe('receiving Constant Contact notifications', () => {
  it('answers 200 to a valid notification once it is stored, within a second', async () => {
    cc.accounts.set('acct-r1', atTier(1));
    const bot = await boot();
    const r = await cc.notify(hookOf(bot), { accountId: 'acct-r1', eventType: 'tier.increase' }, { maxAttempts: 1 });
    expect(r.attempts).toHaveLength(1);
    expect(r.attempts[0]!.status).toBe(200);
    expect(r.attempts[0]!.ms).toBeLessThan(1000);
    await waitFor(() => cc.planRequests('acct-r1').length === 1, 10_000, 'the plan read');
  });

  it('refuses forged, foreign, malformed and oversized notifications without reading or posting anything', async () => {
    cc.accounts.set('acct-r2', atTier(1));
    const bot = await boot({ LOG_LEVEL: 'debug' });
    await plan(bot, 'alerts all', 'C0REFUSE');
    const before = { plans: cc.planRequests().length, posts: slack.callsTo('chat.postMessage').length };
    const good = (fields: Record<string, unknown> = {}) =>
      JSON.stringify({
        url: `${cc.apiUrl}/partner/accounts/acct-r2/plan`,
        api_key: cc.apiKey,
        event_type: 'tier.increase',
        ...fields,
      });
    const cases: Array<[string, string, string, number]> = [
      ['wrong secret', hookOf(bot, 'x'.repeat(28)), good(), 404],
      ['no secret', `${bot.url}/webhooks/constant-contact/`, good(), 404],
      ['no secret, no slash', `${bot.url}/webhooks/constant-contact`, good(), 404],
      ['secret plus more', `${hookOf(bot)}/extra`, good(), 404],
      ['wrong api_key', hookOf(bot), good({ api_key: 'someone-elses-key' }), 401],
      ['not JSON', hookOf(bot), '{"url": ', 400],
      ['no url', hookOf(bot), good({ url: undefined }), 400],
      ['another resource', hookOf(bot), good({ url: `${cc.apiUrl}/partner/accounts/acct-r2/status/cancel` }), 400],
      ['a bad id', hookOf(bot), good({ url: `${cc.apiUrl}/partner/accounts/..%2F..%2Fx/plan` }), 400],
      ['oversized', hookOf(bot), good({ padding: 'x'.repeat(17 * 1024) }), 413],
    ];
    for (const [what, url, body, status] of cases) {
      const r = await cc.notifyRaw(url, body);
      expect(r.status, what).toBe(status);
      expect(r.body, what).not.toMatch(/at .*\.ts:\d+|Error:/);
    }
    await delay(4_000);
    expect(cc.planRequests().length).toBe(before.plans);
    expect(slack.callsTo('chat.postMessage').length).toBe(before.posts);
    const refusals = bot.logs().filter((l) => l.event === 'webhook_refused');
    expect(refusals.length).toBe(cases.length);
    const audit = bot.logs().filter((l) => l.event === 'audit' && l.action === 'webhook');
    expect(audit.map((l) => l.outcome).sort()).toEqual(
      [
        'invalid',
        'invalid',
        'invalid',
        'invalid',
        'not_found',
        'not_found',
        'not_found',
        'not_found',
        'too_large',
        'unauthorized',
      ].sort(),
    );
    const log = bot.rawLog.join('\n');
    expect(log).not.toContain(secret);
    expect(log).not.toContain(cc.apiKey);
    expect(log).not.toContain('someone-elses-key');
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/planbot_webhook_notifications_total\{outcome="unauthorized"\} 1/);
    expect(metrics).toMatch(/planbot_webhook_notifications_total\{outcome="not_found"\} 4/);
  });

  it('has no endpoint without CC_WEBHOOK_SECRET', async () => {
    const bot = await boot({ CC_WEBHOOK_SECRET: '' });
    const r = await cc.notifyRaw(`${bot.url}/webhooks/constant-contact/${secret}`, '{}');
    expect(r.status).toBe(404);
    expect(await plan(bot, 'alerts test', 'C0NOHOOK')).toContain('webhook endpoint is off');
  });

  it('never requests the url a notification names: it reads the plan from its own API base', async () => {
    const elsewhere: string[] = [];
    const trap = await serve((req, res) => {
      elsewhere.push(req.url ?? '');
      json(res, 200, atTier(4));
    });
    try {
      cc.accounts.set('acct-r3', atTier(2));
      const bot = await boot();
      const r = await cc.notify(
        hookOf(bot),
        { accountId: 'acct-r3', eventType: 'tier.increase', urlBase: `${trap.url}/v3` },
        { maxAttempts: 1 },
      );
      expect(r.attempts[0]!.status).toBe(200);
      await waitFor(() => cc.planRequests('acct-r3').length === 1, 10_000, 'the plan read from CC_API_URL');
      await delay(500);
      expect(elsewhere).toEqual([]);
    } finally {
      await trap.close();
    }
  });
});

describe('alerts in the channels that asked for them', () => {
  it('posts one alert saying what changed from what, however often Constant Contact sends it', async () => {
    cc.accounts.set('acct-a1', atTier(2));
    const bot = await boot();
    expect(await plan(bot, 'watch acct-a1', 'C0ALERT1')).toContain('Now watching');
    expect(await plan(bot, 'alerts on', 'C0ALERT1')).toContain('Alerts here: *on* for the 1 account watched here');
    // A person's lookup caches the old plan for a minute; the alert must not be fooled by it.
    await plan(bot, 'acct-a1', 'C0ALERT1');
    cc.accounts.set('acct-a1', atTier(3));
    await cc.notify(hookOf(bot), { accountId: 'acct-a1', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await waitFor(() => postsIn('C0ALERT1').length === 1, 15_000, 'the alert');
    const text = textOf(postsIn('C0ALERT1')[0]!);
    expect(text).toContain('moved up to tier 3 (Contacts 1,001–1,500, $65.00 a month; was tier 2, $45.00).');
    expect(text).toContain('`acct-a1`');
    expect(postsIn('C0ALERT1')[0]!.args.blocks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          accessory: expect.objectContaining({ action_id: 'alert_show_plan', value: 'acct-a1' }),
        }),
      ]),
    );
    // Constant Contact's retries and a second announcement of the same change post nothing more.
    await cc.notify(hookOf(bot), { accountId: 'acct-a1', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await cc.notify(hookOf(bot), { accountId: 'acct-a1', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await waitFor(() => cc.planRequests('acct-a1').length >= 4, 10_000, 'both notifications read');
    await delay(4_000);
    expect(postsIn('C0ALERT1')).toHaveLength(1);
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/planbot_alerts_posted_total\{kind="upgrade"\} 1/);
    const audit = bot.logs().filter((l) => l.event === 'audit');
    expect(audit.filter((l) => l.action === 'alert_post' && l.outcome === 'upgrade')).toHaveLength(1);
    expect(audit.filter((l) => l.action === 'webhook' && l.outcome === 'already_announced')).toHaveLength(2);
  });

  it('compares with the state before, when a digest read the new state before the notification came', async () => {
    cc.accounts.set('acct-a4', atTier(1));
    const bot = await boot();
    // Watching checks the id with Constant Contact: planbot now knows tier 1.
    await plan(bot, 'watch acct-a4', 'C0ALERT4');
    await plan(bot, 'alerts on', 'C0ALERT4');
    cc.accounts.set('acct-a4', atTier(2));
    // A digest reads fresh: planbot sees tier 2 before Constant Contact's notification arrives.
    await plan(bot, 'digest now', 'C0ALERT4');
    await waitFor(() => postsIn('C0ALERT4').some((c) => c.args.thread_ts), 15_000, 'the digest and its thread');
    const digestPosts = postsIn('C0ALERT4').length;
    await cc.notify(hookOf(bot), { accountId: 'acct-a4', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await waitFor(() => postsIn('C0ALERT4').length === digestPosts + 1, 15_000, 'the alert');
    expect(textOf(postsIn('C0ALERT4').at(-1)!)).toContain(
      'moved up to tier 2 (Contacts 501–1,000, $45.00 a month; was tier 1, $25.00).',
    );
  });

  it('sets aside a notification about an account Constant Contact does not know, posting nothing', async () => {
    const bot = await boot();
    await plan(bot, 'alerts all', 'C0GHOST');
    await cc.notify(hookOf(bot), { accountId: 'acct-ghost', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await waitFor(
      () => bot.logs().some((l) => l.event === 'audit' && l.action === 'webhook' && l.outcome === 'read_not_found'),
      10_000,
      'the notification set aside',
    );
    await delay(2_000);
    expect(cc.planRequests('acct-ghost')).toHaveLength(1);
    expect(postsIn('C0GHOST')).toHaveLength(0);
  });

  it('announces an account coming back to a state it had before: up, down, and up again are three alerts', async () => {
    cc.accounts.set('acct-cy', atTier(1));
    const bot = await boot();
    await plan(bot, 'watch acct-cy', 'C0CYCLE');
    await plan(bot, 'alerts on', 'C0CYCLE');
    for (const [n, level, event] of [
      [1, 2, 'tier.increase'],
      [2, 1, 'tier.decrease'],
      [3, 2, 'tier.increase'],
    ] as const) {
      cc.accounts.set('acct-cy', atTier(level));
      await cc.notify(hookOf(bot), { accountId: 'acct-cy', eventType: event }, { maxAttempts: 1 });
      await waitFor(() => postsIn('C0CYCLE').length === n, 15_000, `alert ${n}`);
    }
    expect(postsIn('C0CYCLE').map((c) => textOf(c).match(/moved (up|down) to tier \d/)?.[0])).toEqual([
      'moved up to tier 2',
      'moved down to tier 1',
      'moved up to tier 2',
    ]);
  });

  it('says when planbot knew no earlier state, and shows the current one', async () => {
    cc.accounts.set('acct-a2', atTier(4, { billing_status: 'Canceled' }));
    const bot = await boot();
    await plan(bot, 'alerts all', 'C0ALERT2');
    await cc.notify(hookOf(bot), { accountId: 'acct-a2', eventType: 'account.cancel' }, { maxAttempts: 1 });
    await waitFor(() => postsIn('C0ALERT2').length === 1, 15_000, 'the alert');
    expect(textOf(postsIn('C0ALERT2')[0]!)).toContain(
      'Constant Contact reports a cancellation. planbot knew no earlier state of this account; it is now tier 4',
    );
  });

  it('words a cancellation with the state before it', async () => {
    cc.accounts.set('acct-a3', atTier(2));
    const bot = await boot();
    await plan(bot, 'watch acct-a3', 'C0ALERT3');
    await plan(bot, 'alerts on cancellations', 'C0ALERT3');
    cc.accounts.set('acct-a3', atTier(2, { billing_status: 'Canceled' }));
    await cc.notify(hookOf(bot), { accountId: 'acct-a3', eventType: 'account.cancel' }, { maxAttempts: 1 });
    await waitFor(() => postsIn('C0ALERT3').length === 1, 15_000, 'the alert');
    expect(textOf(postsIn('C0ALERT3')[0]!)).toContain('was cancelled (was Open, Email Plus).');
  });

  it('sends each channel only the kinds and accounts it chose, DMs included', async () => {
    cc.accounts.set('acct-k1', atTier(1));
    cc.accounts.set('acct-k2', atTier(3));
    const bot = await boot();
    await plan(bot, 'alerts all downgrades', 'C0DOWNS'); // every account, downgrades only
    await plan(bot, 'watch acct-k2', 'D0PERSON'); // a person's own watchlist, in their DM with planbot
    expect(await plan(bot, 'alerts on', 'D0PERSON')).toContain('*on*');
    await plan(bot, 'alerts on', 'C0NOTHING'); // watches nothing
    cc.accounts.set('acct-k1', atTier(2));
    cc.accounts.set('acct-k2', atTier(2));
    await cc.notify(hookOf(bot), { accountId: 'acct-k1', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await cc.notify(hookOf(bot), { accountId: 'acct-k2', eventType: 'tier.decrease' }, { maxAttempts: 1 });
    await waitFor(() => postsIn('C0DOWNS').length === 1 && postsIn('D0PERSON').length === 1, 15_000, 'the alerts');
    await delay(4_000);
    expect(textOf(postsIn('C0DOWNS')[0]!)).toContain('moved down to tier 2');
    expect(textOf(postsIn('C0DOWNS')[0]!)).not.toContain('acct-k1');
    expect(textOf(postsIn('D0PERSON')[0]!)).toContain('`acct-k2`');
    expect(postsIn('C0NOTHING')).toHaveLength(0);
    expect(await plan(bot, 'alerts off', 'C0DOWNS')).toContain('Alerts here are *off*.');
    expect(await plan(bot, 'alerts', 'C0DOWNS')).toContain('Alerts here: *off*');
  });

  it('groups a burst into one summary with the details in its thread, at about a message a second', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `acct-b${i}`);
    for (const id of ids) cc.accounts.set(id, atTier(1));
    cc.accounts.set('acct-bx', atTier(2));
    const bot = await boot();
    await plan(bot, 'alerts all', 'C0BURST');
    for (const id of ids) cc.accounts.set(id, atTier(2));
    cc.accounts.set('acct-bx', atTier(2, { billing_status: 'Canceled' }));
    await Promise.all([
      ...ids.map((id) => cc.notify(hookOf(bot), { accountId: id, eventType: 'tier.increase' }, { maxAttempts: 1 })),
      cc.notify(hookOf(bot), { accountId: 'acct-bx', eventType: 'account.cancel' }, { maxAttempts: 1 }),
    ]);
    const listed = () =>
      postsIn('C0BURST')
        .filter((c) => c.args.thread_ts)
        .reduce((n, c) => n + (c.args.blocks as unknown[]).length, 0);
    await waitFor(() => listed() === 26, 30_000, 'every account listed');
    const posts = postsIn('C0BURST');
    const summaries = posts.filter((c) => !c.args.thread_ts);
    expect(summaries).toHaveLength(1);
    const replies = posts.filter((c) => c.args.thread_ts);
    expect(replies.every((r) => r.args.thread_ts === summaries[0]!.ts)).toBe(true);
    expect(replies.every((r) => (r.args.blocks as unknown[]).length <= 20)).toBe(true);
    expect(replies).toHaveLength(2);
    const gaps = posts.slice(1).map((c, i) => c.at - posts[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
    // The summary says how many, once every account is listed.
    await waitFor(
      () =>
        slack
          .callsTo('chat.update')
          .some(
            (c) =>
              c.args.channel === 'C0BURST' && /25 accounts moved up a tier, 1 was cancelled/.test(String(c.args.text)),
          ) || /25 accounts moved up a tier, 1 was cancelled/.test(String(summaries[0]!.args.text)),
      10_000,
      'the summary’s final count',
    );
  });

  it('never posts into a channel shared with another organization', async () => {
    cc.accounts.set('acct-s1', atTier(1));
    // planbot remembers for a few minutes whether a channel is shared; this clock can skip them.
    let skipped = 0;
    const bot = await boot({}, { now: () => Date.now() + skipped });
    slack.directory.channels.set('C0SHARED', { is_ext_shared: true });
    expect(await plan(bot, 'alerts all', 'C0SHARED')).toMatch(
      /shared with another organization|outside|Slack Connect/i,
    );
    // Turned on before the channel was shared: still nothing is posted there.
    await plan(bot, 'alerts all', 'C0LATER');
    slack.directory.channels.set('C0LATER', { is_ext_shared: true });
    skipped = 10 * 60_000;
    cc.accounts.set('acct-s1', atTier(2));
    await cc.notify(hookOf(bot), { accountId: 'acct-s1', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await waitFor(
      () => bot.logs().some((l) => l.event === 'alerts_not_posted' && l.channel === 'C0LATER'),
      15_000,
      'the refusal',
    );
    expect(postsIn('C0LATER')).toHaveLength(0);
    expect(postsIn('C0SHARED')).toHaveLength(0);
  });

  it('keeps a burst of notifications behind people: a lookup waits one turn at the rate gate at most', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `acct-q${i}`);
    for (const id of ids) cc.accounts.set(id, atTier(2));
    cc.accounts.set('acct-person', atTier(1));
    const bot = await boot({ CC_RATE_LIMIT: '5' });
    await Promise.all(
      ids.map((id) => cc.notify(hookOf(bot), { accountId: id, eventType: 'tier.increase' }, { maxAttempts: 1 })),
    );
    await waitFor(() => cc.planRequests().filter((r) => r.path.includes('acct-q')).length >= 3, 10_000, 'alert reads');
    const asked = Date.now();
    const answer = await plan(bot, 'acct-person', 'C0PERSON');
    expect(answer).toContain('Email Plus');
    const personAt = cc.planRequests('acct-person')[0]!.at;
    const alertReadsBetween = cc
      .planRequests()
      .filter((r) => r.path.includes('acct-q') && r.at > asked && r.at < personAt).length;
    expect(alertReadsBetween).toBeLessThanOrEqual(1);
    // And the burst is still being worked through behind it.
    expect(cc.planRequests().filter((r) => r.path.includes('acct-q')).length).toBeLessThan(ids.length);
  });

  it('takes `@planbot plan alerts …` in a channel, answering in the thread', async () => {
    const bot = await boot();
    const ts = '1700000500.000100';
    const res = await bot.sendEvent(
      eventEnvelope({
        type: 'app_mention',
        user: 'U0001',
        text: '<@UBOT> plan alerts all upgrades',
        ts,
        channel: 'C0MENTION',
      }),
    );
    expect(res.status).toBe(200);
    await waitFor(() => postsIn('C0MENTION').length === 1, 10_000, 'the answer');
    expect(postsIn('C0MENTION')[0]!.args.thread_ts).toBe(ts);
    expect(textOf(postsIn('C0MENTION')[0]!)).toContain(
      'Alerts here: *on* for every account of the partner (upgrades).',
    );
    expect(await plan(bot, 'alerts', 'C0MENTION')).toContain('*on* for every account');
  });

  it('shows the card to whoever clicks Show plan, beside the alert', async () => {
    cc.accounts.set('acct-c1', atTier(2));
    const bot = await boot();
    const responseUrl = hooks.newUrl();
    await bot.click({ actionId: 'alert_show_plan', value: 'acct-c1', responseUrl, channelId: 'C0CLICK' });
    const [post] = await hooks.waitForPost(responseUrl);
    expect(post!.body.response_type).toBe('ephemeral');
    expect(post!.body.replace_original).toBe(false);
    expect(visibleText(post!.body)).toContain('Email Plus');
  });
});

describe("when today's Constant Contact quota is spent", () => {
  it('posts each alert at once from what the notification says, naming the last known plan, and loses none', async () => {
    cc.accounts.set('acct-x1', atTier(2));
    const bot = await boot();
    // Watching checks the id with Constant Contact: planbot now knows tier 2.
    await plan(bot, 'watch acct-x1', 'C0SPENT');
    await plan(bot, 'alerts all', 'C0SPENT');
    cc.accounts.set('acct-x1', atTier(3));
    cc.state.quotaSpent = true;
    let sent: number;
    try {
      sent = Date.now();
      await cc.notify(hookOf(bot), { accountId: 'acct-x1', eventType: 'tier.increase' }, { maxAttempts: 1 });
      await waitFor(() => postsIn('C0SPENT').length === 1, 15_000, 'the alert');
    } finally {
      cc.state.quotaSpent = false;
    }
    // Posted within the dispatcher's few seconds of gathering, not held until 00:00 UTC.
    expect(postsIn('C0SPENT')[0]!.at - sent).toBeLessThan(8_000);
    expect(cc.planRequests('acct-x1')).toHaveLength(2);
    const first = textOf(postsIn('C0SPENT')[0]!);
    expect(first).toContain(
      "Tier upgrade: account `acct-x1`: Constant Contact reports a tier upgrade. planbot could not read the current plan: today's Constant Contact request quota is spent (plans can be read again after 00:00 UTC). Last known: tier 2 (Contacts 501–1,000, $45.00 a month), Open, Email Plus.",
    );
    expect(first).toContain('current plan not read');
    expect(postsIn('C0SPENT')[0]!.args.blocks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          accessory: expect.objectContaining({ action_id: 'alert_show_plan', value: 'acct-x1' }),
        }),
      ]),
    );

    // The day stays marked spent: the next notification is alerted without asking Constant Contact.
    cc.accounts.set('acct-x2', atTier(1, { billing_status: 'Canceled' }));
    await cc.notify(hookOf(bot), { accountId: 'acct-x2', eventType: 'account.cancel' }, { maxAttempts: 1 });
    await waitFor(() => postsIn('C0SPENT').length === 2, 15_000, 'the second alert');
    expect(cc.planRequests('acct-x2')).toHaveLength(0);
    expect(textOf(postsIn('C0SPENT')[1]!)).toContain(
      "Account cancelled: account `acct-x2`: Constant Contact reports a cancellation. planbot could not read the current plan: today's Constant Contact request quota is spent (plans can be read again after 00:00 UTC). planbot knew no earlier state of this account.",
    );

    // Constant Contact repeats the first notification (a new delivery): nothing new to say, no second alert.
    await cc.notify(hookOf(bot), { accountId: 'acct-x1', eventType: 'tier.increase' }, { maxAttempts: 1 });
    await waitFor(
      () => bot.logs().filter((l) => l.event === 'alert_plan_unread').length === 3,
      15_000,
      'the repeat worked on',
    );
    expect(bot.logs().filter((l) => l.event === 'alert_plan_unread')[2]).toMatchObject({
      accountId: 'acct-x1',
      why: 'quota_exceeded',
      channels: 1,
      queued: 0,
    });
    expect(cc.planRequests('acct-x1')).toHaveLength(2);

    // The audit line of a post is written once Slack has answered it: a moment after the post is seen.
    await waitFor(
      () => bot.logs().filter((l) => l.event === 'audit' && l.action === 'alert_post').length >= 2,
      5_000,
      'the audit lines',
    );
    const logs = bot.logs();
    expect(logs.filter((l) => l.event === 'alert_plan_unread')).toMatchObject([
      { accountId: 'acct-x1', eventType: 'tier.increase', why: 'quota_exceeded', code: 'quota_exceeded', queued: 1 },
      { accountId: 'acct-x2', eventType: 'account.cancel', why: 'quota_exceeded', code: 'quota_exceeded', queued: 1 },
      { accountId: 'acct-x1', eventType: 'tier.increase', why: 'quota_exceeded', code: 'quota_exceeded', queued: 0 },
    ]);
    expect(postsIn('C0SPENT')).toHaveLength(2);
    expect(logs.filter((l) => l.event === 'quota_exhausted')).toHaveLength(1);
    expect(logs.some((l) => l.event === 'alert_read_failed')).toBe(false);
    const audit = logs.filter((l) => l.event === 'audit');
    expect(audit.filter((l) => l.action === 'webhook').map((l) => l.outcome)).toEqual(
      expect.arrayContaining(['alert_upgrade_unread', 'alert_cancellation_unread']),
    );
    expect(audit.filter((l) => l.action === 'alert_post').map((l) => l.outcome)).toEqual(['upgrade', 'cancellation']);
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/planbot_alerts_posted_total\{kind="upgrade"\} 1/);
    expect(metrics).toMatch(/planbot_alerts_posted_total\{kind="cancellation"\} 1/);
  });
});

describe('subscriptions', () => {
  const publicUrl = 'https://planbot.example.com';
  const ours = `${publicUrl}/webhooks/constant-contact/${secret}`;

  it('points topics 1–4 at planbot at start, putting only those that differ', async () => {
    cc.state.subscriptions.clear();
    cc.state.subscriptions.set(1, ours);
    cc.state.subscriptions.set(2, 'https://old.example.com/hook');
    const start = cc.subscriptionRequests().length;
    const bot = await boot({ PUBLIC_URL: publicUrl });
    await waitFor(() => bot.logs().some((l) => l.event === 'subscriptions_synced'), 10_000, 'the sync');
    const made = cc.subscriptionRequests().slice(start);
    expect(made.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(made.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual([
      '/v3/partner/webhooks/subscriptions/2',
      '/v3/partner/webhooks/subscriptions/3',
      '/v3/partner/webhooks/subscriptions/4',
    ]);
    expect([1, 2, 3, 4].map((t) => cc.state.subscriptions.get(t))).toEqual([ours, ours, ours, ours]);
    expect(bot.rawLog.join('\n')).not.toContain(secret);
    await bot.stop();
    bots.length = 0;
    // A restart finds them right and changes nothing.
    const again = cc.subscriptionRequests().length;
    const second = await boot({ PUBLIC_URL: publicUrl, DATA_DIR: mkdtempSync(join(tmpdir(), 'planbot-alerts-')) });
    await waitFor(() => second.logs().some((l) => l.event === 'subscriptions_synced'), 10_000, 'the second sync');
    expect(
      cc
        .subscriptionRequests()
        .slice(again)
        .map((r) => r.method),
    ).toEqual(['GET']);
    const shown = await plan(second, 'alerts', 'C0SUBS');
    expect(shown).toContain('tier upgrades ✓');
    expect(shown).not.toContain(secret);
  });

  it('/plan alerts test asks Constant Contact for a test notification and says here when it arrived', async () => {
    cc.accounts.set('acct-t1', atTier(1));
    cc.sampleAccountId = 'acct-t1';
    const bot = await boot();
    cc.state.subscriptions.set(1, hookOf(bot));
    const answer = await plan(bot, 'alerts test', 'C0TEST');
    expect(answer).toContain('Asked Constant Contact for a test notification');
    await waitFor(() => postsIn('C0TEST').length === 1, 15_000, 'the arrival message');
    expect(textOf(postsIn('C0TEST')[0]!)).toContain('Constant Contact’s test notification arrived');
    const shown = await plan(bot, 'alerts', 'C0TEST');
    expect(shown).toContain('Last notification from Constant Contact:');
  });
});

describe('demo mode', () => {
  it('/plan alerts test moves a sample account up a tier and posts its alert', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'planbot-alerts-'));
    dirs.push(dataDir);
    const bot = await startBot({ DEMO_MODE: 'true', SLACK_API_URL: slack.url, DATA_DIR: dataDir });
    bots.push(bot);
    await plan(bot, 'watch demo-plus', 'C0DEMO');
    await plan(bot, 'alerts on', 'C0DEMO');
    expect(await plan(bot, 'alerts test', 'C0DEMO')).toContain('Demo: sample account `demo-plus` just moved up a tier');
    await waitFor(() => postsIn('C0DEMO').length === 2, 15_000, 'the arrival and the alert');
    const texts = postsIn('C0DEMO').map(textOf).join('\n');
    expect(texts).toContain('test notification arrived');
    expect(texts).toMatch(/moved up to tier 4 \(.*; was tier 3, \$65\.00\)\./);
  });
});
