import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { fakeClock } from '../helpers/fakeClock.ts';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const bots: TestBot[] = [];

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  cc.accounts.set('a07e1lxtnhz0', samplePlans.open);
  slack.directory.usergroups.set('S0SUPPORT', ['U0GROUPIE', 'U0OTHER']);
  slack.directory.channels.set('C0SHARED', { is_ext_shared: true });
  slack.directory.users.set('U0GUEST', { team_id: 'T0PARTNER' });
  slack.directory.users.set('U0STRANGER', { team_id: 'T0001', is_stranger: true });
});
afterAll(async () => {
  for (const bot of bots) await bot.stop();
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
});

async function boot(env: Record<string, string>, extra: Parameters<typeof startBot>[1] = {}) {
  const bot = await startBot(
    {
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      SLACK_API_URL: slack.url,
      ...env,
    },
    extra,
  );
  bots.push(bot);
  return bot;
}

/** Runs `/plan` and returns what the person saw. */
async function plan(bot: TestBot, o: { text?: string; userId: string; channelId: string; teamId?: string }) {
  const responseUrl = hooks.newUrl();
  await bot.command({
    text: o.text ?? 'a07e1lxtnhz0',
    responseUrl,
    userId: o.userId,
    channelId: o.channelId,
    teamId: o.teamId,
  });
  const [post] = await hooks.waitForPost(responseUrl, 1, 15_000);
  return { text: visibleText(post!.body), body: post!.body };
}

const audits = (bot: TestBot, user: string) => bot.logs().filter((l) => l.event === 'audit' && l.user === user);

describe('with ALLOWED_USER_IDS, ALLOWED_USERGROUP_IDS and ALLOWED_CHANNEL_IDS', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await boot({
      ALLOWED_USER_IDS: 'U0ALLOWED,U0GUEST,U0STRANGER',
      ALLOWED_USERGROUP_IDS: 'S0SUPPORT',
      ALLOWED_CHANNEL_IDS: 'C0SALES,C0SHARED',
      USER_LOOKUPS_PER_MINUTE: '3',
    });
  });

  it('answers a listed person in a listed channel, and audits who saw what', async () => {
    const seen = await plan(bot, { userId: 'U0ALLOWED', channelId: 'C0SALES' });
    expect(seen.text).toContain('Email (GOOD)');
    const [line] = await waitFor(() => (audits(bot, 'U0ALLOWED').length ? audits(bot, 'U0ALLOWED') : undefined));
    expect(line).toMatchObject({
      action: 'lookup',
      command: '/plan',
      user: 'U0ALLOWED',
      team: 'T0001',
      channel: 'C0SALES',
      target: 'a07e1lxtnhz0',
      outcome: 'card',
    });
    expect(typeof line!.durationMs).toBe('number');
  });

  it('answers members of a listed user group, reading the group once for several lookups', async () => {
    const before = slack.calls.filter((c) => c.method === 'usergroups.users.list').length;
    for (let i = 0; i < 2; i++)
      expect((await plan(bot, { userId: 'U0GROUPIE', channelId: 'C0SALES' })).text).toContain('Email (GOOD)');
    expect((await plan(bot, { userId: 'U0OTHER', channelId: 'C0SALES' })).text).toContain('Email (GOOD)');
    const reads = slack.calls.filter((c) => c.method === 'usergroups.users.list').slice(before);
    expect(reads).toHaveLength(1);
    expect(reads[0]?.args.usergroup).toBe('S0SUPPORT');
  });

  it('refuses anyone else politely, without asking Constant Contact', async () => {
    const calls = cc.planRequests().length;
    const seen = await plan(bot, { userId: 'U0NOBODY', channelId: 'C0SALES' });
    expect(seen.text).toContain("aren't on the list of people who may see billing plans");
    expect(seen.body.response_type).toBe('ephemeral');
    expect(cc.planRequests()).toHaveLength(calls);
    await waitFor(() => audits(bot, 'U0NOBODY').length > 0);
    expect(audits(bot, 'U0NOBODY')[0]).toMatchObject({
      action: 'lookup',
      target: 'a07e1lxtnhz0',
      outcome: 'user_not_allowed',
    });
  });

  it('refuses a listed person in a channel that is not listed', async () => {
    const calls = cc.planRequests().length;
    const seen = await plan(bot, { userId: 'U0ALLOWED', channelId: 'C0RANDOM' });
    expect(seen.text).toContain("planbot isn't enabled in this conversation");
    expect(cc.planRequests()).toHaveLength(calls);
  });

  it('refuses people from another organization (Slack Connect), by the payload or by Slack’s profile', async () => {
    const calls = cc.planRequests().length;
    // The request names another workspace.
    expect((await plan(bot, { userId: 'U0ALLOWED', channelId: 'C0SHARED', teamId: 'T0PARTNER' })).text).toContain(
      'only shows billing plans to people in its own organization',
    );
    // The payload names ours, but Slack says the person belongs to a partner's workspace, or is a stranger.
    expect((await plan(bot, { userId: 'U0GUEST', channelId: 'C0SHARED' })).text).toContain(
      'only shows billing plans to people in its own organization',
    );
    expect((await plan(bot, { userId: 'U0STRANGER', channelId: 'C0SALES' })).text).toContain(
      'only shows billing plans to people in its own organization',
    );
    expect(cc.planRequests()).toHaveLength(calls);
    await waitFor(() => audits(bot, 'U0GUEST').length > 0);
    expect(audits(bot, 'U0GUEST')[0]).toMatchObject({ outcome: 'external_user', team: 'T0001', channel: 'C0SHARED' });
  });

  it('refuses a mention from a Slack Connect user in the thread, without a lookup', async () => {
    const calls = cc.planRequests().length;
    const ts = '1700000500.000100';
    await bot.sendEvent(
      eventEnvelope({
        type: 'app_mention',
        user: 'U0ALLOWED',
        user_team: 'T0PARTNER',
        text: '<@UBOT> plan a07e1lxtnhz0',
        channel: 'C0SALES',
        ts,
      }),
    );
    const reply = await waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts));
    expect(String(reply.args.text)).toContain('only shows billing plans to people in its own organization');
    expect(cc.planRequests()).toHaveLength(calls);
  });

  it('limits lookups per person, saying when to try again, and other people are unaffected', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push((await plan(bot, { userId: 'U0OTHER', channelId: 'C0SALES' })).text);
    // U0OTHER used one of its 3 in the group test above.
    expect(answers.slice(0, 2).every((t) => t.includes('Email (GOOD)'))).toBe(true);
    expect(answers[2]).toMatch(
      /You've made 3 lookups in the last minute, which is planbot's limit per person\. Try again in \d+ seconds\./,
    );
    expect(answers[3]).toMatch(/Try again in \d+ seconds/);
    expect((await plan(bot, { userId: 'U0ALLOWED', channelId: 'C0SALES' })).text).toContain('Email (GOOD)');
    await waitFor(() => audits(bot, 'U0OTHER').some((l) => l.outcome === 'rate_limited'));
  });
});

