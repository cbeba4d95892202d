import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createConstantContactClient } from '../../src/partner/constantContact.ts';
import { createHttpClient } from '../../src/partner/httpClient.ts';
import { createAfterAnswers } from '../../src/lifecycle/afterAnswers.ts';
import { createPlanLookup } from '../../src/partner/planLookup.ts';
import { createQuotaGovernor } from '../../src/partner/quota.ts';
import { createRateGate } from '../../src/partner/rateGate.ts';
import { defaultRetryPolicy } from '../../src/partner/retryPolicy.ts';
import { TokenProvider } from '../../src/partner/tokenProvider.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { startBot, type TestBot } from '../helpers/bot.ts';
import {
  type FakeConstantContact,
  partnerAccount,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const bots: TestBot[] = [];

beforeAll(async () => {
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
});
afterEach(async () => {
  while (bots.length) await bots.pop()?.stop();
  await cc.close();
});
afterAll(async () => {
  await Promise.all([slack?.close(), hooks?.close()]);
});

/** A fresh fake Constant Contact (set up by `prepare` before the bot starts) and a bot on it. */
async function boot(env: Record<string, string>, prepare: (fake: FakeConstantContact) => void = () => {}) {
  cc = await startFakeConstantContact();
  prepare(cc);
  const bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    SLACK_API_URL: slack.url,
    CC_RATE_LIMIT: '50',
    ...env,
  });
  bots.push(bot);
  return bot;
}

async function plan(bot: TestBot, text: string, channelId = 'C0QUOTA') {
  const responseUrl = hooks.newUrl();
  await bot.command({ text, responseUrl, channelId });
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return visibleText(post!.body);
}

