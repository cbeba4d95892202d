import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertStore } from '../../../src/alerts/alertStore.ts';
import { DigestStore } from '../../../src/digests/digestStore.ts';
import { createRecentEvents } from '../../../src/lifecycle/recentEvents.ts';
import { createLogger } from '../../../src/logger.ts';
import { cacheKv, createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';
import { createStatusUseCase, type StatusSources } from '../../../src/usecases/status.ts';

const now = Date.UTC(2026, 4, 4, 12); // a Monday, 12:00 UTC
const stores: Array<{ store: Store; dir: string }> = [];
afterEach(async () => {
  for (const { store, dir } of stores.splice(0)) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function setup(over: Partial<StatusSources> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-status-'));
  const store = createEmbeddedStore(dir);
  stores.push({ store, dir });
  const digestStore = new DigestStore(store.durable('digests'));
  const alertStore = new AlertStore(store.durable('alerts'), cacheKv(store.namespace('alerts-known')), store);
  const logLines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(l));
        done();
      },
    }),
  );
  const recent = createRecentEvents(() => now);
  const status = createStatusUseCase({
    admins: ['U0ADMIN'],
    build: { version: '1.0.0', commit: 'abc' },
    startedAt: now - 60_000,
    mode: { receiver: 'http', demo: false, store: 'embedded' },
    storeHealth: () => store.health(),
    recent,
    alerts: { store: alertStore, endpoint: false, keepsSubscriptions: false },
    digests: { store: digestStore, shared: false },
    logger,
    now: () => now,
    waitMs: 100,
    ...over,
  });
  return { status, digestStore, recent, logLines };
}

const asker = (userId: string) => ({ userId, channelId: 'C0OPS', teamId: 'T0001' });

describe('the status use case', () => {
  it('answers only the people in ADMIN_USER_IDS, and nobody when it is empty', async () => {
    const { status } = setup();
    expect(await status.run(asker('U0SOMEONE'), 'private')).toEqual({ kind: 'refused' });
    expect((await status.run(asker('U0ADMIN'), 'private')).kind).toBe('report');
    const nobody = setup({ admins: [] }).status;
    expect(await nobody.run(asker('U0ADMIN'), 'private')).toEqual({ kind: 'refused' });
  });

  it('never answers where a channel would read it, even for an admin', async () => {
    const { status } = setup();
    expect(await status.run(asker('U0ADMIN'), 'conversation')).toEqual({ kind: 'not_here' });
    expect(await status.run(asker('U0SOMEONE'), 'conversation')).toEqual({ kind: 'refused' });
  });

  it('shows a source that does not answer in time, or fails, as unavailable, and the rest as read', async () => {
    const { status, logLines } = setup({
      token: () => new Promise(() => undefined),
      quota: () => Promise.reject(new Error('quota store gone')),
    });
    const started = performance.now();
    const outcome = await status.run(asker('U0ADMIN'), 'private');
    expect(performance.now() - started).toBeLessThan(1_000);
    if (outcome.kind !== 'report') throw new Error(`expected a report, got ${outcome.kind}`);
    expect(outcome.report.token).toEqual({ kind: 'unavailable', reason: 'timeout' });
    expect(outcome.report.quota).toEqual({ kind: 'unavailable', reason: 'failed' });
    expect(outcome.report.store).toEqual({ kind: 'ok', value: 'ok' });
    expect(outcome.report.replicas).toEqual({ kind: 'not_set_up' });
    expect(outcome.report.index).toEqual({ kind: 'not_set_up' });
    expect(logLines.map((l) => [l.event, l.source])).toEqual([
      ['status_source_failed', 'quota'],
      ['status_source_late', 'token'],
    ]);
  });

  it('lists missed digest runs first, and counts every scheduled channel', async () => {
    const { status, digestStore } = setup();
    const weekdays = { cadence: 'weekdays', hour: 8, minute: 0, timeZone: 'UTC' } as const;
    // Posted this morning at 08:00: fine. Never posted though set last week: missed. Set an hour ago: not due yet.
    await digestStore.setSchedule('C0FINE', { schedule: weekdays, setBy: 'U1', setAt: now - 7 * 86_400_000 });
    await digestStore.setLastRun('C0FINE', Date.UTC(2026, 4, 4, 8, 0, 2));
    await digestStore.setSchedule('C0MISSED', { schedule: weekdays, setBy: 'U1', setAt: now - 7 * 86_400_000 });
    await digestStore.setLastRun('C0MISSED', Date.UTC(2026, 4, 1, 8, 0, 2));
    await digestStore.setSchedule('C0NEW', { schedule: weekdays, setBy: 'U1', setAt: now - 3_600_000 });
    const outcome = await status.run(asker('U0ADMIN'), 'private');
    if (outcome.kind !== 'report' || outcome.report.digests.kind !== 'ok') throw new Error('expected digests');
    const { total, listed } = outcome.report.digests.value;
    expect(total).toBe(3);
    expect(listed.map((l) => [l.channel, l.missed])).toEqual([
      ['C0MISSED', true],
      ['C0FINE', false],
      ['C0NEW', false],
    ]);
    expect(listed[1]?.nextAt).toBe(Date.UTC(2026, 4, 5, 8));
  });

  it('splits the last hour’s events into 429s, retries and errors', async () => {
    const { status, recent } = setup();
    recent.record({ kind: 'throttled', api: 'constant-contact' });
    recent.record({ kind: 'retry', api: 'constant-contact', code: 'throttled' });
    recent.record({ kind: 'retry', api: 'constant-contact', code: 'throttled' });
    recent.record({ kind: 'slack_error', method: 'chat.postMessage', code: 'channel_not_found' });
    recent.record({ kind: 'listener_error' });
    const outcome = await status.run(asker('U0ADMIN'), 'private');
    if (outcome.kind !== 'report') throw new Error('expected a report');
    expect(outcome.report.throttled).toEqual([{ kind: 'throttled', api: 'constant-contact', count: 1 }]);
    expect(outcome.report.retries).toEqual([{ kind: 'retry', api: 'constant-contact', code: 'throttled', count: 2 }]);
    expect(outcome.report.errors).toEqual([
      { kind: 'slack_error', method: 'chat.postMessage', code: 'channel_not_found', count: 1 },
      { kind: 'listener_error', count: 1 },
    ]);
  });
});
