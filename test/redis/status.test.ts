import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
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

async function status(bot: TestBot) {
  const responseUrl = hooks.newUrl();
  await bot.command({ text: 'status', responseUrl, userId: 'U0ADMIN' });
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return visibleText(post!.body);
}

describe('/plan status on a fleet sharing Redis', () => {
  it('counts the replicas by their heartbeats, and drops one as soon as it stops', async () => {
    const prefix = uniquePrefix('status');
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
        ADMIN_USER_IDS: 'U0ADMIN',
      });
    const [a, b] = await Promise.all([start(), start()]);
    bots.push(a, b);

    const both = await status(a);
    expect(both).toContain('*Replicas*\n2 seen in the last 45 s');
    expect(both).toMatch(/• `[^`]+` \(this one\): `0\.1\.0` `[^`]+`, up /);
    expect(both.match(/^• `/gm)).toHaveLength(2);
    expect(both).toContain('*Mode*\nHTTP · Redis store');
    expect(both).toContain('*Store*\nok');
    expect(both).toContain('for the whole fleet');
    expect(both).not.toContain(redisUrl);

    await b.stop();
    bots.splice(bots.indexOf(b), 1);
    expect(await status(a)).toContain('*Replicas*\n1 seen in the last 45 s');
  });
});
