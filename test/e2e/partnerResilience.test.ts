import { afterEach, describe, expect, it } from 'vitest';
import { startBot } from '../helpers/bot.ts';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { delay } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

/** Each test gets its own fake upstream, receiver and bot (with its own store), so counts are exact. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(env: Record<string, string> = {}, ccOptions: Parameters<typeof startFakeConstantContact>[0] = {}) {
  const cc = await startFakeConstantContact(ccOptions);
  const hooks = await startResponseUrlReceiver();
  const bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    ...env,
  });
  cleanups.push(cc.close, hooks.close, () => bot.stop());
  const ask = async (text: string) => {
    const responseUrl = hooks.newUrl();
    const sent = Date.now();
    const ack = await bot.command({ text, responseUrl });
    expect(ack.status).toBe(200);
    const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
    return { text: visibleText(post!.body), tookMs: post!.at - sent };
  };
  return { cc, hooks, bot, ask };
}

function addAccounts(cc: FakeConstantContact, count: number, prefix = 'acct') {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  for (const id of ids) cc.accounts.set(id, samplePlans.open);
  return ids;
}

describe('the partner token', () => {
  it('is fetched once for many concurrent lookups, with client credentials', async () => {
    const { cc, ask } = await setup({ CC_RATE_LIMIT: '50' });
    cc.state.tokenDelayMs = 300;
    const ids = addAccounts(cc, 20);
    const answers = await Promise.all(ids.map((id) => ask(id)));
    expect(answers.every((a) => a.text.includes('Email (GOOD)'))).toBe(true);
    expect(cc.state.tokenFetches).toBe(1);
    expect(cc.state.tokenBodies[0]).toBe('grant_type=client_credentials&scope=v3api%2Fgeneral.partner');
    expect(cc.state.tokenAuthHeaders[0]).toBe(
      `Basic ${Buffer.from(`${cc.clientId}:${cc.clientSecret}`).toString('base64')}`,
    );
  });

  it('is fetched anew once it nears expiry', async () => {
    const { cc, ask } = await setup({}, { tokenLifetimeSec: 2 });
    const [a, b] = addAccounts(cc, 2);
    await ask(a!);
    expect(cc.state.tokenFetches).toBe(1);
    await delay(2100);
    const { text } = await ask(b!);
    expect(text).toContain('Email (GOOD)');
    expect(cc.state.tokenFetches).toBe(2);
    expect(cc.planRequests(b).at(-1)?.headers.authorization).toBe('Bearer jwt-2');
  });

  it('is replaced after a 401, and the call is retried once', async () => {
    const { cc, ask } = await setup();
    const [a, b] = addAccounts(cc, 2);
    await ask(a!);
    cc.revokeAllTokens();
    const { text } = await ask(b!);
    expect(text).toContain('Email (GOOD)');
    expect(cc.state.tokenFetches).toBe(2);
    expect(cc.planRequests(b).map((r) => r.headers.authorization)).toEqual(['Bearer jwt-1', 'Bearer jwt-2']);
  });

  it('tells the person when the credentials are refused, without retrying forever', async () => {
    const { cc, ask } = await setup();
    addAccounts(cc, 1);
    cc.state.tokenReplies.push({ status: 401, body: { error: 'invalid_client' } });
    const { text } = await ask('acct0000');
    expect(text).toMatch(/refused planbot's partner credentials/);
    expect(cc.state.tokenFetches).toBe(1);
    expect(cc.requests.length).toBe(0);
  });
});

describe('Constant Contact failures', () => {
  it('retries a per-second throttle and still answers', async () => {
    const { cc, ask } = await setup();
    addAccounts(cc, 1);
    cc.state.scripted.set('acct0000', [
      { status: 429, body: { error_key: 'throttled', error_message: 'Too many requests' } },
    ]);
    const { text } = await ask('acct0000');
    expect(text).toContain('Email (GOOD)');
    expect(cc.planRequests('acct0000')).toHaveLength(2);
  });

  it('does not retry a spent daily quota, and says when it resets', async () => {
    const { cc, ask } = await setup();
    addAccounts(cc, 1);
    cc.state.quotaSpent = true;
    const { text } = await ask('acct0000');
    expect(text).toMatch(/today's Constant Contact request quota/);
    expect(text).toMatch(/00:00 UTC \(in \d+h \d+m|00:00 UTC \(in \d+m/);
    expect(cc.planRequests('acct0000')).toHaveLength(1);
  });

  it('retries 5xx answers with backoff and answers when one succeeds', async () => {
    const { cc, ask } = await setup();
    addAccounts(cc, 1);
    cc.state.scripted.set('acct0000', [
      { status: 503, body: [{ error_key: 'unavailable', error_message: 'try later' }] },
      { status: 500, body: [{ error_key: 'server_error', error_message: 'oops' }] },
    ]);
    const { text } = await ask('acct0000');
    expect(text).toContain('Email (GOOD)');
    expect(cc.planRequests('acct0000')).toHaveLength(3);
  });

  it('gives up on a failing upstream after a few tries and says so in plain words', async () => {
    const { cc, ask, bot } = await setup();
    addAccounts(cc, 1);
    cc.state.scripted.set(
      'acct0000',
      Array.from({ length: 10 }, () => ({ status: 502, body: 'Bad gateway <html>' })),
    );
    const { text } = await ask('acct0000');
    expect(text).toMatch(/Constant Contact had a problem answering \(error 502\)/);
    expect(text).not.toMatch(/Bad gateway|at .*\.ts:\d+|Error:/);
    expect(cc.planRequests('acct0000')).toHaveLength(4);
    expect(bot.logs().some((l) => l.event === 'plan_lookup' && l.outcome === 'upstream' && l.status === 502)).toBe(
      true,
    );
  });

  it('answers within 15 seconds when Constant Contact hangs', async () => {
    const { cc, ask } = await setup();
    addAccounts(cc, 1);
    cc.state.apiDelayMs = 30_000;
    const { text, tookMs } = await ask('acct0000');
    expect(text).toMatch(/didn't answer in time/);
    expect(tookMs).toBeLessThan(15_000);
  }, 30_000);

  it.each([
    [403, [{ error_key: 'forbidden', error_message: 'Forbidden' }], /didn't let planbot read account/],
    [400, [{ error_key: 'bad_request', error_message: 'Bad id' }], /didn't accept/],
  ])('words a %i plainly', async (status, body, want) => {
    const { cc, ask } = await setup();
    addAccounts(cc, 1);
    cc.state.scripted.set('acct0000', [{ status, body }]);
    const { text } = await ask('acct0000');
    expect(text).toMatch(want);
    expect(cc.planRequests('acct0000')).toHaveLength(1);
  });
});

describe('sharing upstream calls', () => {
  it('makes one upstream call for simultaneous and repeated lookups of one account', async () => {
    const { cc, ask } = await setup();
    addAccounts(cc, 1);
    cc.state.apiDelayMs = 200;
    const answers = await Promise.all(Array.from({ length: 5 }, () => ask('acct0000')));
    expect(answers.every((a) => a.text.includes('Email (GOOD)'))).toBe(true);
    await ask('acct0000');
    expect(cc.planRequests('acct0000')).toHaveLength(1);
  });
});

describe('the rate limit', () => {
  it('never sends more than CC_RATE_LIMIT requests a second', async () => {
    const { cc, ask } = await setup({ CC_RATE_LIMIT: '4' });
    cc.state.enforceRate = 4;
    const ids = addAccounts(cc, 12);
    const answers = await Promise.all(ids.map((id) => ask(id)));
    expect(answers.filter((a) => a.text.includes('Email (GOOD)'))).toHaveLength(12);
    expect(cc.peakPerSecond()).toBeLessThanOrEqual(4);
    expect(cc.requests).toHaveLength(12);
  });

  it('tells the lookups it cannot serve in time that planbot is busy, and answers everyone within 15 s', async () => {
    const { cc, ask } = await setup({ CC_RATE_LIMIT: '1' });
    const ids = addAccounts(cc, 25);
    const answers = await Promise.all(ids.map((id) => ask(id)));
    const served = answers.filter((a) => a.text.includes('Email (GOOD)')).length;
    const busy = answers.filter((a) => /planbot is busy/.test(a.text)).length;
    expect(served + busy).toBe(25);
    expect(served).toBeGreaterThanOrEqual(8);
    expect(busy).toBeGreaterThan(0);
    expect(Math.max(...answers.map((a) => a.tookMs))).toBeLessThan(15_000);
  }, 30_000);
});

describe('shutting down', () => {
  it('still answers a lookup that was acknowledged before the stop', async () => {
    const cc = await startFakeConstantContact();
    const hooks = await startResponseUrlReceiver();
    cleanups.push(cc.close, hooks.close);
    const bot = await startBot({
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
    });
    addAccounts(cc, 1);
    cc.state.apiDelayMs = 800;
    const responseUrl = hooks.newUrl();
    const ack = await bot.command({ text: 'acct0000', responseUrl });
    expect(ack.status).toBe(200);
    await bot.stop();
    expect(hooks.postsTo(responseUrl)).toHaveLength(1);
    expect(visibleText(hooks.postsTo(responseUrl)[0]!.body)).toContain('Email (GOOD)');
  });
});
