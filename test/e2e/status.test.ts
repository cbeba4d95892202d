import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { limitViolations } from '../../src/blocks/limits.ts';
import type { SlackMessage } from '../../src/slackApi/message.ts';
import { startBot, type TestBot } from '../helpers/bot.ts';
import {
  type FakeConstantContact,
  partnerAccount,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

const admin = 'U0ADMIN';
const secret = 'status-hook-secret-0123456789';
const publicUrl = 'https://planbot.example.com';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const bots: TestBot[] = [];

beforeAll(async () => {
  cc = await startFakeConstantContact();
  cc.partnerAccounts = Array.from({ length: 120 }, (_, i) => partnerAccount(i));
  cc.accounts.set('a00000000007', samplePlans.open);
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
});
afterEach(async () => {
  while (bots.length) await bots.pop()?.stop();
});
afterAll(async () => {
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
});

async function boot(env: Record<string, string> = {}) {
  const bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    SLACK_API_URL: slack.url,
    CC_RATE_LIMIT: '50',
    ADMIN_USER_IDS: `${admin}, U0OTHERADMIN`,
    ...env,
  });
  bots.push(bot);
  return bot;
}

async function ask(bot: TestBot, text: string, userId: string, channelId = 'C0OPS') {
  const responseUrl = hooks.newUrl();
  const ack = await bot.command({ text, responseUrl, userId, channelId });
  expect(ack.status).toBe(200);
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return post!.body;
}

const auditOf = (bot: TestBot) => bot.logs().filter((l) => l.event === 'audit' && l.action === 'status');

