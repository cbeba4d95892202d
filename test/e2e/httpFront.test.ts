import { afterEach, describe, expect, it } from 'vitest';
import { frontWindow } from '../../src/planbot.ts';
import { startBot } from '../helpers/bot.ts';
import { samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { signedHeaders, startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

/**
 * The HTTP front (its own thread) verifies and acknowledges Slack's requests and hands them to Bolt
 * as planbot has room for them. These drive it over real HTTP like the rest of the e2e suite.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(extra: { frontWindow?: number } = {}) {
  const cc = await startFakeConstantContact();
  const hooks = await startResponseUrlReceiver();
  const bot = await startBot({ CC_CLIENT_ID: cc.clientId, CC_CLIENT_SECRET: cc.clientSecret, CC_TOKEN_URL: cc.tokenUrl, CC_API_URL: cc.apiUrl, CC_RATE_LIMIT: '50' }, extra);
  cleanups.push(cc.close, hooks.close, () => bot.stop());
  return { cc, hooks, bot };
}

/** The most plan requests the fake had open at one moment, given each took `tookMs`. */
function mostAtOnce(starts: number[], tookMs: number): number {
  return Math.max(0, ...starts.map((t) => starts.filter((s) => s <= t && t < s + tookMs).length));
}

describe('the HTTP front', () => {
  it('acknowledges a burst at once and works on no more than its window at a time, answering every one', async () => {
    const { cc, hooks, bot } = await setup({ frontWindow: 2 });
    cc.state.apiDelayMs = 300;
    const ids = Array.from({ length: 8 }, (_, i) => `burst${i}`);
    for (const id of ids) cc.accounts.set(id, samplePlans.open);
    const urls = ids.map(() => hooks.newUrl());

    const acks = await Promise.all(ids.map((id, i) => bot.command({ text: id, responseUrl: urls[i]! })));
    expect(acks.map((a) => a.status)).toEqual(ids.map(() => 200));
    // All eight were acknowledged before the first lookup (300 ms) could have been answered.
    expect(urls.filter((u) => hooks.postsTo(u).length > 0)).toEqual([]);

    const answers = await Promise.all(urls.map(async (u) => visibleText((await hooks.waitForPost(u, 1, 15_000))[0]!.body)));
    expect(answers.every((a) => a.includes('Email (GOOD)'))).toBe(true);
    const starts = cc.planRequests().map((r) => r.at);
    expect(starts).toHaveLength(8);
    expect(mostAtOnce(starts, 300)).toBeLessThanOrEqual(2);
  });

  it('without a window that small, takes the same burst on all at once', async () => {
    // The control for the test above: the limit it sees comes from the window, not the fake or the rate gate.
    const { cc, hooks, bot } = await setup();
    cc.state.apiDelayMs = 300;
    const ids = Array.from({ length: 8 }, (_, i) => `burst${i}`);
    for (const id of ids) cc.accounts.set(id, samplePlans.open);
    const urls = ids.map(() => hooks.newUrl());
    await Promise.all(ids.map((id, i) => bot.command({ text: id, responseUrl: urls[i]! })));
    await Promise.all(urls.map((u) => hooks.waitForPost(u, 1, 15_000)));
    expect(mostAtOnce(cc.planRequests().map((r) => r.at), 300)).toBeGreaterThan(2);
  });

  it('answers Slack’s URL verification with the challenge and its SSL check with an empty 200', async () => {
    const { bot } = await setup();
    const verification = JSON.stringify({ type: 'url_verification', token: 'legacy', challenge: 'c-123' });
    const v = await bot.postSigned(verification, { ...signedHeaders(verification), 'content-type': 'application/json' });
    expect(v).toEqual({ status: 200, body: '{"challenge":"c-123"}' });
    const check = await bot.postSigned('ssl_check=1&token=legacy');
    expect(check).toEqual({ status: 200, body: '' });
  });

  it('sizes the window for every lookup that can wait at the rate gate within the answer budget, plus room for quick answers', () => {
    expect(frontWindow(4)).toBe(4 * 12 + 256);
    expect(frontWindow(50)).toBe(50 * 12 + 256);
    expect(frontWindow(0.5)).toBe(6 + 256);
  });
});
