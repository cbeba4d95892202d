import type { Clock } from '../../src/digests/scheduler.ts';

/** A clock that only moves when the test says so; due timers run in time order. */
export function fakeClock(start: string | number) {
  let now = typeof start === 'number' ? start : Date.parse(start);
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock & {
    advanceTo(at: string | number): Promise<void>;
    advance(ms: number): Promise<void>;
    pending(): number;
  } = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advanceTo(at) {
      const target = typeof at === 'number' ? at : Date.parse(at);
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await Promise.resolve();
      }
      now = target;
    },
    async advance(ms) {
      await clock.advanceTo(now + ms);
    },
    pending: () => timers.size,
  };
  return clock;
}
