import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAfterAnswers } from '../../../src/lifecycle/afterAnswers.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function lane(o: { sliceMs?: number; cost?: number } = {}) {
  const errors: unknown[] = [];
  const ran: string[] = [];
  const later = createAfterAnswers({
    onError: (error) => errors.push(error),
    quietMs: 5,
    maxWaitMs: 50,
    ...(o.sliceMs !== undefined ? { sliceMs: o.sliceMs } : {}),
    now: () => Date.now(),
  });
  // A task that takes `cost` ms of the (fake) clock, as a store write takes real time.
  const task = (name: string) => () => {
    ran.push(name);
    if (o.cost) vi.setSystemTime(Date.now() + o.cost);
  };
  return { later, errors, ran, task };
}

describe('work after the answers', () => {
  it('waits for a quiet moment, then runs everything in the order it was deferred', async () => {
    const { later, ran, task } = lane();
    later.defer(task('cache'));
    later.defer(task('quota'));
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toEqual([]);
    // More work 3 ms later pushes the quiet moment back.
    await vi.advanceTimersByTimeAsync(3);
    later.defer(task('history'));
    await vi.advanceTimersByTimeAsync(4);
    expect(ran).toEqual([]);
    expect(later.pending).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual(['cache', 'quota', 'history']);
    expect(later.pending).toBe(0);
  });

  it('does not wait for a quiet moment longer than the oldest task may wait', async () => {
    const { later, ran, task } = lane();
    for (let t = 0; t < 49; t += 2) {
      later.defer(task(`t${t}`));
      await vi.advanceTimersByTimeAsync(2);
    }
    // Never 5 ms of quiet, but the first task has waited 50 ms.
    expect(ran.length).toBe(25);
    expect(ran[0]).toBe('t0');
  });

  it('once answers come back to back, runs new work at once until a quiet moment returns', async () => {
    const { later, ran, task } = lane();
    for (let t = 0; t < 52; t += 2) {
      later.defer(task(`t${t}`));
      await vi.advanceTimersByTimeAsync(2);
    }
    const before = ran.length;
    later.defer(task('at once'));
    expect(ran.length).toBe(before + 1);
    expect(ran.at(-1)).toBe('at once');
    // After a pause as long as the quiet time, work waits again.
    await vi.advanceTimersByTimeAsync(6);
    later.defer(task('waits'));
    expect(ran).not.toContain('waits');
    await vi.advanceTimersByTimeAsync(5);
    expect(ran.at(-1)).toBe('waits');
  });

  it('runs a long backlog in slices, so answers arriving meanwhile are not held up', async () => {
    const { later, ran, task } = lane({ sliceMs: 3, cost: 1 });
    for (let i = 0; i < 10; i++) later.defer(task(`t${i}`));
    await vi.advanceTimersByTimeAsync(4);
    expect(ran).toEqual([]);
    // 1 ms each: three fit in a 3 ms slice, the rest go on in the next turns, a slice each.
    await vi.advanceTimersToNextTimerAsync();
    expect(ran).toEqual(['t0', 't1', 't2']);
    await vi.advanceTimersToNextTimerAsync();
    expect(ran.length).toBe(6);
    await vi.advanceTimersToNextTimerAsync();
    expect(ran.length).toBe(9);
    await vi.advanceTimersToNextTimerAsync();
    expect(ran.length).toBe(10);
  });

  it('joins work to what is waiting, or runs it at once when nothing is', async () => {
    const { later, ran, task } = lane();
    later.joinOrRun(task('audit, alone'));
    expect(ran).toEqual(['audit, alone']);
    later.defer(task('cache'));
    later.joinOrRun(task('audit, after a read'));
    expect(ran).toEqual(['audit, alone']);
    await vi.advanceTimersByTimeAsync(5);
    expect(ran).toEqual(['audit, alone', 'cache', 'audit, after a read']);
  });

  it('tells onError of a failed task and goes on with the others', async () => {
    const { later, ran, errors, task } = lane();
    later.defer(() => {
      throw new Error('disk full');
    });
    later.defer(async () => {
      throw new Error('store gone');
    });
    later.defer(task('after'));
    await vi.advanceTimersByTimeAsync(5);
    expect(ran).toEqual(['after']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full', 'store gone']);
    expect(later.pending).toBe(0);
  });

  it('settles everything waiting at once when asked (before the store closes)', async () => {
    const { later, ran, task } = lane({ sliceMs: 3, cost: 1 });
    let written = false;
    for (let i = 0; i < 10; i++) later.defer(task(`t${i}`));
    later.defer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      written = true;
    });
    const settled = later.settled();
    expect(ran.length).toBe(10);
    expect(written).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    await settled;
    expect(written).toBe(true);
    expect(later.pending).toBe(0);
    await expect(later.settled()).resolves.toBeUndefined();
  });
});
