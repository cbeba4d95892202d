import { describe, expect, it } from 'vitest';
import { createRecentEvents } from '../../../src/lifecycle/recentEvents.ts';

const minute = 60_000;

describe('recent events', () => {
  it('counts each event over the last hour, most frequent first, and forgets what is older', () => {
    let now = Date.UTC(2026, 4, 4, 12);
    const recent = createRecentEvents(() => now);
    recent.record({ kind: 'listener_error' });
    now += 30 * minute;
    for (let i = 0; i < 3; i++) recent.record({ kind: 'upstream_error', api: 'constant-contact', code: 'timeout' });
    expect(recent.counts()).toEqual([
      { kind: 'upstream_error', api: 'constant-contact', code: 'timeout', count: 3 },
      { kind: 'listener_error', count: 1 },
    ]);
    // An hour after the first: it has left the window; the others have not.
    now += 30 * minute;
    expect(recent.counts()).toEqual([{ kind: 'upstream_error', api: 'constant-contact', code: 'timeout', count: 3 }]);
    now += 30 * minute;
    expect(recent.counts()).toEqual([]);
  });

  it('reuses a minute’s slot an hour later without carrying its old count', () => {
    let now = Date.UTC(2026, 4, 4, 12);
    const recent = createRecentEvents(() => now);
    recent.record({ kind: 'digest_failed' });
    recent.record({ kind: 'digest_failed' });
    now += 60 * minute;
    recent.record({ kind: 'digest_failed' });
    expect(recent.counts()).toEqual([{ kind: 'digest_failed', count: 1 }]);
  });

  it('keeps a bounded number of kinds: codes from outside past the limit count as other', () => {
    const now = Date.UTC(2026, 4, 4, 12);
    const recent = createRecentEvents(() => now);
    for (let i = 0; i < 500; i++) recent.record({ kind: 'slack_error', method: 'chat.postMessage', code: `code_${i}` });
    const counts = recent.counts();
    expect(counts.length).toBeLessThanOrEqual(201);
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(500);
    expect(counts[0]).toEqual({ kind: 'slack_error', method: 'other', code: 'other', count: 300 });
  });
});
