import { type DigestAccount, digestDetails, digestSummary } from '../blocks/digestMessages.ts';
import { simpleMessage } from '../blocks/messages.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError } from '../partner/errors.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import { SlackPostError, type SlackPoster } from '../slack/poster.ts';
import { billingSoon, detectChanges, snapshotOf, tiersNearLimit } from './changes.ts';
import type { DigestStore } from './digestStore.ts';

export interface DigestRunResult {
  outcome: 'posted' | 'empty' | 'failed' | 'channel_gone' | 'already_running';
  accounts: number;
  loaded: number;
  messages: number;
}

export interface DigestRunner {
  run(channel: string, reason: string): Promise<DigestRunResult>;
}

/** Lookups a digest keeps in the rate gate's queue at once: enough to use the whole rate, few enough that a person's /plan never waits behind a digest. */
const digestConcurrency = 3;

export function createDigestRunner(deps: {
  store: DigestStore;
  lookup: PlanLookup | undefined;
  poster: SlackPoster;
  logger: Logger;
  now: () => number;
  sample: boolean;
  ratePerSecond: number;
  /** Called when the bot can no longer post in a channel, so it stops being scheduled. */
  onChannelGone: (channel: string) => Promise<void>;
}): DigestRunner {
  const running = new Set<string>();

  async function loadAll(ids: string[], lookup: PlanLookup, started: number): Promise<DigestAccount[]> {
    // Generous: the gate spaces lookups at the rate, so a digest takes ids ÷ rate seconds.
    const deadline = started + ((ids.length / deps.ratePerSecond) * 1.5 + 60) * 1000;
    const results: DigestAccount[] = new Array<DigestAccount>(ids.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const accountId = ids[i] as string;
        try {
          const { plan } = await lookup.get(accountId, deadline, { fresh: true });
          results[i] = { accountId, plan, changes: [], billingSoon: billingSoon(plan, new Date(deps.now())), nearLimit: tiersNearLimit(plan) };
        } catch (error) {
          results[i] = { accountId, failure: isUpstreamError(error) ? error.code : 'internal', changes: [], nearLimit: [] };
          if (!isUpstreamError(error)) deps.logger.error({ err: error, event: 'digest_lookup_failed', accountId }, 'digest lookup failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(digestConcurrency, ids.length) }, worker));
    return results;
  }

  return {
    async run(channel, reason) {
      if (running.has(channel)) return { outcome: 'already_running', accounts: 0, loaded: 0, messages: 0 };
      running.add(channel);
      const started = deps.now();
      const log = { event: 'digest', channel, reason };
      try {
        const ids = await deps.store.watchlist(channel);
        if (ids.length === 0) {
          deps.logger.info({ ...log, outcome: 'empty' }, 'no watched accounts; nothing to post');
          return { outcome: 'empty', accounts: 0, loaded: 0, messages: 0 };
        }
        if (!deps.lookup) throw new Error('no partner credentials');
        const lastRun = await deps.store.lastRun(channel);
        const accounts = await loadAll(ids, deps.lookup, started);
        for (const a of accounts) {
          if (!a.plan) continue;
          const previous = await deps.store.snapshot(channel, a.accountId);
          a.changes = detectChanges(previous?.snapshot, snapshotOf(a.plan));
        }
        const loaded = accounts.filter((a) => a.plan).length;
        const input = { accounts, first: lastRun === undefined, now: new Date(deps.now()), sample: deps.sample };

        // Failed as a whole: credentials refused for every account. Tell the channel once, briefly.
        if (loaded === 0 && accounts.every((a) => a.failure === 'unauthorized' || a.failure === 'forbidden')) {
          await deps.poster.post(
            channel,
            simpleMessage("Today's plan digest couldn't be made: Constant Contact refused planbot's partner credentials. Ask whoever runs planbot to check them."),
          );
          deps.logger.error({ ...log, outcome: 'failed', why: 'credentials refused', accounts: ids.length, durationMs: deps.now() - started }, 'digest failed');
          return { outcome: 'failed', accounts: ids.length, loaded, messages: 1 };
        }

        const ts = await deps.poster.post(channel, digestSummary(input));
        let messages = 1;
        for (const reply of digestDetails(input)) {
          await deps.poster.post(channel, reply, ts);
          messages++;
        }
        // Snapshots are saved only once the digest is out, so a failed post loses no change.
        for (const a of accounts) if (a.plan) await deps.store.setSnapshot(channel, a.accountId, { snapshot: snapshotOf(a.plan), takenAt: started });
        await deps.store.setLastRun(channel, started);
        deps.logger.info({ ...log, outcome: 'posted', accounts: ids.length, loaded, messages, durationMs: deps.now() - started }, 'digest posted');
        return { outcome: 'posted', accounts: ids.length, loaded, messages };
      } catch (error) {
        if (error instanceof SlackPostError && error.channelGone) {
          deps.logger.warn({ ...log, outcome: 'channel_gone', slackError: error.code }, 'planbot cannot post in this channel any more; unscheduling it');
          await deps.onChannelGone(channel);
          return { outcome: 'channel_gone', accounts: 0, loaded: 0, messages: 0 };
        }
        deps.logger.error({ ...log, outcome: 'failed', err: error, durationMs: deps.now() - started }, 'digest failed');
        return { outcome: 'failed', accounts: 0, loaded: 0, messages: 0 };
      } finally {
        running.delete(channel);
      }
    },
  };
}
