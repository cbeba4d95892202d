import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import {
  type FakeConstantContact,
  partnerAccount,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { dropPrefix, sharedRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const bots: TestBot[] = [];
const prefixes: string[] = [];
const redisUrl = sharedRedisUrl();

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
});
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.stop()));
});
afterAll(async () => {
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
  for (const p of prefixes) await dropPrefix(redisUrl, p);
});

/** Two replicas on one Redis, as a deployment runs them. */
async function fleet(env: Record<string, string> = {}) {
  const prefix = uniquePrefix('fleet');
  prefixes.push(prefix);
  const start = () =>
    startBot({
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      SLACK_API_URL: slack.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      ...env,
    });
  const [a, b] = await Promise.all([start(), start()]);
  bots.push(a, b);
  return [a, b] as const;
}

async function ask(bot: TestBot, text: string) {
  const responseUrl = hooks.newUrl();
  const ack = await bot.command({ text, responseUrl });
  expect(ack.status).toBe(200);
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return visibleText(post!.body);
}

describe('several replicas on one Redis', () => {
  it('walk the account list once between them, and both find accounts by name', async () => {
    cc.partnerAccounts = [
      partnerAccount(1, { encoded_account_id: 'a07eflt00001', organization_name: 'Fleetwood Kites' }),
      ...Array.from({ length: 120 }, (_, i) => partnerAccount(200 + i)),
    ];
    cc.accounts.set('a07eflt00001', samplePlans.open);
    const before = cc.listRequests().length;
    const [a, b] = await fleet({ ACCOUNT_INDEX_REFRESH_MINUTES: '60', CC_RATE_LIMIT: '20' });
    const built = () => [a, b].flatMap((bot) => bot.logs().filter((l) => l.event === 'account_index_refresh'));
    await waitFor(() => built().length > 0, 20_000, 'the index');
    // The other replica saw the walk under way (or the fresh index) and did not walk too.
    await delay(300);
    expect(built()).toHaveLength(1);
    // 121 accounts, 50 a page: one walk is 3 pages.
    expect(cc.listRequests().length - before).toBe(3);
    for (const bot of [a, b]) expect(await ask(bot, 'fleetwood kites')).toContain('a07eflt00001');
  });

  it('count a person’s lookups across the fleet, not per replica', async () => {
    cc.accounts.set('acct-limit', samplePlans.open);
    const [a, b] = await fleet({ USER_LOOKUPS_PER_MINUTE: '3', CC_RATE_LIMIT: '50' });
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(i % 2 ? a : b, 'acct-limit'));
    expect(answers.slice(0, 3).every((t) => t.includes('Email (GOOD)'))).toBe(true);
    expect(answers[3]).toMatch(/You've made 3 lookups in the last minute.*Try again in \d+ seconds/);
  });

  it('say they share Redis, on /readyz and in the log', async () => {
    const [a] = await fleet();
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { config: 'ok', store: 'ok' } });
    expect(a.logs().find((l) => l.event === 'started')?.store).toMatch(/^redis:redis:\/\/127\.0\.0\.1/);
  });

  it('a cold fleet fetches one token for lookups spread over both replicas', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `acct-tok${i}`);
    for (const id of ids) cc.accounts.set(id, samplePlans.open);
    // A slow token endpoint: every replica misses the token while the first fetch is under way.
    cc.state.tokenDelayMs = 400;
    const fetchesBefore = cc.state.tokenFetches;
    try {
      const [a, b] = await fleet({ CC_RATE_LIMIT: '50' });
      const answers = await Promise.all(ids.map((id, i) => ask(i % 2 ? a : b, id)));
      for (const text of answers) expect(text).toContain('Email (GOOD)');
      expect(cc.state.tokenFetches - fetchesBefore).toBe(1);
      // Both replicas really served lookups.
      for (const bot of [a, b])
        expect(bot.logs().filter((l) => l.event === 'plan_lookup' && l.outcome === 'card').length).toBe(5);
    } finally {
      cc.state.tokenDelayMs = 0;
    }
  });

  it('CC_RATE_LIMIT holds for the fleet, not per replica', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `acct-rate${i}`);
    for (const id of ids) cc.accounts.set(id, samplePlans.open);
    const [a, b] = await fleet({ CC_RATE_LIMIT: '4' });
    await ask(a, 'acct-rate-warm'); // the token, outside the measured burst
    await delay(1000); // and the fake's one-second window forgets earlier tests' requests
    const firstRequest = cc.state.requests.length;
    cc.state.enforceRate = 4;
    const throttledBefore = cc.state.throttledAnswers;
    try {
      const answers = await Promise.all(ids.map((id, i) => ask(i % 2 ? a : b, id)));
      // 16 lookups at 4 a second fit the answer budget: every one gets its card, none is "busy".
      for (const text of answers) expect(text).toContain('Email (GOOD)');
      const burst = cc.state.requests.slice(firstRequest).map((r) => r.at);
      let peak = 0;
      for (let i = 0, j = 0; i < burst.length; i++) {
        while ((burst[i] as number) - (burst[j] as number) >= 1000) j++;
        peak = Math.max(peak, i - j + 1);
      }
      expect(burst).toHaveLength(16);
      expect(peak).toBeLessThanOrEqual(4);
      expect(cc.state.throttledAnswers - throttledBefore).toBe(0);
    } finally {
      cc.state.enforceRate = 0;
    }
  });

  it('share cached answers: the same account asked of both replicas is one upstream call', async () => {
    cc.accounts.set('acct-shared', samplePlans.open);
    const [a, b] = await fleet();
    const before = cc.planRequests('acct-shared').length;
    expect(await ask(a, 'acct-shared')).toContain('Email (GOOD)');
    expect(await ask(b, 'acct-shared')).toContain('Email (GOOD)');
    expect(cc.planRequests('acct-shared').length - before).toBe(1);
  });

  it('answer an event once when Slack delivers it again to the other replica', async () => {
    cc.accounts.set('acct-event', samplePlans.open);
    const [a, b] = await fleet();
    const envelope = eventEnvelope({
      type: 'app_mention',
      user: 'U0ASK',
      channel: 'C0EVENT',
      text: '<@UBOT> plan acct-event',
      ts: '1700000000.000001',
    });
    const before = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0EVENT').length;
    expect((await a.sendEvent(envelope)).status).toBe(200);
    expect((await b.sendEvent(envelope, { num: 1, reason: 'http_timeout' })).status).toBe(200);
    await slack.waitForCall('chat.postMessage', before + 1);
    await delay(500);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0EVENT').length - before).toBe(1);
  });
});
