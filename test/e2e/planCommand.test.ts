import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;

beforeAll(async () => {
  cc = await startFakeConstantContact();
  hooks = await startResponseUrlReceiver();
  cc.accounts.set('a07e1lxtnhz0', samplePlans.open);
  bot = await startBot({ CC_CLIENT_ID: cc.clientId, CC_CLIENT_SECRET: cc.clientSecret, CC_TOKEN_URL: cc.tokenUrl, CC_API_URL: cc.apiUrl });
});

afterAll(async () => {
  await bot?.stop();
  await hooks?.close();
  await cc?.close();
});

describe('/plan', () => {
  it('acknowledges at once and posts the plan card to the response_url, visible only to the asker', async () => {
    const responseUrl = hooks.newUrl();
    const ack = await bot.command({ text: 'a07e1lxtnhz0', responseUrl });
    expect(ack.status).toBe(200);
    const [post] = await hooks.waitForPost(responseUrl);
    expect(post?.body.response_type).toBe('ephemeral');
    const text = visibleText(post!.body);
    expect(text).toContain('Email (GOOD)');
    expect(text).toContain('$20.00');
  });
});
