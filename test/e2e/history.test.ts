import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHistoryStore } from '../../src/history/historyStore.ts';
import { utcDay } from '../../src/history/series.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { startBot } from '../helpers/bot.ts';
import { partnerAccount, planAtTier, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver } from '../helpers/slack.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('usage history', () => {
  it('records each account’s subscriber count from a walk and its tiers from a plan read, at no extra request', async () => {
    const cc = await startFakeConstantContact();
    const hooks = await startResponseUrlReceiver();
    const dataDir = mkdtempSync(join(tmpdir(), 'planbot-history-'));
    dirs.push(dataDir);
    cc.partnerAccounts = Array.from({ length: 120 }, (_, i) => partnerAccount(i, { subscriber_count: 1_000 + i }));
    cc.accounts.set('a00000000007', planAtTier(3));
    const bot = await startBot({
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      CC_RATE_LIMIT: '50',
      DATA_DIR: dataDir,
      ACCOUNT_INDEX_REFRESH_MINUTES: '60',
    });
    try {
      await waitFor(() => bot.logs().find((l) => l.event === 'account_index_refresh'), 15_000, 'the walk');
      const responseUrl = hooks.newUrl();
      await bot.command({ text: 'a00000000007', responseUrl });
      await hooks.waitForPost(responseUrl);
      const requests = cc.state.requests.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(cc.state.requests.length).toBe(requests);
    } finally {
      await bot.stop({ keepData: true });
      await Promise.all([cc.close(), hooks.close()]);
    }
    const store = createEmbeddedStore(dataDir);
    try {
      const history = await createHistoryStore({ blobs: store.blobs('history'), days: 400 }).history('a00000000007');
      const today = utcDay(Date.now());
      expect(history.walk).toEqual([{ day: today, subscriberCount: 1_007, billingStatus: 'Open' }]);
      expect(history.plans).toHaveLength(1);
      expect(history.plans[0]).toMatchObject({
        day: today,
        tiers: [{ level: 3, usage: 1_490, max: 1_500, price: 65 }],
      });
    } finally {
      await store.close();
    }
  });
});
