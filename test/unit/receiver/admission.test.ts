import { describe, expect, it } from 'vitest';
import {
  Admission,
  answeredInAck,
  answersInAck,
  defaultSlicePolicy,
  overloadAnswer,
  projectedWaitMs,
  refusal,
  requestKind,
  room,
  sliceLengthMs,
} from '../../../src/receiver/admission.ts';

/** A clock that moves only when told. */
function fakeClock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/**
 * One slice over a queue of `queued` requests, each hand-over taking `costMs` of fake time and
 * adding to the requests in Bolt (as a real hand-over does until Bolt is done with it).
 */
function slice(
  admission: Admission,
  clock: ReturnType<typeof fakeClock>,
  o: { queued: number; costMs: number; inBolt?: number; running?: number },
) {
  let waiting = o.queued;
  let inBolt = o.inBolt ?? 0;
  const count = admission.runSlice({
    waiting: () => waiting,
    load: () => ({ inBolt, running: o.running ?? 0 }),
    handOver: () => {
      waiting--;
      inBolt++;
      clock.advance(o.costMs);
    },
  });
  return { count, waiting };
}

describe('which payloads are answered in the ack', () => {
  it.each([
    [{ type: 'block_suggestion', action_id: 'account' }, true],
    [{ type: 'view_submission', view: { callback_id: 'plan_lookup' } }, true],
    [{ type: 'block_actions' }, false],
    [{ type: 'view_closed' }, false],
    [{ type: 'event_callback' }, false],
    [{ command: '/plan', text: 'help' }, false],
    [{ type: 42 }, false],
  ])('%j → %s', (payload, expected) => {
    expect(answersInAck(payload)).toBe(expected);
  });

  it('is one short, named list', () => {
    expect([...answeredInAck].sort()).toEqual(['block_suggestion', 'view_submission']);
  });
});

describe('refusing a new request', () => {
  it.each([
    // closing, queued, maxQueued, answersInAck → refusal
    [false, 0, 10, false, undefined],
    [false, 9, 10, false, undefined],
    [false, 10, 10, false, 'queue_full'],
    [false, 11, 10, false, 'queue_full'],
    [false, 10, 10, true, undefined],
    [true, 0, 10, false, 'closing'],
    [true, 0, 10, true, 'closing'],
    [true, 10, 10, false, 'closing'],
  ] as const)('closing=%s, queued %i of %i, answered in ack=%s → %s', (closing, queued, maxQueued, inAck, expected) => {
    expect(refusal({ closing, queued, maxQueued, answersInAck: inAck })).toBe(expected);
    const admission = new Admission({ window: 4, maxQueued, now: () => 0 });
    expect(admission.refusal({ closing, queued, answersInAck: inAck })).toBe(expected);
  });
});

