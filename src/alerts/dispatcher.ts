import type { AccessVerdict } from '../access/accessGate.ts';
import type { Audit } from '../audit/audit.ts';
import type { Logger } from '../logger.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { SlackPostError, type SlackPoster } from '../slackApi/poster.ts';
import type { Store } from '../store/createStore.ts';
import type { Alert } from './accountState.ts';
import type { AlertStore, Feed, FeedGroup } from './alertStore.ts';

/** Words alerts (blocks/ does: the dispatcher only decides what goes where, and carries it). */
export interface AlertRenderer {
  /** One alert on its own. */
  single(alert: Alert): SlackMessage;
  /** The top of a burst: how many accounts changed, and how. */
  summary(counts: FeedGroup['counts']): SlackMessage;
  /** Up to `alertsPerReply` alerts, as one reply in the summary's thread. */
  details(alerts: Alert[]): SlackMessage;
}

export interface AlertDispatcher {
  start(): void;
  /** Channels with new alerts: post them soon. */
  kick(channels: string[]): void;
  stop(waitMs: number): Promise<void>;
}

/** Accounts listed in one thread reply. */
export const alertsPerReply = 20;

type Counts = FeedGroup['counts'];

function countsOf(alerts: Alert[], into: Counts = {}): Counts {
  const counts = { ...into };
  for (const a of alerts) counts[a.kind] = (counts[a.kind] ?? 0) + 1;
  return counts;
}

const sameCounts = (a: Counts, b: Counts) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Posts each channel's queued alerts. Alerts that come close together (a billing run moves
 * hundreds of accounts in minutes) go out as one summary with the details in its thread, at
 * Slack's pace of about a message a second per channel (the poster keeps it). One replica posts
 * in a channel at a time; an alert leaves the feed only once Slack has it.
 */
