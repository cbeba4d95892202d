import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, planAtTier, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { dropPrefix, sharedRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { startResponseUrlReceiver } from '../helpers/slack.ts';

const secret = 'fleet-hook-secret-0123456789';
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

const atTier = (level: number) => planAtTier(level);

async function fleet() {
  const prefix = uniquePrefix('alerts');
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
      CC_RATE_LIMIT: '50',
      CC_WEBHOOK_SECRET: secret,
    });
  const [a, b] = await Promise.all([start(), start()]);
  bots.push(a, b);
  return [a, b] as const;
}

const postsIn = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
const buttons = (channel: string) =>
  postsIn(channel)
    .flatMap((c) => (c.args.blocks as Array<{ accessory?: { value?: string } }>).map((b) => b.accessory?.value))
    .filter((id) => id !== undefined);

describe('alerts on several replicas', () => {
  it('posts one alert when both replicas receive the same notification', async () => {
    cc.accounts.set('acct-f1', atTier(1));
    const [a, b] = await fleet();
    const responseUrl = hooks.newUrl();
    await a.command({ text: 'alerts all', responseUrl, channelId: 'C0FLEET1' });
    await hooks.waitForPost(responseUrl);
    cc.accounts.set('acct-f1', atTier(2));
    const hook = (bot: TestBot) => `${bot.url}/webhooks/constant-contact/${secret}`;
    const sent = await Promise.all(
      [a, b, a, b].map((bot) =>
        cc.notify(hook(bot), { accountId: 'acct-f1', eventType: 'tier.increase' }, { maxAttempts: 1 }),
      ),
    );
    expect(sent.map((s) => s.attempts[0]!.status)).toEqual([200, 200, 200, 200]);
    await waitFor(() => postsIn('C0FLEET1').length === 1, 15_000, 'the alert');
    await delay(5_000);
    expect(buttons('C0FLEET1')).toEqual(['acct-f1']);
  });

  it('works each notification once between them, and every account of a burst is listed once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `acct-g${i}`);
    for (const id of ids) cc.accounts.set(id, atTier(1));
    const [a, b] = await fleet();
    const responseUrl = hooks.newUrl();
    await b.command({ text: 'alerts all', responseUrl, channelId: 'C0FLEET2' });
    await hooks.waitForPost(responseUrl);
    for (const id of ids) cc.accounts.set(id, atTier(2));
    const before = cc.planRequests().length;
    await Promise.all(
      ids.map((id, i) =>
        cc.notify(
          `${(i % 2 ? a : b).url}/webhooks/constant-contact/${secret}`,
          { accountId: id, eventType: 'tier.increase' },
          { maxAttempts: 1 },
        ),
      ),
    );
    await waitFor(() => new Set(buttons('C0FLEET2')).size === ids.length, 30_000, 'every account listed');
    await delay(4_000);
    expect(buttons('C0FLEET2').sort()).toEqual([...ids].sort());
    expect(postsIn('C0FLEET2').filter((c) => !c.args.thread_ts)).toHaveLength(1);
    // One plan read per notification, whichever replica took it.
    expect(cc.planRequests().length - before).toBe(ids.length);
  });
});