async function metric(bot: TestBot, line: string): Promise<number | undefined> {
  const text = await (await fetch(`${bot.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

const summariesIn = (channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && !c.args.thread_ts);

describe('the daily quota', () => {
  it('stops a digest at the reserve while /plan goes on, and after quota_exceeded refuses at once without a call', async () => {
    // 12 a day, 5 kept for people.
    const bot = await boot({ CC_DAILY_QUOTA: '12', CC_QUOTA_RESERVE: '5' });
    const watched = ['acct-q1', 'acct-q2', 'acct-q3', 'acct-q4', 'acct-q5', 'acct-q6'];
    for (const id of [...watched, 'acct-q7', 'acct-q8', 'acct-q9']) cc.accounts.set(id, samplePlans.open);

    // Checking the six ids is a person's request: 6 spent, 6 left.
    expect(await plan(bot, `watch ${watched.join(' ')}`)).toContain('Now watching');
    expect(cc.planRequests()).toHaveLength(6);

    // The digest may take one more before the reserve; it posts that one and lists the rest as left out.
    expect(await plan(bot, 'digest now')).toContain('Posting the digest in this channel now.');
    await waitFor(() => summariesIn('C0QUOTA').length === 1, 10_000, 'the digest');
    const summary = visibleText(summariesIn('C0QUOTA')[0]!.args);
    expect(summary).toContain('Plan digest · 6 watched accounts');
    expect(summary).toContain('Open 1 · left out 5 for lack of quota');
    expect(summary).toContain("*Left out (kept for people's lookups: today's quota is at its reserve)*");
    expect(summary.match(/^• `acct-q\d`$/gm)).toHaveLength(5);
    expect(summary).not.toContain('Could not be loaded');
    await waitFor(() => slack.callsTo('chat.postMessage').some((c) => c.args.thread_ts), 10_000, 'the thread');
    const thread = visibleText(slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts)!.args);
    expect(thread).toMatch(/`acct-q1` · Email · Open/);
    expect(thread).toContain("`acct-q6` · left out: kept for people's lookups: today's quota is at its reserve");
    // It stopped reading at the reserve instead of asking for each account.
    expect(cc.planRequests()).toHaveLength(7);
    const logs = bot.logs();
    expect(logs.find((l) => l.event === 'quota_background_stopped')).toMatchObject({ used: 7, left: 5, reserve: 5 });
    expect(logs.find((l) => l.event === 'digest_left_out')).toMatchObject({ why: 'quota_reserved', leftOut: 5 });

    // A person's lookup spends the reserve.
    expect(await plan(bot, 'acct-q7')).toContain('acct-q7');
    expect(cc.planRequests('acct-q7')).toHaveLength(1);

    // Constant Contact says the quota is spent (another tool of the partner's used it up).
    cc.state.quotaSpent = true;
    expect(await plan(bot, 'acct-q8')).toContain("planbot has used up today's Constant Contact request quota.");
    expect(bot.logs().find((l) => l.event === 'quota_exhausted')).toMatchObject({ used: 9 });
    cc.state.quotaSpent = false;

    // From then on, people are told at once, and nothing reaches Constant Contact.
    const before = cc.state.requests.length;
    const started = performance.now();
    const refused = await plan(bot, 'acct-q9');
    expect(refused).toContain("planbot has used up today's Constant Contact request quota.");
    expect(refused).toContain('Lookups work again after 00:00 UTC');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(cc.state.requests.length).toBe(before);
    expect(cc.planRequests('acct-q9')).toHaveLength(0);

    expect(await metric(bot, 'planbot_cc_requests_total{purpose="lookup"}')).toBe(8);
    expect(await metric(bot, 'planbot_cc_requests_total{purpose="digest"}')).toBe(1);
    expect(await metric(bot, 'planbot_cc_quota_left')).toBe(3);
  });

  it('stretches the refresh interval to the number of accounts, and stops a walk at the reserve while names still resolve', async () => {
    // 30 a day, 20% (6) kept for people; 1,000 accounts are 20 pages a walk.
    const bot = await boot({ CC_DAILY_QUOTA: '30', ACCOUNT_INDEX_REFRESH_MINUTES: '60' }, (fake) => {
      fake.partnerAccounts = [
        partnerAccount(0, { encoded_account_id: 'a07equota001', organization_name: 'Quota Kites' }),
        ...Array.from({ length: 999 }, (_, i) => partnerAccount(i + 1)),
      ];
      fake.accounts.set('a07equota001', samplePlans.open);
    });

    await waitFor(() => bot.logs().find((l) => l.event === 'account_index_refresh'), 15_000, 'the first walk');
    expect(cc.listRequests()).toHaveLength(20);
    // A third of 30 is 10 requests a day for walks: one 20-page walk every two days.
    expect(bot.logs().find((l) => l.event === 'index_refresh_interval')).toMatchObject({
      accounts: 1_000,
      pagesPerWalk: 20,
      walkBudget: 10,
      intervalMinutes: 2_880,
      configuredMinutes: 60,
      why: 'quota',
    });
    expect(bot.logs().find((l) => l.event === 'account_index_refresh')).toMatchObject({
      pages: 20,
      requestsPerDay: 10,
    });

    // 10 left, 6 of them kept: a rebuild gets 4 pages, and the last complete index stays in use.
    expect(await plan(bot, 'reindex')).toContain('Rebuilding the account index now.');
    await waitFor(
      () => bot.logs().find((l) => l.event === 'account_index_failed' && l.trigger === 'command'),
      15_000,
      'the stopped walk',
    );
    expect(cc.listRequests()).toHaveLength(24);
    expect(bot.logs().find((l) => l.event === 'quota_background_stopped')).toMatchObject({ used: 24, left: 6 });

    // A person still finds the account by name and reads its plan from the reserve.
    expect(await plan(bot, 'quota kites')).toContain('a07equota001');
    expect(cc.planRequests('a07equota001')).toHaveLength(1);
  });

  it('counts every attempt at the API but not the token endpoint, and never lets a refused background read turn a person away', async () => {
    cc = await startFakeConstantContact();
    const dir = mkdtempSync(join(tmpdir(), 'planbot-quota-'));
    const store = createEmbeddedStore(dir);
    try {
      const http = createHttpClient();
      const quota = createQuotaGovernor({
        counter: store.counters('quota'),
        dailyQuota: 10,
        reserve: 6,
        now: Date.now,
        logger: createLogger('silent'),
      });
      const client = createConstantContactClient({
        http,
        apiUrl: cc.apiUrl,
        apiKey: cc.clientId,
        tokens: new TokenProvider({
          http,
          tokenUrl: cc.tokenUrl,
          clientId: cc.clientId,
          clientSecret: cc.clientSecret,
          store: store.namespace('tokens'),
          lock: store,
          policy: defaultRetryPolicy,
        }),
        gate: createRateGate({ api: 'constant-contact', ratePerSecond: 50 }),
        policy: { ...defaultRetryPolicy, baseDelayMs: 10, maxDelayMs: 20 },
        quota,
      });
      // The cache writes after each read, settled before the store closes, as planbot does.
      const afterReads = createAfterAnswers({
        onError: (error) => {
          throw error;
        },
      });
      const lookup = createPlanLookup({
        client,
        cache: store.namespace('plans'),
        ttlMs: 60_000,
        later: afterReads.defer,
      });
      cc.accounts.set('acct-shared', samplePlans.open);
      // A 503 and then the plan: two attempts, both counted; the token fetch is not.
      cc.scripted.set('acct-shared', [{ status: 503, body: {} }]);
      await lookup.get('acct-shared', Date.now() + 10_000, { purpose: 'digest' });
      expect(cc.state.tokenFetches).toBe(1);
      expect(await quota.snapshot()).toMatchObject({ total: 2, used: { digest: 2 } });

      // 4 left, 6 kept: a digest and a person read the same account at the same moment.
      await lookup.get('acct-shared', Date.now() + 10_000, { fresh: true });
      await lookup.get('acct-shared', Date.now() + 10_000, { fresh: true });
      const [digest, person] = await Promise.allSettled([
        lookup.get('acct-shared', Date.now() + 10_000, { fresh: true, purpose: 'digest' }),
        lookup.get('acct-shared', Date.now() + 10_000, { fresh: true }),
      ]);
      expect(digest).toMatchObject({ status: 'rejected', reason: { code: 'quota_reserved' } });
      expect(person).toMatchObject({ status: 'fulfilled', value: { plan: { planType: 'GOOD' } } });
      expect(await quota.snapshot()).toMatchObject({ total: 5, used: { digest: 2, lookup: 3 } });
      expect(cc.planRequests('acct-shared')).toHaveLength(5);
      await afterReads.settled();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
