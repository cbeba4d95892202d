import { afterEach, describe, expect, it } from 'vitest';
import { startBot } from '../helpers/bot.ts';
import { samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { catalogPlan, startFakeRebilly } from '../helpers/fakeRebilly.ts';
import { signedHeaders, startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

/**
 * The HTTP front verifies and acknowledges Slack's requests and hands them to Bolt as planbot has
 * room for them. These drive it over real HTTP like the rest of the e2e suite.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(extra: { frontWindow?: number } = {}, rate = '50') {
  const cc = await startFakeConstantContact();
  const reb = await startFakeRebilly();
  reb.state.catalog = [catalogPlan('gold-monthly', { name: 'Gold monthly' })];
  const hooks = await startResponseUrlReceiver();
  const bot = await startBot(
    {
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      CC_RATE_LIMIT: rate,
      REBILLY_API_KEY: reb.apiKey,
      REBILLY_API_URL: reb.url,
    },
    extra,
  );
  cleanups.push(cc.close, reb.close, hooks.close, () => bot.stop());
  return { cc, reb, hooks, bot };
}

/** The most requests a fake had open at one moment, given each took `tookMs`. */
function mostAtOnce(starts: number[], tookMs: number): number {
  return Math.max(0, ...starts.map((t) => starts.filter((s) => s <= t && t < s + tookMs).length));
}

describe('the HTTP front', () => {
  it('acknowledges a burst at once and works on no more than its window at a time, answering every one', async () => {
    const { reb, hooks, bot } = await setup({ frontWindow: 2 });
    reb.state.delayMs = 300;
    const urls = Array.from({ length: 8 }, () => hooks.newUrl());

    const acks = await Promise.all(
      urls.map((responseUrl) => bot.command({ command: '/plans', text: 'gold', responseUrl })),
    );
    expect(acks.map((a) => a.status)).toEqual(urls.map(() => 200));
    // All eight were acknowledged before the first search (300 ms) could have been answered.
    expect(urls.filter((u) => hooks.postsTo(u).length > 0)).toEqual([]);

    const answers = await Promise.all(
      urls.map(async (u) => visibleText((await hooks.waitForPost(u, 1, 15_000))[0]!.body)),
    );
    expect(answers.every((a) => a.includes('Gold monthly'))).toBe(true);
    const starts = reb.requests.map((r) => r.at);
    expect(starts).toHaveLength(8);
    expect(mostAtOnce(starts, 300)).toBeLessThanOrEqual(2);
  });

  it('without a window that small, takes the same burst on all at once', async () => {
    // The control for the test above: the limit it sees comes from the window, not the fake.
    const { reb, hooks, bot } = await setup();
    reb.state.delayMs = 300;
    const urls = Array.from({ length: 8 }, () => hooks.newUrl());
    await Promise.all(urls.map((responseUrl) => bot.command({ command: '/plans', text: 'gold', responseUrl })));
    await Promise.all(urls.map((u) => hooks.waitForPost(u, 1, 15_000)));
    expect(
      mostAtOnce(
        reb.requests.map((r) => r.at),
        300,
      ),
    ).toBeGreaterThan(2);
  });

  it('answers Slack’s URL verification with the challenge and its SSL check with an empty 200', async () => {
    const { bot } = await setup();
    const verification = JSON.stringify({ type: 'url_verification', token: 'legacy', challenge: 'c-123' });
    const v = await bot.postSigned(verification, {
      ...signedHeaders(verification),
      'content-type': 'application/json',
    });
    expect(v).toEqual({ status: 200, body: '{"challenge":"c-123"}' });
    const check = await bot.postSigned('ssl_check=1&token=legacy');
    expect(check).toEqual({ status: 200, body: '' });
  });

  it('does not count lookups waiting their turn at the rate gate against the window: a quick answer still comes at once', async () => {
    // Two lookups a second: of six lookups, five wait at the gate for up to 2.5 s.
    const { cc, hooks, bot } = await setup({ frontWindow: 2 }, '2');
    // The lookup at Constant Contact holds its place in the window for 1.5 s.
    cc.state.apiDelayMs = 1_500;
    const ids = Array.from({ length: 6 }, (_, i) => `queued${i}`);
    for (const id of ids) cc.accounts.set(id, samplePlans.open);
    const urls = ids.map(() => hooks.newUrl());
    const helpUrl = hooks.newUrl();
    // In one burst, the help last: it waits in the front until the lookups ahead of it reach the gate.
    const sent = Date.now();
    const acks = await Promise.all([
      ...ids.map((id, i) => bot.command({ text: id, responseUrl: urls[i]! })),
      bot.command({ text: 'help', responseUrl: helpUrl }),
    ]);
    expect(acks.map((a) => a.status)).toEqual([...ids, 'help'].map(() => 200));
    const [help] = await hooks.waitForPost(helpUrl, 1, 5_000);
    expect(visibleText(help!.body)).toContain('/plan');
    expect(Date.now() - sent).toBeLessThan(1_000);
    // The lookups were still queued then, and all are answered in their turn.
    expect(urls.filter((u) => hooks.postsTo(u).length > 0).length).toBeLessThan(ids.length);
    const answers = await Promise.all(
      urls.map(async (u) => visibleText((await hooks.waitForPost(u, 1, 15_000))[0]!.body)),
    );
    expect(answers.every((a) => a.includes('Email (GOOD)'))).toBe(true);
  });
});