describe('refusing a new request for a backlog of bytes or of time', () => {
  const base = { closing: false, maxQueued: 10_000, answersInAck: false };
  it.each([
    // what waits, the new request → refusal
    {
      name: 'bytes under the bound',
      s: { queued: 3, queuedBytes: 900, bytes: 100, maxQueuedBytes: 1_000 },
      want: undefined,
    },
    {
      name: 'bytes over the bound',
      s: { queued: 3, queuedBytes: 900, bytes: 101, maxQueuedBytes: 1_000 },
      want: 'queue_full',
    },
    {
      name: 'one request alone, however big',
      s: { queued: 0, queuedBytes: 0, bytes: 5_000, maxQueuedBytes: 1_000 },
      want: undefined,
    },
    {
      name: 'the oldest waited the longest wait',
      s: { queued: 2, oldestWaitMs: 500, maxQueueWaitMs: 500 },
      want: 'queue_full',
    },
    { name: 'the oldest waited less', s: { queued: 2, oldestWaitMs: 499, maxQueueWaitMs: 500 }, want: undefined },
    {
      name: 'the pace says the new one would wait too long',
      s: { queued: 100, oldestWaitMs: 200, handedOverSinceOldest: 20, maxQueueWaitMs: 500 },
      want: 'queue_full',
    },
    {
      name: 'the pace says it would not',
      s: { queued: 40, oldestWaitMs: 200, handedOverSinceOldest: 20, maxQueueWaitMs: 500 },
      want: undefined,
    },
    {
      name: 'too few handed over to tell the pace',
      s: { queued: 100, oldestWaitMs: 200, handedOverSinceOldest: 15, maxQueueWaitMs: 500 },
      want: undefined,
    },
  ] as const)('$name → $want', ({ s, want }) => {
    expect(refusal({ ...base, ...s })).toBe(want);
    // Answered in the ack, it never waits in the queue; stopping refuses everything.
    expect(refusal({ ...base, ...s, answersInAck: true })).toBeUndefined();
    expect(refusal({ ...base, ...s, closing: true })).toBe('closing');
  });

  it('projects the wait from how long the oldest waited for the ones that left meanwhile', () => {
    expect(projectedWaitMs({ queued: 50, oldestWaitMs: 400, handedOverSinceOldest: 20 })).toBe(1_000);
    expect(projectedWaitMs({ queued: 50, oldestWaitMs: 400, handedOverSinceOldest: 0 })).toBeUndefined();
  });

  it('takes its bounds from the admission', () => {
    const admission = new Admission({
      window: 4,
      maxQueued: 10,
      maxQueuedBytes: 1_000,
      maxQueueWaitMs: 500,
      now: () => 0,
    });
    expect(admission.refusal({ closing: false, queued: 1, queuedBytes: 999, bytes: 2, answersInAck: false })).toBe(
      'queue_full',
    );
    expect(admission.refusal({ closing: false, queued: 1, oldestWaitMs: 600, answersInAck: false })).toBe('queue_full');
    expect(admission.refusal({ closing: false, queued: 1, oldestWaitMs: 100, answersInAck: false })).toBeUndefined();
  });
});

describe('answering a refused request', () => {
  it.each([
    [{ command: '/plan', text: 'acme' }, 'command'],
    [{ type: 'event_callback', event: { type: 'app_mention' } }, 'event'],
    [{ type: 'block_actions', actions: [] }, 'interactive'],
    [{ type: 'shortcut', callback_id: 'x' }, 'interactive'],
    [{ token: 'x' }, 'other'],
  ] as const)('%j is a %s', (payload, kind) => {
    expect(requestKind(payload)).toBe(kind);
  });

  const all = { canAckBusy: true, hasResponseUrl: true, canPost: true };
  it.each([
    // reason, kind, what can be done → answer
    ['queue_full', 'command', all, 'busy_in_ack'],
    ['queue_full', 'command', { ...all, canAckBusy: false }, 'refused'],
    ['queue_full', 'event', all, 'retry_later'],
    ['queue_full', 'interactive', all, 'busy_at_response_url'],
    ['queue_full', 'interactive', { ...all, hasResponseUrl: false }, 'refused'],
    ['queue_full', 'interactive', { ...all, canPost: false }, 'refused'],
    ['queue_full', 'other', all, 'refused'],
    ['closing', 'command', all, 'refused'],
    ['closing', 'event', all, 'refused'],
    ['closing', 'interactive', all, 'refused'],
  ] as const)('%s %s (%j) → %s', (reason, kind, o, answer) => {
    expect(overloadAnswer(reason, kind, o)).toBe(answer);
  });
});

describe('room in the window', () => {
  it.each([
    // window, in Bolt, running → room
    [16, 0, 0, 16],
    [16, 3, 5, 8],
    [2, 2, 0, 0],
    [2, 1, 1, 0],
    [2, 1, 3, -2],
  ])('window %i, %i in Bolt, %i running → %i', (window, inBolt, running, expected) => {
    expect(room(window, { inBolt, running })).toBe(expected);
    const admission = new Admission({ window, maxQueued: 10, now: () => 0 });
    expect(admission.canAdmit(1, { inBolt, running })).toBe(expected > 0);
    expect(admission.canAdmit(0, { inBolt, running })).toBe(false);
  });
});

