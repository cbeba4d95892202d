import type { SlackMessage } from '../slackApi/message.ts';
import type { AccessVerdict } from '../access/accessGate.ts';
import type { Audit } from '../audit/audit.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError, type UpstreamFailure } from '../partner/errors.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import { SlackPostError, type SlackPoster } from '../slackApi/poster.ts';
import type { DigestAccount, DigestInput } from './digestReport.ts';
import { billingSoon, detectChanges, snapshotOf, tiersNearLimit } from './changes.ts';
import type { DigestStore, RunProgress } from './digestStore.ts';
import type { DigestOutlook, TierOutlook } from './tierOutlook.ts';

export interface DigestRunResult {
  outcome:
    'posted' | 'empty' | 'failed' | 'channel_gone' | 'already_running' | 'already_posted' | 'handed_back' | 'refused';
  accounts: number;
  loaded: number;
  messages: number;
  /** The run should be tried again (Slack or the store failed, or it was handed back at shutdown). */
  retry: boolean;
}

/** Turns a digest into the messages to post (blocks/ words them; the runner only carries them). */
export interface DigestRenderer {
  /** The summary first, then the thread replies listing every account. */
  digest(input: DigestInput): SlackMessage[];
  /** The one message a channel gets when Constant Contact refused planbot's credentials for every account. */
  credentialsRefused(): SlackMessage;
}

export interface DigestRunOptions {
  /** Names this run: a second run with the same key resumes it, or does nothing if it finished. */
  runKey?: string;
  /** Aborted at shutdown: the run stops before its next post and is handed back. */
  signal?: AbortSignal;
}

export interface DigestRunner {
  run(channel: string, reason: string, options?: DigestRunOptions): Promise<DigestRunResult>;
}

class HandedBack extends Error {}

/**
 * Failures after which no further account is read: the quota governor refuses every read alike, so
 * the rest of the list is left out at once instead of asking once per account.
 */
const stopsTheRun: ReadonlySet<string> = new Set(['quota_reserved', 'quota_exceeded']);

/** Lookups a digest keeps in the rate gate's queue at once: enough to use the whole rate, few enough that a person's /plan never waits behind a digest. */
const digestConcurrency = 3;