describe('/plan status', () => {
  it('shows an admin the build, the token, the index, digests, alerts and the last hour’s errors, privately', async () => {
    const bot = await boot({
      ACCOUNT_INDEX_REFRESH_MINUTES: '60',
      CC_WEBHOOK_SECRET: secret,
      PUBLIC_URL: publicUrl,
      PLANBOT_COMMIT: 'abc1234def',
    });
    await waitFor(() => bot.logs().some((l) => l.event === 'account_index_refresh'), 15_000, 'the first walk');
    await waitFor(() => bot.logs().some((l) => l.event === 'subscriptions_synced'), 10_000, 'the subscription sync');
    // A digest scheduled in a channel, and a lookup Constant Contact fails four times (three retries).
    expect(visibleText(await ask(bot, 'digest daily 08:30 UTC', admin, 'C0DIGEST'))).toContain('Digest set');
    cc.state.scripted.set(
      'a00000000042',
      Array.from({ length: 4 }, () => ({ status: 500, body: { error: 'boom' } })),
    );
    expect(visibleText(await ask(bot, 'a00000000042', admin))).not.toContain('Billing plan');

    const body = await ask(bot, 'status', admin);
    const text = visibleText(body);
    expect(body.response_type).toBe('ephemeral');
    expect(limitViolations(body as unknown as SlackMessage)).toEqual([]);
    expect(body.blocks!.length).toBeLessThanOrEqual(50);

    expect(text).toContain('*Version*\n`0.1.0` · commit `abc1234def`');
    expect(text).toContain('*Mode*\nHTTP · embedded store (SQLite)');
    expect(text).toContain('*Store*\nok');
    expect(text).toMatch(/\*Partner token\*\nfetched (just now|1 minute ago) · expires in (59|60) minutes \(/);
    expect(text).toContain('*Rate limit*\n50 requests a second, for this replica');
    expect(text).toContain('*Accounts*\n120');
    expect(text).toMatch(/\*Last walk\*\n3 pages in [\d.]+ s, (just now|1 minute ago), at start/);
    expect(text).toMatch(/\*Next walk\*\ndue in (59|60) minutes/);
    expect(text).toContain('*Subscriptions*\ntopics 1–4 point at planbot');
    expect(text).toContain('*Last notification*\nnone yet');
    expect(text).toMatch(
      /\*Digests\*: 1 scheduled, on this process’s timers\n• <#C0DIGEST> daily at 08:30 \(UTC\) · not posted yet · next in \d+/,
    );
    expect(text).toContain('*Retries in the last hour*\n3: Constant Contact `upstream` ×3');
    expect(text).toContain('*Errors in the last hour*\n• Constant Contact lookup failed: `upstream` ×1');
    // Every attempt counts against the daily quota: the walk's 3 pages, and the failed lookup's 4 tries.
    expect(text).toMatch(/\*Daily quota\* \(UTC day \d{4}-\d\d-\d\d, resets at midnight UTC\)/);
    expect(text).toContain('*By purpose*\nlookups 4 · index walks 3 · ');
    expect(text).toMatch(/\*Left\*\n9,9\d\d/);
    // The token, the credentials and the webhook's secret are never shown.
    const raw = JSON.stringify(body);
    for (const hidden of ['jwt-', cc.clientSecret, secret, 'xoxb-']) expect(raw).not.toContain(hidden);

    expect(auditOf(bot).map((l) => [l.user, l.outcome])).toEqual([[admin, 'report']]);
    // Nothing was spent on Constant Contact to answer.
    const requests = cc.state.requests.length;
    await ask(bot, 'status', 'U0OTHERADMIN');
    expect(cc.state.requests.length).toBe(requests);
  });

  it('times the next walk from the interval the daily quota stretched, not ACCOUNT_INDEX_REFRESH_MINUTES', async () => {
    // 120 accounts are 3 pages a walk; a third of 30 a day is 10 requests: 3 walks a day, every 8 hours.
    const bot = await boot({ ACCOUNT_INDEX_REFRESH_MINUTES: '60', CC_DAILY_QUOTA: '30' });
    await waitFor(() => bot.logs().some((l) => l.event === 'index_refresh_interval'), 15_000, 'the chosen interval');
    expect(bot.logs().find((l) => l.event === 'index_refresh_interval')).toMatchObject({
      intervalMinutes: 480,
      why: 'quota',
    });
    expect(bot.logs().find((l) => l.event === 'account_index_refresh')).toMatchObject({
      pages: 3,
      durationMs: expect.any(Number),
    });
    const text = visibleText(await ask(bot, 'status', admin));
    expect(text).toContain(
      '*Next walk*\ndue in 8 hours\nstretched to 8 h to keep walks within a third of the daily quota (`ACCOUNT_INDEX_REFRESH_MINUTES` is 60)',
    );
  });

  it('shows a walk Constant Contact stopped as the last walk, an error and a 429', async () => {
    cc.state.scriptedPages.set(50, [
      { status: 429, body: { error_key: 'quota_exceeded', error_message: 'Daily quota exceeded' } },
    ]);
    const bot = await boot({ ACCOUNT_INDEX_REFRESH_MINUTES: '60' });
    await waitFor(() => bot.logs().some((l) => l.event === 'account_index_failed'), 15_000, 'the failed walk');
    expect(bot.logs().find((l) => l.event === 'account_index_failed')).toMatchObject({
      pages: 1,
      durationMs: expect.any(Number),
    });
    const text = visibleText(await ask(bot, 'status', admin));
    expect(text).toContain('*Accounts*\nnot built yet');
    expect(text).toMatch(
      /\*Last walk\*\n:warning: failed after 1 page \(`quota_exceeded`\) in [\d.]+ s, just now, at start/,
    );
    expect(text).toContain('*429s in the last hour*\n1: Constant Contact ×1');
    expect(text).toContain('• Account index walk failed: `quota_exceeded` ×1');
  });

  it('counts Slack Web API failures among the last hour’s errors: access checks and posts alike', async () => {
    const bot = await boot();
    // The admin's own profile is read (and cached) first, so the failures below are someone else's.
    await ask(bot, 'status', admin);
    // Slack cannot say who a person is; their lookup still goes on.
    slack.scripted.set('users.info', [{ status: 200, body: { ok: false, error: 'user_not_found' } }]);
    expect(visibleText(await ask(bot, 'a00000000007', 'U0NEWCOMER'))).toContain('a00000000007');
    // A mention in a channel Slack will not describe, whose answer Slack then refuses.
    slack.directory.channels.set('C0GONE', { error: 'channel_not_found' });
    slack.scripted.set('chat.postMessage', [{ status: 200, body: { ok: false, error: 'not_in_channel' } }]);
    await bot.sendEvent(
      eventEnvelope({
        type: 'app_mention',
        channel: 'C0GONE',
        user: admin,
        text: '<@UBOT> plan a00000000007',
        ts: '1700000300.000300',
      }),
    );
    await waitFor(() => bot.logs().some((l) => l.event === 'answer_not_delivered'), 10_000, 'the refused post');

    const text = visibleText(await ask(bot, 'status', admin));
    expect(text).toContain('• Slack `users.info` failed: `user_not_found` ×1');
    expect(text).toContain('• Slack `conversations.info` failed: `channel_not_found` ×1');
    expect(text).toContain('• Slack `chat.postMessage` failed: `not_in_channel` ×1');
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toContain('planbot_slack_api_errors_total{method="users.info",error="user_not_found"} 1');
    expect(metrics).toContain('planbot_slack_api_errors_total{method="chat.postMessage",error="not_in_channel"} 1');
  });

  it('refuses anyone not in ADMIN_USER_IDS politely, showing none of it', async () => {
    const bot = await boot();
    const body = await ask(bot, 'status', 'U0SOMEONE');
    const text = visibleText(body);
    expect(body.response_type).toBe('ephemeral');
    expect(text).toContain('Sorry, `/plan status` is only for the people who run planbot.');
    expect(text).toContain('ask an operator to add you to `ADMIN_USER_IDS`');
    for (const detail of ['0.1.0', 'Partner token', 'Account index', 'Errors in the last hour', 'U0ADMIN'])
      expect(text).not.toContain(detail);
    expect(auditOf(bot).map((l) => [l.user, l.outcome])).toEqual([['U0SOMEONE', 'not_admin']]);
  });

  it('refuses everyone when ADMIN_USER_IDS is unset', async () => {
    const bot = await boot({ ADMIN_USER_IDS: '' });
    for (const user of [admin, 'U0SOMEONE']) {
      const text = visibleText(await ask(bot, 'status', user));
      expect(text).toContain('ask an operator to add you to `ADMIN_USER_IDS`');
      expect(text).not.toContain('Version');
    }
  });

  it('answers an admin’s DM with the report, and a mention in a channel with where to ask instead', async () => {
    const bot = await boot();
    const dmTs = '1700000100.000100';
    await bot.sendEvent(
      eventEnvelope({
        type: 'message',
        channel_type: 'im',
        channel: 'D0ADMIN',
        user: admin,
        text: 'plan status',
        ts: dmTs,
      }),
    );
    const mentionTs = '1700000200.000200';
    await bot.sendEvent(
      eventEnvelope({ type: 'app_mention', channel: 'C0OPS', user: admin, text: '<@UBOT> status', ts: mentionTs }),
    );
    const posted = (channel: string) =>
      slack.callsTo('chat.postMessage').find((c) => c.args.channel === channel && c.args.blocks !== undefined);
    await waitFor(() => posted('D0ADMIN') !== undefined && posted('C0OPS') !== undefined, 10_000, 'both answers');

    const dm = visibleText(posted('D0ADMIN')!.args);
    expect(dm).toContain('planbot status');
    expect(dm).toContain('*Version*\n`0.1.0`');
    const inChannel = visibleText(posted('C0OPS')!.args);
    expect(inChannel).toContain("so I won't post it in this conversation");
    expect(inChannel).toContain('`/plan status`');
    expect(inChannel).not.toContain('Version');
    expect(posted('C0OPS')!.args.thread_ts).toBe(mentionTs);
  });
});
