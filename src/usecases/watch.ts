import type { AccountFinder, Candidates, IndexNotReady, NoMatch, WatchCommand } from '../accounts/finder.ts';
import type { DigestStore } from '../digests/digestStore.ts';
import type { DigestScheduler } from '../digests/scheduler.ts';
import { maxIdsPerWatch, type PlanCommand } from '../grammar/planCommand.ts';
import type { Logger } from '../logger.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import { type ScheduleFacts, scheduleFacts } from './digestFacts.ts';
import { type Asker, type Failure, failureOf } from './types.ts';

export type WatchlistCommand = Extract<PlanCommand, { kind: 'watch' | 'unwatch' | 'watchlist' }>;

/** An id that was not watched, and why. */
export interface RefusedId {
  id: string;
  reason: 'not_an_id' | Failure;
}

/** What came of `watch`, `unwatch` or `watchlist` in a channel (or a DM). */
export type WatchOutcome =
  | { kind: 'not_configured' }
  /** The shared store is away: watchlists are not changed from memory. */
  | { kind: 'paused' }
  | { kind: 'no_ids'; verb: 'watch' | 'unwatch' }
  | { kind: 'too_many'; max: number }
  | (Candidates & { purpose: 'watch' | 'unwatch' })
  | NoMatch
  | IndexNotReady
  | { kind: 'watched'; added: string[]; refused: RefusedId[]; total: number; schedule: ScheduleFacts }
  | { kind: 'unwatched'; removed: string[]; notWatched: string[] }
  | {
      kind: 'watchlist';
      /** Each watched id with its status at the last digest (undefined: not in a digest yet). */
      entries: Array<{ id: string; last: { status: string | null; takenAt: number } | undefined }>;
      schedule: ScheduleFacts;
    };

export function watchOutcomeName(outcome: WatchOutcome): string {
  switch (outcome.kind) {
    case 'no_ids':
    case 'too_many':
      return 'invalid_input';
    case 'watched':
      return outcome.added.length === 0 ? 'none_watched' : outcome.refused.length > 0 ? 'partly_watched' : 'watched';
    case 'unwatched':
      return outcome.removed.length > 0 ? 'unwatched' : 'none_unwatched';
    case 'watchlist':
      return 'shown';
    default:
      return outcome.kind;
  }
}

export interface WatchUseCase {
  /**
   * Changes or shows the watchlist of the asker's channel. `resolveNames`: words that are not ids
   * are looked up in the account index first (a picked candidate's id needs no resolving).
   */
  run(
    cmd: WatchlistCommand,
    asker: Asker,
    deadline: number,
    options?: { resolveNames?: boolean },
  ): Promise<WatchOutcome>;
}

export function createWatchUseCase(deps: {
  store: DigestStore;
  scheduler: DigestScheduler;
  lookup: PlanLookup;
  finder: AccountFinder;
  logger: Logger;
  /** False while the shared store is away. */
  storeAvailable: () => Promise<boolean>;
  /** Told when a watchlist changed (the person's Home tab shows their DM's). */
  onChanged?: (asker: Asker) => void;
}): WatchUseCase {
  async function watch(cmd: WatchCommand, channel: string, deadline: number): Promise<WatchOutcome> {
    if (cmd.ids.length + cmd.invalid.length > maxIdsPerWatch) return { kind: 'too_many', max: maxIdsPerWatch };
    const refused: RefusedId[] = cmd.invalid.map((id) => ({ id, reason: 'not_an_id' as const }));
    const added: string[] = [];
    for (const id of cmd.ids) {
      try {
        // Each id is checked with Constant Contact before it is watched.
        await deps.lookup.get(id, deadline);
        added.push(id);
      } catch (error) {
        refused.push({ id, reason: failureOf(error) });
      }
    }
    const list = added.length ? await deps.store.watch(channel, added) : await deps.store.watchlist(channel);
    return {
      kind: 'watched',
      added,
      refused,
      total: list.length,
      schedule: await scheduleFacts(deps.store, deps.scheduler, channel),
    };
  }

  async function change(cmd: WatchlistCommand, channel: string, deadline: number): Promise<WatchOutcome> {
    if (!deps.lookup.configured) return { kind: 'not_configured' };
    if (!(await deps.storeAvailable())) {
      deps.logger.warn(
        { event: 'digest_command_refused', why: 'store unavailable', channel, command: cmd.kind },
        'digest command refused while the store is away',
      );
      return { kind: 'paused' };
    }
    switch (cmd.kind) {
      case 'watch':
      case 'unwatch':
        if (cmd.ids.length + cmd.invalid.length === 0) return { kind: 'no_ids', verb: cmd.kind };
        if (cmd.kind === 'watch') return watch(cmd, channel, deadline);
        {
          const { removed, notWatched } = await deps.store.unwatch(channel, cmd.ids);
          return { kind: 'unwatched', removed, notWatched: [...notWatched, ...cmd.invalid] };
        }
      case 'watchlist': {
        const ids = await deps.store.watchlist(channel);
        const entries: Array<{ id: string; last: { status: string | null; takenAt: number } | undefined }> = [];
        for (const id of ids) {
          const snap = await deps.store.snapshot(channel, id);
          entries.push({ id, last: snap ? { status: snap.snapshot.billingStatus, takenAt: snap.takenAt } : undefined });
        }
        return { kind: 'watchlist', entries, schedule: await scheduleFacts(deps.store, deps.scheduler, channel) };
      }
    }
  }

  const changed = (outcome: WatchOutcome, asker: Asker) => {
    if (
      (outcome.kind === 'watched' && outcome.added.length > 0) ||
      (outcome.kind === 'unwatched' && outcome.removed.length > 0)
    )
      deps.onChanged?.(asker);
    return outcome;
  };

  return {
    async run(cmd, asker, deadline, options = {}) {
      if ((cmd.kind === 'watch' || cmd.kind === 'unwatch') && options.resolveNames !== false) {
        const resolved = await deps.finder.resolveWatch(cmd);
        if (resolved.kind === 'candidates') return { ...resolved, purpose: cmd.kind };
        if (resolved.kind !== 'command') return resolved;
        return changed(await change(resolved.cmd, asker.channelId, deadline), asker);
      }
      return changed(await change(cmd, asker.channelId, deadline), asker);
    },
  };
}