describe('slice length', () => {
  it.each([
    // arrivals since the last slice, ms since it ended → slice length (ms)
    [0, 0, defaultSlicePolicy.sliceWhenQuietMs],
    [0, 500, defaultSlicePolicy.sliceWhenQuietMs],
    [1, 0, 0],
    [1, 10, 0.5],
    [5, 20, 1],
    [5, 40, 2],
    [5, 1_000, defaultSlicePolicy.maxSliceWhileBusyMs],
  ])('%i arrivals, %i ms since the last slice → %f ms', (arrivals, sinceLastSliceMs, expected) => {
    expect(sliceLengthMs({ arrivals, sinceLastSliceMs })).toBeCloseTo(expected);
  });

  it('follows a policy of its own when given one', () => {
    const p = { shareWhileBusy: 0.5, maxSliceWhileBusyMs: 10, sliceWhenQuietMs: 50 };
    expect(sliceLengthMs({ arrivals: 0, sinceLastSliceMs: 4 }, p)).toBe(50);
    expect(sliceLengthMs({ arrivals: 1, sinceLastSliceMs: 4 }, p)).toBe(2);
    expect(sliceLengthMs({ arrivals: 1, sinceLastSliceMs: 400 }, p)).toBe(10);
  });
});

describe('a slice of hand-overs, under fake time', () => {
  it.each([
    // name, arrivals, ms since the last slice, cost of a hand-over (ms), queued, window, in Bolt, running → handed over
    ['quiet: an 8 ms slice of 1 ms hand-overs', 0, 0, 1, 20, 100, 0, 0, 8],
    ['quiet: the queue runs out first', 0, 0, 1, 3, 100, 0, 0, 3],
    ['quiet: free hand-overs take the whole queue', 0, 0, 0, 50, 100, 0, 0, 50],
    ['busy: 20 ms since the last slice gives 1 ms', 4, 20, 0.25, 20, 100, 0, 0, 4],
    ['busy: a 0 ms slice still hands over one', 4, 0, 1, 20, 100, 0, 0, 1],
    ['busy: capped at 2 ms however long the turn', 4, 1_000, 0.5, 20, 100, 0, 0, 4],
    ['the window stops it: room for 2', 0, 0, 0, 20, 4, 1, 1, 2],
    ['no room: nothing, not even one', 0, 0, 0, 20, 4, 2, 2, 0],
    ['nothing waiting: nothing', 0, 0, 0, 0, 4, 0, 0, 0],
  ])('%s', (_name, arrivals, sinceLastMs, costMs, queued, window, inBolt, running, expected) => {
    const clock = fakeClock();
    const admission = new Admission({ window, maxQueued: 10_000, now: clock.now });
    clock.advance(sinceLastMs);
    for (let i = 0; i < arrivals; i++) admission.arrived();
    const r = slice(admission, clock, { queued, costMs, inBolt, running });
    expect(r.count).toBe(expected);
    expect(r.waiting).toBe(queued - expected);
  });

  it('counts arrivals since the last slice only, and the time since that slice ended', () => {
    const clock = fakeClock();
    const admission = new Admission({ window: 1_000, maxQueued: 10_000, now: clock.now });
    // A burst: 5 requests acknowledged over 40 ms, then a slice of 2 ms (5% of 40, capped at 2).
    clock.advance(40);
    for (let i = 0; i < 5; i++) admission.arrived();
    expect(slice(admission, clock, { queued: 100, costMs: 0.5 }).count).toBe(4);
    // 10 ms later, one more arrival: a 0.5 ms slice from the end of the last one.
    clock.advance(10);
    admission.arrived();
    expect(slice(admission, clock, { queued: 100, costMs: 0.25 }).count).toBe(2);
    // Nothing arrived since: quiet, 8 ms.
    expect(slice(admission, clock, { queued: 100, costMs: 1 }).count).toBe(8);
  });
});
