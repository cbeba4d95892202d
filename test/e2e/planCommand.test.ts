import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { signedHeaders, slashCommandBody, startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;

beforeAll(async () => {
  cc = await startFakeConstantContact();
  hooks = await startResponseUrlReceiver();
  cc.accounts.set('a07e1lxtnhz0', samplePlans.open);
  cc.accounts.set('a07e1trial00', samplePlans.trial);
  cc.accounts.set('a07e1hostile', {
    plan_type: '<!channel> PLATINUM',
    billing_status: 'Open <@U999>',
    billing_day_of_month: 31,
    current_tiers: [
      {
        usage_type: '<https://evil.example|click me>',
        current_usage: 480,
        tier: 2,
        tier_min: 0,
        tier_max: 500,
        price: 12.5,
        currency_code: 'EUR',
      },
    ],
  });
  bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
  });
});

afterAll(async () => {
  await bot?.stop();
  await hooks?.close();
  await cc?.close();
});

async function ask(text: string, extra: { userId?: string; channelId?: string } = {}) {
  const responseUrl = hooks.newUrl();
  const started = Date.now();
  const ack = await bot.command({ text, responseUrl, ...extra });
  const ackMs = Date.now() - started;
  const [post] = await hooks.waitForPost(responseUrl);
  return { ack, ackMs, post: post!, text: visibleText(post!.body), responseUrl, tookMs: post!.at - started };
}

describe('/plan <account>', () => {
  it('acknowledges at once and answers through the response_url, visible only to the asker', async () => {
    const { ack, ackMs, post, text } = await ask('a07e1lxtnhz0');
    expect(ack.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    expect(post.body.response_type).toBe('ephemeral');
    expect(text).toContain('Email (GOOD)');
    expect(text).toContain('Open');
    expect(text).toContain('29th of each month');
    expect(text).toContain('$20.00');
    expect(text).toContain('1 of 500');
    expect(text).not.toContain('20.00000');
  });

  it('sends the partner headers and the id as exactly one path segment', async () => {
    await ask('a07e1lxtnhz0');
    const [req] = cc.planRequests('a07e1lxtnhz0');
    expect(req?.headers['x-api-key']).toBe(cc.clientId);
    expect(String(req?.headers.authorization)).toMatch(/^Bearer jwt-\d+$/);
    expect(req?.rawPath).toBe('/v3/partner/accounts/a07e1lxtnhz0/plan');
  });

  it('shows a trial with no tiers and no billing date', async () => {
    const { text } = await ask('a07e1trial00');
    expect(text).toContain('Trial');
    expect(text).toMatch(/None \(trial\)/);
    expect(text).toMatch(/No usage tiers/);
  });

  it('escapes API text so a customer name can never ping the channel or form a link', async () => {
    const { post, text } = await ask('a07e1hostile');
    expect(text).toContain('&lt;!channel&gt; PLATINUM');
    expect(text).not.toMatch(/<!channel>|<@U999>|<https:\/\/evil/);
    expect(JSON.stringify(post.body)).not.toContain('<!channel>');
    expect(text).toContain('€12.50');
    expect(text).toContain('96%');
  });

  it('says when an account does not exist, and what to check', async () => {
    const { text } = await ask('a07e1nosuch0');
    expect(text).toMatch(/couldn't find account/i);
    expect(text).toContain('a07e1nosuch0');
  });

  it.each([
    ['a path', '../../admin'],
    ['a mention', '<!channel>'],
    ['a slash', 'a07e1/plan'],
    ['a URL escape', '%2e%2e%2fadmin'],
  ])('refuses %s as an account id or name without calling Constant Contact', async (_name, input) => {
    const before = cc.requests.length;
    const { text } = await ask(input);
    expect(text).toMatch(/isn't an account id or a customer name/);
    expect(text).not.toMatch(/<!channel>/);
    expect(cc.requests.length).toBe(before);
  });

  it('takes two words as a name, and says the name index is not built yet when its walk is off', async () => {
    const before = cc.requests.length;
    const { text } = await ask('acme corp');
    expect(text).toMatch(/account index hasn't been built\. `\/plan reindex` builds it/);
    expect(cc.requests.length).toBe(before);
  });

  it.each(['', 'help'])('explains how to use it for "/plan %s"', async (input) => {
    const { post, text } = await ask(input);
    expect(post.body.response_type).toBe('ephemeral');
    expect(text).toContain('/plan <account id>');
  });

  it('refuses a request whose signature does not match', async () => {
    const body = slashCommandBody({ text: 'a07e1lxtnhz0', responseUrl: hooks.newUrl() });
    const res = await fetch(`${bot.url}/slack/events`, {
      method: 'POST',
      headers: signedHeaders(body, 'wrong-secret'),
      body,
    });
    expect(res.status).toBe(401);
  });

  it('answers /healthz once it is ready', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('Share in channel', () => {
  it('posts the same card visibly in the channel, saying who shared it', async () => {
    const { post } = await ask('a07e1lxtnhz0', { userId: 'U0SHARER' });
    const blocks = JSON.stringify(post.body.blocks);
    expect(blocks).toContain('Share in channel');
    const shareUrl = hooks.newUrl();
    const res = await bot.click({
      actionId: 'plan_share',
      value: 'a07e1lxtnhz0',
      userId: 'U0SHARER',
      responseUrl: shareUrl,
    });
    expect(res.status).toBe(200);
    const [shared] = await hooks.waitForPost(shareUrl);
    expect(shared?.body.response_type).toBe('in_channel');
    expect(shared?.body.replace_original).toBe(false);
    const text = visibleText(shared!.body);
    expect(text).toContain('Email (GOOD)');
    expect(text).toContain('Shared by <@U0SHARER>');
    expect(JSON.stringify(shared?.body.blocks)).not.toContain('Share in channel');
  });
});

describe('logs', () => {
  it('record who asked for what, and never a secret', async () => {
    await ask('a07e1lxtnhz0', { userId: 'U0LOGGED', channelId: 'C0LOGGED' });
    const line = bot.logs().find((l) => l.event === 'plan_lookup' && l.user === 'U0LOGGED');
    expect(line).toMatchObject({ channel: 'C0LOGGED', account: 'a07e1lxtnhz0', outcome: 'card' });
    expect(typeof line?.durationMs).toBe('number');
    const all = bot.rawLog.join('\n');
    for (const secret of [cc.clientSecret, 'xoxb-test-bot-token', 'test-signing-secret', 'jwt-1']) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('operations', () => {
  it('answers /readyz with the store reachable', async () => {
    const res = await fetch(`${bot.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { config: 'ok', store: 'ok' } });
  });

  it('exposes Prometheus metrics for lookups, upstream latency and token fetches', async () => {
    await ask('a07e1lxtnhz0');
    await ask('a07e1nosuch0');
    const res = await fetch(`${bot.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/planbot_lookups_total\{command="\/plan",outcome="card"\} [1-9]\d*/);
    expect(text).toMatch(/planbot_lookups_total\{command="\/plan",outcome="not_found"\} [1-9]\d*/);
    expect(text).toMatch(
      /planbot_upstream_request_duration_seconds_count\{api="constant-contact",status="200"\} [1-9]\d*/,
    );
    expect(text).toMatch(/planbot_token_fetches_total 1\b/);
    expect(text).toContain('planbot_process_resident_memory_bytes');
  });
});
