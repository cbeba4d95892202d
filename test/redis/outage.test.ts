import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { startPrivateRedis } from '../helpers/redis.ts';
import { nextScheduledMinute } from '../helpers/schedules.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

/**
 * Redis going away under two replicas: lookups go on from each replica's memory, /readyz says
 * degraded, watchlist changes wait politely, and a digest due during the outage is posted once
 * when Redis is back. This suite runs its own redis-server, because it stops it.
 */
let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let a: TestBot;
let b: TestBot;

beforeAll(async () => {
  redis = await startPrivateRedis();
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  const env = {
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    SLACK_API_URL: slack.url,
    CC_RATE_LIMIT: '20',
    REDIS_URL: redis.url,
    DIGEST_TAKEOVER_SECONDS: '2',
  };
  [a, b] = await Promise.all([startBot(env), startBot(env)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
  await redis?.close();
});

async function ask(bot: TestBot, text: string, channelId = 'C0ASK') {
  const responseUrl = hooks.newUrl();
  expect((await bot.command({ text, responseUrl, channelId })).status).toBe(200);
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return visibleText(post!.body);
}

async function readiness(bot: TestBot) {
  const res = await fetch(`${bot.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

const summaries = (channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && !c.args.thread_ts);

describe('Redis stopped and restarted under two replicas', () => {
  it('keeps answering, reports degraded, holds digests, and posts the one that fell due exactly once', async () => {
    cc.accounts.set('acct-out1', samplePlans.open);
    cc.accounts.set('acct-out2', samplePlans.trial);
    cc.accounts.set('acct-out3', samplePlans.open);
    expect(await ask(a, 'watch acct-out1 acct-out2', 'C0OUT')).toContain('Now watching');
    const when = nextScheduledMinute(25_000);
    expect(await ask(b, `digest daily ${when.hhmm} UTC`, 'C0OUT')).toContain('Digest set');
    expect((await readiness(a)).body.status).toBe('ready');

    await redis.stop();
    for (const bot of [a, b])
      await waitFor(() => bot.logs().some((l) => l.event === 'store_degraded'), 10_000, 'the degraded log line');

    // Lookups go on, from each replica's memory.
    expect(await ask(a, 'acct-out3')).toContain('Email (GOOD)');
    expect(await ask(b, 'acct-out1')).toContain('Email (GOOD)');
    const ready = await readiness(a);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks.store).toContain('unreachable');
    // Watchlist changes are not made from memory: the person is told to come back.
    expect(await ask(b, 'watch acct-out3', 'C0OUT')).toContain('paused for a moment');

    // The digest falls due while Redis is away: nothing is posted.
    await waitFor(
      () => Date.now() > when.at.getTime() + 3_000,
      when.at.getTime() - Date.now() + 10_000,
      'the digest time to pass',
    );
    expect(summaries('C0OUT')).toHaveLength(0);

    await redis.start();
    await waitFor(() => summaries('C0OUT').length > 0, 30_000, 'the digest after Redis came back');
    await delay(3_000);
    expect(summaries('C0OUT')).toHaveLength(1);
    expect(JSON.stringify(summaries('C0OUT')[0]?.args)).toContain('2 watched accounts');
    await waitFor(
      () => a.logs().filter((l) => l.event === 'store_connected').length >= 2,
      10_000,
      'the reconnected log line',
    );
    expect((await readiness(a)).body.status).toBe('ready');
    // The watchlist refused during the outage was not changed behind the person's back.
    expect(await ask(a, 'watchlist', 'C0OUT')).toContain('2 accounts watched');
  }, 150_000);
});
