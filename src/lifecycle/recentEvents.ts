/**
 * What went wrong (or was slowed down) lately, for `/plan status`: counted per minute over the last
 * hour, in this process only. Prometheus keeps the long view; this answers "is it happening now?".
 */
export type RecentEvent =
  /** A 429 answer from an upstream API. */
  | { kind: 'throttled'; api: string }
  /** An upstream call tried again (`code`: why). */
  | { kind: 'retry'; api: string; code: string }
  /** A person's lookup or search that failed (`code`: the failure, `quota_exceeded`, `timeout`, …). */
  | { kind: 'upstream_error'; api: string; code: string }
  /** A Slack Web API call or response_url post that failed. */
  | { kind: 'slack_error'; method: string; code: string }
  /** An error no listener caught. */
  | { kind: 'listener_error' }
  /** A scheduled digest that failed. */
  | { kind: 'digest_failed' }
  /** A walk of the account list that stopped before its last page. */
  | { kind: 'index_walk_failed'; code: string };

export type RecentCount = RecentEvent & { count: number };

export interface RecentEvents {
  record(event: RecentEvent): void;
  /** Each event seen in the last hour with its count, most frequent first. */
  counts(): RecentCount[];
}

const minuteMs = 60_000;
const windowMinutes = 60;
/** Codes come from outside (Slack's error names, HTTP statuses): past this many kinds, the rest count as `other`. */
const maxKinds = 200;

interface Ring {
  event: RecentEvent;
  /** The minute (epoch ms / 60 000) each slot counts, so a slot from an hour ago is known stale. */
  minutes: number[];
  counts: number[];
}

export function createRecentEvents(now: () => number = Date.now): RecentEvents {
  const rings = new Map<string, Ring>();

  const ringFor = (event: RecentEvent): Ring => {
    let key = JSON.stringify(event);
    let ring = rings.get(key);
    if (ring) return ring;
    if (rings.size >= maxKinds) {
      dropStale(Math.floor(now() / minuteMs));
      if (rings.size >= maxKinds) {
        event = other(event);
        key = JSON.stringify(event);
        ring = rings.get(key);
        if (ring) return ring;
      }
    }
    ring = {
      event,
      minutes: new Array<number>(windowMinutes).fill(-1),
      counts: new Array<number>(windowMinutes).fill(0),
    };
    rings.set(key, ring);
    return ring;
  };

  const total = (ring: Ring, minute: number) =>
    ring.minutes.reduce((sum, m, i) => (minute - m < windowMinutes ? sum + (ring.counts[i] ?? 0) : sum), 0);

  const dropStale = (minute: number) => {
    for (const [key, ring] of rings) if (total(ring, minute) === 0) rings.delete(key);
  };

  return {
    record(event) {
      const minute = Math.floor(now() / minuteMs);
      const ring = ringFor(event);
      const slot = minute % windowMinutes;
      if (ring.minutes[slot] !== minute) {
        ring.minutes[slot] = minute;
        ring.counts[slot] = 0;
      }
      ring.counts[slot] = (ring.counts[slot] ?? 0) + 1;
    },
    counts() {
      const minute = Math.floor(now() / minuteMs);
      dropStale(minute);
      return [...rings.values()]
        .map((ring) => ({ ...ring.event, count: total(ring, minute) }))
        .sort((a, b) => b.count - a.count);
    },
  };
}

/** The same kind of event with its outside detail replaced by `other`. */
function other(event: RecentEvent): RecentEvent {
  switch (event.kind) {
    case 'throttled':
      return { kind: 'throttled', api: 'other' };
    case 'retry':
    case 'upstream_error':
      return { kind: event.kind, api: event.api, code: 'other' };
    case 'slack_error':
      return { kind: 'slack_error', method: 'other', code: 'other' };
    case 'index_walk_failed':
      return { kind: 'index_walk_failed', code: 'other' };
    default:
      return event;
  }
}
