import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, planAtTier, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { startPrivateRedis } from '../helpers/redis.ts';
import { startResponseUrlReceiver } from '../helpers/slack.ts';

/**
 * A notification that comes while Redis is away cannot be stored: planbot says 503 within a second,
 * so Constant Contact sends it again, and the retry after Redis is back gives the one alert. This
 * suite runs its own redis-server, because it stops it.
 */
const secret = 'outage-hook-secret-0123456789';
let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;

beforeAll(async () => {
  redis = await startPrivateRedis();
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    SLACK_API_URL: slack.url,
    CC_RATE_LIMIT: '20',
    REDIS_URL: redis.url,
    CC_WEBHOOK_SECRET: secret,
  });
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
  await redis?.close();
});

const tier = (level: number) => planAtTier(level);

describe('a notification while Redis is away', () => {
  it('is answered 503 at once, and alerted once when Constant Contact’s retry finds Redis back', async () => {
    cc.accounts.set('acct-o1', tier(1));
    const responseUrl = hooks.newUrl();
    await bot.command({ text: 'alerts all', responseUrl, channelId: 'C0OUTAGE' });
    await hooks.waitForPost(responseUrl);
    cc.accounts.set('acct-o1', tier(2));

    await redis.stop();
    await waitFor(() => bot.logs().some((l) => l.event === 'store_degraded'), 10_000, 'the degraded log line');
    const hook = `${bot.url}/webhooks/constant-contact/${secret}`;
    const sending = cc.notify(
      hook,
      { accountId: 'acct-o1', eventType: 'tier.increase' },
      { retryEveryMs: 1_000, maxAttempts: 30 },
    );
    await waitFor(() => cc.state.notifications.some((n) => n.hookUri === hook), 5_000, 'the first attempt');
    await delay(2_500);
    await redis.start();
    const { attempts } = await sending;
    expect(attempts[0]!.status).toBe(503);
    expect(attempts[0]!.ms).toBeLessThan(1_500);
    expect(attempts.at(-1)!.status).toBe(200);

    const alerts = () => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0OUTAGE');
    await waitFor(() => alerts().length === 1, 20_000, 'the alert');
    await delay(5_000);
    expect(alerts()).toHaveLength(1);
  });
});