export function createAlertDispatcher(o: {
  store: AlertStore;
  locks: Pick<Store, 'claim' | 'release'>;
  poster: SlackPoster;
  render: AlertRenderer;
  /** Whether planbot may post there now (allowed, not shared with another organization). */
  mayPostIn: (channel: string) => Promise<AccessVerdict>;
  onPosted: (alert: Alert, channel: string) => void;
  audit: Audit;
  logger: Logger;
  now: () => number;
  /** How long the first alert of a burst waits for the others (ms). */
  gatherMs?: number;
  /** Alerts within this long of a burst's last post join its thread (ms). */
  groupWindowMs?: number;
  /** How often every channel's feed is checked, for alerts another replica queued (ms). */
  scanMs?: number;
}): AlertDispatcher {
  const gatherMs = o.gatherMs ?? 3_000;
  const groupWindowMs = o.groupWindowMs ?? 5 * 60_000;
  const scanMs = o.scanMs ?? 2_000;
  /** Posts per hold of a channel's claim: 20 at a second each stays well inside the claim's minute. */
  const postsPerClaim = 20;
  const draining = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let stopped = true;
  let scanTimer: NodeJS.Timeout | undefined;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

  /** Removes alerts from the feed: posted (remembered, so they are never posted again) or dropped. */
  const settle = (channel: string, alerts: Alert[], group: (feed: Feed) => FeedGroup | undefined) =>
    o.store.updateFeed(channel, (feed) => {
      const keys = new Set(alerts.map((a) => a.key));
      feed.pending = feed.pending.filter((a) => !keys.has(a.key));
      feed.posted.push(...keys);
      feed.group = group(feed);
    });

  /** One audit line per alert: its kind when posted, why when not. */
  const audited = (channel: string, alert: Alert, outcome: string) =>
    o.audit.record({
      action: 'alert_post',
      command: 'alert',
      user: undefined,
      team: undefined,
      channel,
      target: alert.accountId,
      outcome,
      durationMs: Math.max(0, o.now() - alert.at),
    });

  async function refused(channel: string, alerts: Alert[], why: string) {
    await settle(channel, alerts, (feed) => feed.group);
    o.logger.warn({ event: 'alerts_not_posted', channel, why, count: alerts.length }, 'alerts not posted in a channel');
    for (const alert of alerts) audited(channel, alert, why);
  }

  function posted(channel: string, alerts: Alert[]) {
    for (const alert of alerts) {
      o.onPosted(alert, channel);
      audited(channel, alert, alert.kind);
    }
  }

  /** One post (a single alert, a summary, or a reply); false when the channel is done for now. */
  async function step(channel: string): Promise<boolean> {
    const feed = await o.store.feed(channel);
    if (feed.pending.length === 0) return false;
    const oldest = Math.min(...feed.pending.map((a) => a.at));
    const wait = oldest + gatherMs - o.now();
    if (wait > 0) await sleep(Math.min(wait, gatherMs));
    const verdict = await o.mayPostIn(channel);
    const current = await o.store.feed(channel);
    if (!verdict.ok && verdict.refusal === 'access_unverified') {
      // Slack could not say whether the channel is shared: ask again later rather than drop anything.
      o.logger.warn({ event: 'alerts_waiting', channel }, 'cannot check the channel yet; alerts wait');
      await sleep(5_000);
      return false;
    }
    if (!verdict.ok) {
      await refused(channel, current.pending, `refused_${verdict.refusal}`);
      return false;
    }
    const group = current.group && o.now() - current.group.lastPostAt < groupWindowMs ? current.group : undefined;
    try {
      if (group) {
        const batch = current.pending.slice(0, alertsPerReply);
        await o.poster.post(channel, o.render.details(batch), group.ts);
        await settle(channel, batch, () => ({ ...group, counts: countsOf(batch, group.counts), lastPostAt: o.now() }));
        posted(channel, batch);
        return true;
      }
      if (current.pending.length === 1) {
        const batch = current.pending;
        await o.poster.post(channel, o.render.single(batch[0] as Alert));
        await settle(channel, batch, () => undefined);
        posted(channel, batch);
        return true;
      }
      // A burst: the summary counts what is queued now; the replies follow in its thread.
      const counts = countsOf(current.pending);
      const ts = await o.poster.post(channel, o.render.summary(counts));
      const started: FeedGroup = { ts, counts: {}, shown: counts, startedAt: o.now(), lastPostAt: o.now() };
      await o.store.updateFeed(channel, (feed) => void (feed.group = started));
      return true;
    } catch (error) {
      if (error instanceof SlackPostError && error.channelGone) {
        await o.store.clearChannel(channel);
        await refused(channel, current.pending, 'channel_gone');
        return false;
      }
      o.logger.warn({ event: 'alert_post_failed', channel, err: error }, 'could not post alerts; will try again');
      await sleep(5_000);
      return false;
    }
  }

  /** Brings the summary's counts up to what its thread now lists. */
  async function refreshSummary(channel: string) {
    const feed = await o.store.feed(channel);
    const group = feed.group;
    if (!group) return;
    const shown: Counts = { ...group.shown };
    for (const [kind, n] of Object.entries(group.counts) as Array<[Alert['kind'], number]>)
      shown[kind] = Math.max(shown[kind] ?? 0, n);
    if (sameCounts(shown, group.shown)) return;
    try {
      await o.poster.update(channel, group.ts, o.render.summary(shown));
      await o.store.updateFeed(channel, (f) => void (f.group &&= { ...f.group, shown }));
    } catch (error) {
      o.logger.warn({ event: 'alert_summary_update_failed', channel, err: error }, 'could not update an alert summary');
    }
  }

  async function drain(channel: string) {
    const claimKey = `held:alerts-post:${channel}`;
    for (let more = true; more && !stopped;) {
      // Another replica is posting here: it takes what this one queued too.
      if (!(await o.locks.claim(claimKey, 60_000))) return;
      try {
        more = false;
        for (let i = 0; i < postsPerClaim && !stopped; i++) {
          if (!(await step(channel))) break;
          if (i === postsPerClaim - 1) more = true;
        }
        await refreshSummary(channel);
      } finally {
        await o.locks.release(claimKey);
      }
    }
  }

  function schedule(channel: string) {
    if (stopped) return;
    if (draining.has(channel)) return void again.add(channel);
    const run = drain(channel)
      .catch((error: unknown) =>
        o.logger.error({ event: 'alert_dispatch_failed', channel, err: error }, 'could not post alerts'),
      )
      .finally(() => {
        draining.delete(channel);
        if (again.delete(channel)) schedule(channel);
      });
    draining.set(channel, run);
  }

  async function scan() {
    try {
      for (const channel of await o.store.channels()) {
        if (draining.has(channel)) continue;
        if ((await o.store.feed(channel)).pending.length > 0) schedule(channel);
      }
    } catch (error) {
      o.logger.warn({ event: 'alert_scan_failed', err: error }, 'could not check the alert feeds');
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      const tick = () => {
        void scan().finally(() => {
          if (!stopped) scanTimer = setTimeout(tick, scanMs).unref();
        });
      };
      tick();
    },
    kick(channels) {
      for (const channel of channels) schedule(channel);
    },
    async stop(waitMs) {
      stopped = true;
      if (scanTimer) clearTimeout(scanTimer);
      await Promise.race([
        Promise.allSettled([...draining.values()]),
        new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
      ]);
    },
  };
}
