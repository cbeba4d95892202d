import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlobKv } from '../../src/store/blobs.ts';
import { createEmbeddedStore, type Store } from '../../src/store/createStore.ts';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { fakeClock } from '../helpers/fakeClock.ts';
import { type FakeConstantContact, planAtTier, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, type SlackCall } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

const DAY_MS = 86_400_000;
const rateLimit = 50;
const growing = 'a07egrow0001';
const upper = 'a07etier0004';

/** Email Plus at tier 3 (1,001–1,500 contacts, $65), billed on the 29th, with `usage` contacts. */
const tier3 = (usage: number) =>
  planAtTier(3, {
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        current_usage: usage,
        tier: 3,
        tier_min: 1001,
        tier_max: 1500,
        price: 65,
        currency_code: 'USD',
      },
    ],
  });

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-trends-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function boot(cc: FakeConstantContact, extra: Parameters<typeof startBot>[1] = {}) {
  return startBot(
    {
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      CC_RATE_LIMIT: String(rateLimit),
    },
    extra,
  );
}

async function plan(bot: TestBot, hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>, text: string) {
  // The rate gate waits in real time but gives up at deadlines on the fake clock, long past: a read
  // must never have to wait its turn, so reads are spaced a little more than the gate's interval.
  await delay(1000 / rateLimit + 10);
  const responseUrl = hooks.newUrl();
  const started = Date.now();
  expect((await bot.command({ text, responseUrl })).status).toBe(200);
  const [post] = await hooks.waitForPost(responseUrl);
  return { text: visibleText(post!.body), tookMs: post!.at - started };
}

/** Runs the Workflow step `get_billing_plan` on `account` and returns the outputs it completed with. */
async function runStep(bot: TestBot, account: string): Promise<Record<string, unknown>> {
  const executionId = `Fx0TRENDS${Date.now()}`;
  const envelope = eventEnvelope({
    type: 'function_executed',
    function: { id: 'Fn0GETPLAN', callback_id: 'get_billing_plan', title: 'Get billing plan', type: 'app' },
    inputs: { account },
    function_execution_id: executionId,
    workflow_execution_id: 'Wx0TRENDS',
    event_ts: '1764000000.000100',
    bot_access_token: 'xwfp-trends',
  });
  await delay(1000 / rateLimit + 10);
  expect((await bot.sendEvent(envelope)).status).toBe(200);
  const ended: SlackCall = await waitFor(
    () =>
      bot.slack!.calls.find(
        (c) => c.method.startsWith('functions.complete') && c.args.function_execution_id === executionId,
      ),
    15_000,
    'the step to end',
  );
  expect(ended.method).toBe('functions.completeSuccess');
  return ended.args.outputs as Record<string, unknown>;
}

describe('the plan card’s usage trends', () => {
  it('shows the 30-day change, the chart and the forecast from the days planbot read, with the next tier’s price once seen', async () => {
    const cc = await startFakeConstantContact();
    const hooks = await startResponseUrlReceiver();
    const clock = fakeClock('2026-03-01T12:00:00Z');
    cc.accounts.set(upper, planAtTier(4));
    // The store on the same clock: a day later the minute-long plan cache has expired, and each
    // day's lookup reads Constant Contact again.
    const bot = await boot(cc, { clock, store: createEmbeddedStore(tempDir(), { now: () => clock.now() }) });
    try {
      // Mar 1–8: 1,300 contacts, 20 more each day, read once a day.
      const cards: string[] = [];
      for (let day = 0; day < 8; day++) {
        cc.accounts.set(growing, tier3(1300 + 20 * day));
        cards.push((await plan(bot, hooks, growing)).text);
        if (day < 7) await clock.advance(DAY_MS);
      }
      // One day is no change to show; two are a change but no forecast (fewer than 7 days).
      expect(cards[0]).not.toContain('in 30 days');
      expect(cards[1]).toContain('`▁█` +20 in 30 days');
      expect(cards[5]).toContain('+100 in 30 days');
      expect(cards[5]).not.toContain('At this pace');
      // 1,440 on Mar 8 at 20 a day passes 1,500 on Mar 12, before billing on Mar 29.
      const last = cards[7]!;
      expect(last).toContain('`▁▂▃▄▅▆▇█` +140 in 30 days');
      expect(last).toContain(
        "At this pace reaches 1,500 around Mar 12, before the next billing date (Mar 29): likely to bill at tier 4 (planbot has not seen that tier's price yet).",
      );

      // Another account on the same plan, read at tier 4: its price is now known.
      expect((await plan(bot, hooks, upper)).text).toContain('$85.00');
      // The price book is written as the read comes in, not awaited by it: allow it a moment.
      let priced = '';
      for (let attempt = 0; attempt < 20 && !priced.includes('$85.00 a month'); attempt++)
        priced = (await plan(bot, hooks, growing)).text;
      expect(priced).toContain(
        'At this pace reaches 1,500 around Mar 12, before the next billing date (Mar 29): likely to bill at tier 4 (about $85.00 a month).',
      );
      expect(priced).toContain('`▁▂▃▄▅▆▇█` +140 in 30 days');

      // The Workflow step gives the same facts.
      const outputs = await runStep(bot, growing);
      expect(outputs).toMatchObject({ usage_trend_per_day: 20, tier_max_reached_on: '2026-03-12', usage_percent: 96 });
    } finally {
      await bot.stop();
      await Promise.all([cc.close(), hooks.close()]);
    }
  });

  it('still answers at once, without trends, when the history is slow or failing', async () => {
    const cc = await startFakeConstantContact();
    const hooks = await startResponseUrlReceiver();
    cc.accounts.set(growing, tier3(1300));
    const real = createEmbeddedStore(tempDir());
    let mode: 'slow' | 'failing' = 'slow';
    /** The history's blobs as a sick store serves them: reads hang for 5 s, or fail. */
    const sick = (blobs: BlobKv): BlobKv => ({
      setMany: (entries) => blobs.setMany(entries),
      delete: (key) => blobs.delete(key),
      keys: () => blobs.keys(),
      bytes: () => blobs.bytes(),
      getMany: async (keys) => {
        if (mode === 'failing') throw new Error('disk I/O error');
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        return blobs.getMany(keys);
      },
    });
    const store: Store = { ...real, blobs: (name) => (name === 'history' ? sick(real.blobs(name)) : real.blobs(name)) };
    const bot = await boot(cc, { store });
    try {
      const slow = await plan(bot, hooks, growing);
      expect(slow.text).toContain('1,300 of 1,500 used');
      expect(slow.tookMs).toBeLessThan(2_000);
      expect(bot.logs().find((l) => l.event === 'history_unread')).toMatchObject({ level: 'warn', reason: 'timeout' });

      mode = 'failing';
      const failing = await plan(bot, hooks, growing);
      expect(failing.text).toContain('1,300 of 1,500 used');
      expect(bot.logs().find((l) => l.event === 'history_unread' && l.reason === 'failed')).toBeDefined();
    } finally {
      await bot.stop();
      await Promise.all([cc.close(), hooks.close()]);
    }
  });
});