export function createDigestRunner(deps: {
  store: DigestStore;
  lookup: PlanLookup;
  render: DigestRenderer;
  poster: SlackPoster;
  logger: Logger;
  now: () => number;
  sample: boolean;
  ratePerSecond: number;
  /** Called when the bot can no longer post in a channel, so it stops being scheduled. */
  onChannelGone: (channel: string) => Promise<void>;
  /** Whether planbot may post in the channel now (allowed, not shared with another organization). */
  mayPostIn?: (channel: string) => Promise<AccessVerdict>;
  audit?: Audit;
  /** Each account's forecast from its usage history; bounded, so a slow history only leaves accounts out. */
  outlook?: DigestOutlook;
}): DigestRunner {
  const running = new Set<string>();

  async function loadAll(ids: string[], lookup: PlanLookup, started: number): Promise<DigestAccount[]> {
    // Generous: the gate spaces lookups at the rate, so a digest takes ids ÷ rate seconds.
    const deadline = started + ((ids.length / deps.ratePerSecond) * 1.5 + 60) * 1000;
    const results: DigestAccount[] = new Array<DigestAccount>(ids.length);
    // Read beside the next lookups, not before them: each is bounded, and waited for once at the end.
    const outlooks: Array<Promise<TierOutlook> | undefined> = [];
    let next = 0;
    let stoppedBy: UpstreamFailure | undefined;
    const worker = async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const accountId = ids[i] as string;
        if (stoppedBy) {
          results[i] = { accountId, failure: stoppedBy, changes: [], nearLimit: [] };
          continue;
        }
        try {
          const { plan, fetchedAt } = await lookup.get(accountId, deadline, { fresh: true, purpose: 'digest' });
          outlooks[i] = deps.outlook?.(accountId, plan, fetchedAt);
          results[i] = {
            accountId,
            plan,
            changes: [],
            billingSoon: billingSoon(plan, new Date(deps.now())),
            nearLimit: tiersNearLimit(plan),
          };
        } catch (error) {
          results[i] = {
            accountId,
            failure: isUpstreamError(error) ? error.code : 'internal',
            changes: [],
            nearLimit: [],
          };
          if (isUpstreamError(error) && stopsTheRun.has(error.code)) stoppedBy ??= error.code;
          if (!isUpstreamError(error))
            deps.logger.error({ err: error, event: 'digest_lookup_failed', accountId }, 'digest lookup failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(digestConcurrency, ids.length) }, worker));
    if (stoppedBy) {
      const leftOut = results.filter((a) => !a.plan && a.failure !== undefined && stopsTheRun.has(a.failure));
      deps.logger.warn(
        {
          event: 'digest_left_out',
          why: stoppedBy,
          leftOut: leftOut.length,
          of: ids.length,
          accounts: leftOut.slice(0, 10).map((a) => a.accountId),
        },
        'the digest stopped reading plans for lack of quota; it posts what it has and lists the rest as left out',
      );
    }
    const missed: Array<{ accountId: string; why: string; error?: unknown }> = [];
    for (const [i, pending] of outlooks.entries()) {
      const outlook = await pending;
      const account = results[i] as DigestAccount;
      if (outlook?.ok) account.likelyUp = outlook.likelyUp;
      else if (outlook) missed.push({ accountId: account.accountId, why: outlook.why, error: outlook.error });
    }
    if (missed.length > 0) {
      deps.logger.warn(
        {
          event: 'digest_history_missed',
          missed: missed.length,
          timedOut: missed.filter((m) => m.why === 'timeout').length,
          accounts: missed.slice(0, 10).map((m) => m.accountId),
          err: missed.find((m) => m.error !== undefined)?.error,
        },
        'left accounts out of the likely-to-move-up list: their usage history failed or was too slow',
      );
    }
    return results;
  }

  /** Looks every watched account up and renders the whole digest, ready to post. */
  async function prepare(channel: string, ids: string[], lookup: PlanLookup, started: number): Promise<RunProgress> {
    const lastRun = await deps.store.lastRun(channel);
    const accounts = await loadAll(ids, lookup, started);
    for (const a of accounts) {
      if (!a.plan) continue;
      const previous = await deps.store.snapshot(channel, a.accountId);
      a.changes = detectChanges(previous?.snapshot, snapshotOf(a.plan));
    }
    const loaded = accounts.filter((a) => a.plan).length;
    const base = { posted: 0, startedAt: started, accounts: ids.length, loaded, done: false };
    // Failed as a whole: credentials refused for every account. Tell the channel once, briefly.
    if (loaded === 0 && accounts.every((a) => a.failure === 'unauthorized' || a.failure === 'forbidden')) {
      const message = deps.render.credentialsRefused();
      return { ...base, messages: [message], snapshots: [], outcome: 'failed' };
    }
    const input = { accounts, first: lastRun === undefined, now: new Date(deps.now()), sample: deps.sample };
    return {
      ...base,
      messages: deps.render.digest(input),
      snapshots: accounts.flatMap((a) => (a.plan ? [{ accountId: a.accountId, snapshot: snapshotOf(a.plan) }] : [])),
      outcome: 'posted',
    };
  }

  /** Posts what is left of a prepared run, saving progress after each post. */
  async function deliver(
    channel: string,
    runKey: string,
    progress: RunProgress,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    while (progress.posted < progress.messages.length) {
      if (signal?.aborted) throw new HandedBack();
      const message = progress.messages[progress.posted] as SlackMessage;
      const ts = await deps.poster.post(channel, message, progress.threadTs);
      progress.threadTs ??= ts;
      progress.posted++;
      await deps.store.setProgress(runKey, progress);
    }
    // Snapshots are saved only once the digest is out, so a failed post loses no change.
    for (const { accountId, snapshot } of progress.snapshots)
      await deps.store.setSnapshot(channel, accountId, { snapshot, takenAt: progress.startedAt });
    if (progress.outcome === 'posted') await deps.store.setLastRun(channel, progress.startedAt);
    progress.done = true;
    await deps.store.setProgress(runKey, progress);
  }

  async function audited(
    channel: string,
    reason: string,
    started: number,
    result: DigestRunResult,
  ): Promise<DigestRunResult> {
    if (result.outcome !== 'already_running' && result.outcome !== 'already_posted') {
      deps.audit?.record({
        action: 'digest_post',
        command: reason,
        user: undefined,
        team: undefined,
        channel,
        target: result.accounts > 0 ? `${result.accounts} accounts` : undefined,
        outcome: result.outcome,
        durationMs: deps.now() - started,
      });
    }
    return result;
  }

  return {
    async run(channel, reason, options = {}) {
      const started = deps.now();
      return audited(channel, reason, started, await runOnce(channel, reason, options, started));
    },
  };

  async function runOnce(
    channel: string,
    reason: string,
    options: DigestRunOptions,
    started: number,
  ): Promise<DigestRunResult> {
    const none = { accounts: 0, loaded: 0, messages: 0, retry: false };
    // A scheduled run that meets `digest now` in progress is tried again later, not dropped.
    if (running.has(channel)) return { ...none, outcome: 'already_running', retry: options.runKey !== undefined };
    running.add(channel);
    const runKey = options.runKey ?? `${reason}:${channel}:${started}`;
    const log = { event: 'digest', channel, reason, runKey };
    try {
      // Checked before every run and resume: a channel may have been shared outside since.
      const verdict = (await deps.mayPostIn?.(channel)) ?? { ok: true };
      if (!verdict.ok) {
        deps.logger.warn(
          { ...log, outcome: 'refused', refusal: verdict.refusal },
          'not posting the digest in this channel',
        );
        return { ...none, outcome: 'refused' };
      }
      let progress = await deps.store.progress(runKey);
      if (progress?.done) {
        deps.logger.info({ ...log, outcome: 'already_posted' }, 'this digest was already posted');
        return { ...none, outcome: 'already_posted' };
      }
      if (progress) {
        deps.logger.info(
          { ...log, event: 'digest_resumed', posted: progress.posted, of: progress.messages.length },
          'finishing a digest that stopped half-way',
        );
      } else {
        const ids = await deps.store.watchlist(channel);
        if (ids.length === 0) {
          deps.logger.info({ ...log, outcome: 'empty' }, 'no watched accounts; nothing to post');
          return { ...none, outcome: 'empty' };
        }
        if (!deps.lookup.configured) throw new Error('no partner credentials');
        deps.logger.info({ ...log, event: 'digest_started', accounts: ids.length }, 'digest started');
        progress = await prepare(channel, ids, deps.lookup, started);
        if (options.signal?.aborted) throw new HandedBack();
        await deps.store.setProgress(runKey, progress);
      }
      await deliver(channel, runKey, progress, options.signal);
      const result = {
        outcome: progress.outcome,
        accounts: progress.accounts,
        loaded: progress.loaded,
        messages: progress.messages.length,
        retry: false,
      };
      if (progress.outcome === 'failed') {
        deps.logger.error(
          { ...log, ...result, why: 'credentials refused', durationMs: deps.now() - started },
          'digest failed',
        );
      } else {
        deps.logger.info({ ...log, ...result, durationMs: deps.now() - started }, 'digest posted');
      }
      return result;
    } catch (error) {
      if (error instanceof HandedBack) {
        deps.logger.warn(
          { ...log, outcome: 'handed_back' },
          'stopping: this digest is handed back to be finished later or by another replica',
        );
        return { ...none, outcome: 'handed_back', retry: true };
      }
      if (error instanceof SlackPostError && error.channelGone) {
        deps.logger.warn(
          { ...log, outcome: 'channel_gone', slackError: error.code },
          'planbot cannot post in this channel any more; unscheduling it',
        );
        await deps.onChannelGone(channel);
        return { ...none, outcome: 'channel_gone' };
      }
      deps.logger.error({ ...log, outcome: 'failed', err: error, durationMs: deps.now() - started }, 'digest failed');
      return { ...none, outcome: 'failed', retry: true };
    } finally {
      running.delete(channel);
    }
  }
}
