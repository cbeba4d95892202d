import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import type { UpstreamError } from '../../../src/partner/errors.ts';
import { createQuotaGovernor, type QuotaPurpose } from '../../../src/partner/quota.ts';
import { createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';
import { fakeClock } from '../../helpers/fakeClock.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Two replicas' governors on one store (as two processes on one Redis), with one clock and their log lines. */
function fleet(o: { dailyQuota: number; reserve: number; start: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-quota-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const clock = fakeClock(o.start);
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  const open = (): Store => {
    const store = createEmbeddedStore(dir, { now: clock.now });
    cleanups.push(() => store.close());
    return store;
  };
  const governor = (store: Store) =>
    createQuotaGovernor({
      counter: store.counters('quota'),
      dailyQuota: o.dailyQuota,
      reserve: o.reserve,
      now: clock.now,
      logger,
    });
  const store = open();
  return { clock, lines, a: governor(store), b: governor(store), restart: () => governor(open()) };
}

type Governor = ReturnType<typeof fleet>['a'];

/** Sends `n` requests for `purpose` (admitted, then counted), as the client does. */
async function send(g: Governor, purpose: QuotaPurpose, n: number) {
  for (let i = 0; i < n; i++) {
    await g.admit(purpose);
    await g.spent(purpose);
  }
}

/** How many requests for `purpose` go out before the first refusal, and its code. */
async function sendUntilRefused(g: Governor, purpose: QuotaPurpose) {
  for (let sent = 0; sent < 10_000; sent++) {
    try {
      await g.admit(purpose);
    } catch (error) {
      return { sent, refused: (error as UpstreamError).code };
    }
    await g.spent(purpose);
  }
  throw new Error('never refused');
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'admitted',
    (error: unknown) => (error as UpstreamError).code,
  );

describe('the daily quota governor', () => {
  it('over a day: background stops at the reserve, people go on to the limit, and the next UTC day starts afresh', async () => {
    const { clock, lines, a, b } = fleet({ dailyQuota: 100, reserve: 20, start: '2026-05-04T00:00:00Z' });
    await clock.advanceTo('2026-05-04T06:00:00Z');
    await send(a, 'index', 40);
    await send(b, 'lookup', 20);

    const morning = await a.snapshot();
    expect(morning).toEqual({
      day: '2026-05-04',
      limit: 100,
      reserve: 20,
      used: { lookup: 20, index: 40, digest: 0, alert: 0, radar: 0 },
      total: 60,
      left: 40,
      backgroundStopped: false,
      exhaustedUntil: null,
      // 60 in the first 6 hours: 240 by midnight at this pace.
      projectedAtMidnight: 240,
    });

    // A walk on one replica takes the quota down to the reserve and no further.
    expect(await sendUntilRefused(a, 'index')).toEqual({ sent: 20, refused: 'quota_reserved' });
    // The other replica's digest and radar reads stop too, once its second-old count is read again.
    await clock.advance(1_000);
    expect(await refusal(b.admit('digest'))).toBe('quota_reserved');
    expect(await refusal(b.admit('radar'))).toBe('quota_reserved');
    expect((await b.snapshot()).backgroundStopped).toBe(true);

    // People's lookups and alerts spend the reserve, up to the limit.
    await send(a, 'alert', 5);
    expect(await sendUntilRefused(b, 'lookup')).toEqual({ sent: 15, refused: 'quota_exceeded' });
    await clock.advance(1_000);
    expect(await refusal(a.admit('lookup'))).toBe('quota_exceeded');
    const evening = await a.snapshot();
    expect(evening).toMatchObject({ total: 100, left: 0, backgroundStopped: true, exhaustedUntil: null });
    expect(evening.used).toEqual({ lookup: 35, index: 60, digest: 0, alert: 5, radar: 0 });

    // Said once a day by each replica that stopped background work, with the day's numbers.
    const stopped = lines.filter((l) => l.event === 'quota_background_stopped');
    expect(stopped).toHaveLength(2);
    expect(stopped[0]).toMatchObject({ day: '2026-05-04', used: 80, left: 20, reserve: 20, limit: 100 });

    // 00:00 UTC: a new day's count, for both replicas.
    await clock.advanceTo('2026-05-05T00:00:00Z');
    await expect(a.admit('index')).resolves.toBeUndefined();
    await a.spent('index');
    await expect(b.admit('digest')).resolves.toBeUndefined();
    b.unsent();
    expect(await b.snapshot()).toMatchObject({ day: '2026-05-05', total: 1, left: 99, backgroundStopped: false });
  });

  it('after quota_exceeded, refuses every purpose on every replica until 00:00 UTC, and says so once', async () => {
    const { clock, lines, a, b } = fleet({ dailyQuota: 10_000, reserve: 2_000, start: '2026-05-04T15:00:00Z' });
    await send(b, 'lookup', 3);
    await a.exhausted();
    await a.exhausted();
    // At once on the replica that was told, within a second on the other.
    expect(await refusal(a.admit('lookup'))).toBe('quota_exceeded');
    await clock.advance(1_000);
    for (const purpose of ['lookup', 'alert', 'index', 'digest', 'radar'] as const)
      expect(await refusal(b.admit(purpose))).toBe('quota_exceeded');

    const midnight = Date.parse('2026-05-05T00:00:00Z');
    expect(await b.snapshot()).toMatchObject({
      total: 3,
      left: 9_997,
      backgroundStopped: true,
      exhaustedUntil: midnight,
    });
    expect(lines.filter((l) => l.event === 'quota_exhausted')).toEqual([
      expect.objectContaining({ day: '2026-05-04', used: 3, until: '2026-05-05T00:00:00.000Z' }),
    ]);

    await clock.advanceTo(midnight - 1_000);
    expect(await refusal(b.admit('lookup'))).toBe('quota_exceeded');
    await clock.advanceTo(midnight);
    expect(await refusal(b.admit('lookup'))).toBe('admitted');
    expect(await refusal(a.admit('index'))).toBe('admitted');
    expect((await a.snapshot()).exhaustedUntil).toBeNull();
  });

  it('keeps the count over a restart', async () => {
    const { a, restart } = fleet({ dailyQuota: 50, reserve: 10, start: '2026-05-04T09:00:00Z' });
    await send(a, 'digest', 40);
    await a.exhausted();
    const again = restart();
    expect(await again.snapshot()).toMatchObject({
      total: 40,
      used: { digest: 40 },
      exhaustedUntil: expect.any(Number),
    });
    expect(await refusal(again.admit('lookup'))).toBe('quota_exceeded');
  });

  it('admits requests asked for together one at a time, so they cannot all take the last one before the reserve', async () => {
    const { a } = fleet({ dailyQuota: 10, reserve: 5, start: '2026-05-04T09:00:00Z' });
    await send(a, 'lookup', 4);
    const together = await Promise.all([a.admit('digest'), a.admit('digest'), a.admit('digest')].map(refusal));
    expect(together.sort()).toEqual(['admitted', 'quota_reserved', 'quota_reserved']);
    // The one admitted never went out (refused at the rate gate): its place is free again.
    a.unsent();
    expect(await refusal(a.admit('digest'))).toBe('admitted');
    await a.spent('digest');
    expect(await a.snapshot()).toMatchObject({ total: 5, left: 5, backgroundStopped: true });
  });

  it('projects the pace to midnight, counting the first hour as a whole hour', async () => {
    const { clock, a } = fleet({ dailyQuota: 10_000, reserve: 2_000, start: '2026-05-04T00:30:00Z' });
    await send(a, 'lookup', 10);
    expect((await a.snapshot()).projectedAtMidnight).toBe(240);
    await clock.advanceTo('2026-05-04T12:00:00Z');
    await send(a, 'radar', 490);
    expect((await a.snapshot()).projectedAtMidnight).toBe(1_000);
  });
});