describe('channels shared with another organization', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await boot({});
  });

  it('answers /plan privately there, but "Share in channel" refuses to post the card', async () => {
    const seen = await plan(bot, { userId: 'U0001', channelId: 'C0SHARED' });
    expect(seen.text).toContain('Email (GOOD)');
    const calls = cc.planRequests().length;
    const shareUrl = hooks.newUrl();
    await bot.click({
      actionId: 'plan_share',
      value: 'a07e1lxtnhz0',
      userId: 'U0001',
      channelId: 'C0SHARED',
      responseUrl: shareUrl,
    });
    const [answer] = await hooks.waitForPost(shareUrl);
    expect(answer!.body.response_type).toBe('ephemeral');
    expect(visibleText(answer!.body)).toContain(
      'shared with another organization, so planbot won’t post billing plans in it',
    );
    expect(cc.planRequests()).toHaveLength(calls);
    await waitFor(() => audits(bot, 'U0001').some((l) => l.action === 'share' && l.outcome === 'external_channel'));
  });

  it('does not answer a mention there in the thread with billing data', async () => {
    const ts = '1700000600.000100';
    const envelope = {
      ...eventEnvelope({
        type: 'app_mention',
        user: 'U0001',
        text: '<@UBOT> plan a07e1lxtnhz0',
        channel: 'C0SHARED',
        ts,
      }),
      is_ext_shared_channel: true,
    };
    await bot.sendEvent(envelope);
    const reply = await waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts));
    expect(String(reply.args.text)).toContain('shared with another organization');
    expect(String(reply.args.text)).not.toContain('Email (GOOD)');
  });

  it('refuses to set up a digest there', async () => {
    const seen = await plan(bot, { text: 'watch a07e1lxtnhz0', userId: 'U0001', channelId: 'C0SHARED' });
    expect(seen.text).toContain('shared with another organization');
  });

  it('posts a shared card there when the operator allows it with ALLOW_EXTERNAL_CHANNELS', async () => {
    const open = await boot({ ALLOW_EXTERNAL_CHANNELS: 'true' });
    const shareUrl = hooks.newUrl();
    await open.click({
      actionId: 'plan_share',
      value: 'a07e1lxtnhz0',
      userId: 'U0001',
      channelId: 'C0SHARED',
      responseUrl: shareUrl,
    });
    const [answer] = await hooks.waitForPost(shareUrl);
    expect(answer!.body.response_type).toBe('in_channel');
    expect(visibleText(answer!.body)).toContain('Email (GOOD)');
  });

  it('shares in a conversation Slack will not describe (a private channel planbot is not in), and logs that it could not check', async () => {
    slack.directory.channels.set('C0PRIVATE', { error: 'channel_not_found' });
    const shareUrl = hooks.newUrl();
    await bot.click({
      actionId: 'plan_share',
      value: 'a07e1lxtnhz0',
      userId: 'U0001',
      channelId: 'C0PRIVATE',
      responseUrl: shareUrl,
    });
    const [answer] = await hooks.waitForPost(shareUrl);
    expect(answer!.body.response_type).toBe('in_channel');
    expect(bot.logs().some((l) => l.event === 'channel_unverified' && l.channel === 'C0PRIVATE')).toBe(true);
  });
});

