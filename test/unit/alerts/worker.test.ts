import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertStore } from '../../../src/alerts/alertStore.ts';
import type { StoredNotification } from '../../../src/alerts/notification.ts';
import { createAlertWorker } from '../../../src/alerts/worker.ts';
import { createAudit } from '../../../src/audit/audit.ts';
import { createLogger } from '../../../src/logger.ts';
import { createAfterAnswers } from '../../../src/lifecycle/afterAnswers.ts';
import { createPlanLookup } from '../../../src/partner/planLookup.ts';
import { cacheKv, createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';
import { answer, fakePartnerHttp } from '../../helpers/partnerHttp.ts';

const cleanups: Array<() => void> = [];
// The cache writes after each read, settled before the stores close, as planbot does.
const afterReads = createAfterAnswers({
  onError: (error) => {
    throw error;
  },
});
afterEach(async () => {
  await afterReads.settled();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function embeddedStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-alert-worker-'));
  const store = createEmbeddedStore(dir);
  cleanups.push(() => {
    void store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a notification whose plan cannot be read', () => {
  it('is alerted from what it says once every try has failed, and read no more', async () => {
    const store = embeddedStore();
    const alerts = new AlertStore(store.durable('alerts'), cacheKv(store.namespace('alerts-known')), store);
    await alerts.setChannel('C-ALERTS', { scope: 'all', kinds: [], setBy: 'U1', setAt: Date.now() });
    // Constant Contact answers 503 to every plan read (no retries inside a read: each try is a take).
    const partner = fakePartnerHttp(
      Array.from({ length: 10 }, () => answer(503, { error_key: 'unavailable' })),
      0,
    );
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const queue = store.queue<StoredNotification>('cc-notifications');
    const queuedFor: string[][] = [];
    const worker = createAlertWorker({
      queue,
      store: alerts,
      lookup: createPlanLookup({
        client: partner.client,
        cache: store.namespace('plans'),
        ttlMs: 60_000,
        later: afterReads.defer,
      }),
      accountName: async () => 'Acme Bakery',
      watchlist: async () => [],
      queued: (channels) => queuedFor.push(channels),
      testArrived: async () => {},
      audit: createAudit({ logger, now: Date.now }),
      logger,
      now: Date.now,
      // Three tries, a short lease apart (planbot's own: 60 tries, 30 s apart).
      maxAttempts: 3,
      leaseMs: 50,
      pollMs: 10,
    });
    await queue.push('n-1', { id: 'n-1', accountId: 'acct-1', eventType: 'plan.upgraded', receivedAt: Date.now() });
    worker.start();
    try {
      const feed = await eventually(
        () => alerts.feed('C-ALERTS'),
        (f) => f.pending.length > 0,
      );
      expect(feed.pending).toHaveLength(1);
      expect(feed.pending[0]).toMatchObject({ accountId: 'acct-1', unread: 'unavailable', name: 'Acme Bakery' });
      expect(queuedFor).toEqual([['C-ALERTS']]);
      expect(await queue.size()).toBe(0);
      // Exactly the three tries reached the API; none after the alert went out.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(partner.apiRequests()).toHaveLength(3);
      expect(lines.some((l) => l.event === 'alert_plan_unread' && l.why === 'unavailable')).toBe(true);
    } finally {
      await worker.stop(1_000);
    }
  });
});