describe('scheduled digests', () => {
  it('skip a channel that became shared with another organization, and post again once it is not', async () => {
    const clock = fakeClock('2026-03-06T12:00:00Z');
    const bot = await boot({ CC_RATE_LIMIT: '50' }, { clock });
    slack.directory.channels.set('C0FLIP', { is_ext_shared: false });
    expect((await plan(bot, { text: 'watch a07e1lxtnhz0', userId: 'U0001', channelId: 'C0FLIP' })).text).toContain(
      'Now watching',
    );
    expect((await plan(bot, { text: 'digest daily 08:00 UTC', userId: 'U0001', channelId: 'C0FLIP' })).text).toContain(
      'Digest set',
    );
    slack.directory.channels.set('C0FLIP', { is_ext_shared: true });
    await clock.advanceTo('2026-03-07T08:00:30Z'); // past the cached answer's few minutes, and the digest is due
    await waitFor(
      () => bot.logs().find((l) => l.event === 'digest' && l.channel === 'C0FLIP' && l.outcome === 'refused'),
      10_000,
      'the refused digest',
    );
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0FLIP')).toHaveLength(0);
    const audited = bot.logs().find((l) => l.event === 'audit' && l.action === 'digest_post' && l.channel === 'C0FLIP');
    expect(audited).toMatchObject({ outcome: 'refused', command: 'scheduled' });
    expect(audited?.user).toBeUndefined();

    slack.directory.channels.set('C0FLIP', { is_ext_shared: false });
    await clock.advanceTo('2026-03-08T08:00:30Z');
    await waitFor(
      () => slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0FLIP'),
      10_000,
      'the next digest',
    );
  });
});

describe('AUDIT_CHANNEL_ID', () => {
  it('gets a compact copy of the audit lines, naming people without pinging them, and no plan data', async () => {
    const bot = await boot({ AUDIT_CHANNEL_ID: 'C0AUDIT', LOG_LEVEL: 'warn' });
    await plan(bot, { userId: 'U0AUDITED', channelId: 'C0SALES' });
    await plan(bot, { text: 'not/an id!', userId: 'U0AUDITED', channelId: 'C0SALES' });
    const copy = await waitFor(
      () => slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0AUDIT'),
      15_000,
      'the audit copy',
    );
    const text = String(copy.args.text);
    expect(text).toMatch(/`\d\d:\d\d:\d\d` `U0AUDITED` \/plan `a07e1lxtnhz0` in `C0SALES` → card \(\d+ ms\)/);
    expect(text).toContain('→ invalid_input');
    expect(text).not.toContain('<@');
    expect(text).not.toContain('Email (GOOD)');
    // A quieter LOG_LEVEL keeps the audit trail.
    expect(
      bot
        .logs()
        .filter((l) => l.event === 'audit')
        .map((l) => l.outcome),
    ).toEqual(['card', 'invalid_input']);
    expect(bot.logs().filter((l) => l.level === 'info' && l.event !== 'audit')).toEqual([]);
  });
});
