import type { AccountFinder, CurrentIndex, IndexFacts, IndexNotReady } from '../accounts/finder.ts';
import type { AccountHistory } from '../history/historyStore.ts';
import { type AccountOutlook, drawRadar, outlooks, type Radar } from '../history/radar.ts';
import { utcDay } from '../history/series.ts';
import type { Logger } from '../logger.ts';

/** Why there is no radar: no index to go through, no partner credentials, or the history could not be read. */
export type RadarUnavailable = IndexNotReady | { kind: 'not_configured' } | { kind: 'failed' };

/** `/plan radar`: the three lists over every indexed account, or why there are none. */
export type RadarOutcome = { kind: 'radar'; radar: Radar; index: IndexFacts } | RadarUnavailable;

/** Every indexed account's outlook, in the index's order: the CSV's rows. */
export type RadarRowsOutcome = { kind: 'rows'; outlooks: AccountOutlook[]; index: IndexFacts } | RadarUnavailable;

/**
 * What came of `/plan radar --csv`. The answer uploads the file (a use case never posts); this is
 * what it tells the person: `dm` when the file went to their DM with planbot from elsewhere, `here`
 * when it went where they asked (the DM itself, or the thread of a mention).
 */
export type RadarCsvOutcome =
  | { kind: 'uploaded'; to: 'dm' | 'here'; channelId: string; accounts: number; index: IndexFacts }
  /** Slack refused the upload or the DM: its error code (`missing_scope`, `not_in_channel`, …). */
  | { kind: 'upload_failed'; to: 'dm' | 'here'; code: string }
  /** The surface has nowhere to put a file. */
  | { kind: 'no_place' }
  | RadarUnavailable;

export interface RadarUseCase {
  /** The radar as of now; the same one for a minute within one index build and UTC day. */
  draw(): Promise<RadarOutcome>;
  /** Every indexed account's outlook (not kept: a CSV is asked for rarely and is the whole book). */
  rows(): Promise<RadarRowsOutcome>;
  /** Drops the kept radar: plan reads just changed what it would say. */
  forget(): void;
}

/** The audit's and the metrics' word for a radar outcome. */
export function radarOutcomeName(outcome: RadarOutcome | RadarCsvOutcome): string {
  switch (outcome.kind) {
    case 'radar':
      return 'radar';
    case 'uploaded':
      return 'csv_uploaded';
    case 'upload_failed':
      return `csv_${outcome.code}`;
    case 'failed':
      return 'history_unavailable';
    default:
      return outcome.kind;
  }
}

/** How long a drawn radar is reused: repeated asks are instant, and the lists are never older than this. */
export const radarKeptMs = 60_000;

export function createRadarUseCase(deps: {
  finder: Pick<AccountFinder, 'current'>;
  histories: (ids: readonly string[]) => AsyncIterable<AccountHistory>;
  logger: Logger;
  now: () => number;
  keptMs?: number;
}): RadarUseCase {
  const keptMs = deps.keptMs ?? radarKeptMs;
  let kept: { key: string; at: number; drawing: Promise<RadarOutcome> } | undefined;

  async function drawFresh(index: Extract<CurrentIndex, { kind: 'ready' }>): Promise<RadarOutcome> {
    const started = performance.now();
    const radar = await drawRadar(index.index.accounts, deps.histories, deps.now());
    deps.logger.info(
      {
        event: 'radar_drawn',
        accounts: radar.accounts,
        withTrend: radar.withTrend,
        needsRead: radar.needsRead.length,
        ms: Math.round(performance.now() - started),
      },
      'drew the upgrade radar',
    );
    return { kind: 'radar', radar, index: index.facts };
  }

  const historyFailed = (error: unknown): { kind: 'failed' } => {
    deps.logger.warn({ event: 'radar_failed', err: error }, 'could not read the usage history for the radar');
    return { kind: 'failed' };
  };

  return {
    async draw() {
      const current = await deps.finder.current();
      if (current.kind !== 'ready') return current;
      const now = deps.now();
      const key = `${current.index.builtAt}:${utcDay(now)}`;
      if (!kept || kept.key !== key || now - kept.at >= keptMs || now < kept.at) {
        const drawing = drawFresh(current).catch(historyFailed);
        kept = { key, at: now, drawing };
        // A failure is told once, not kept for a minute.
        void drawing.then((outcome) => {
          if (outcome.kind === 'failed' && kept?.drawing === drawing) kept = undefined;
        });
      }
      return kept.drawing;
    },
    async rows() {
      const current = await deps.finder.current();
      if (current.kind !== 'ready') return current;
      try {
        const rows: AccountOutlook[] = [];
        for await (const o of outlooks(current.index.accounts, deps.histories, deps.now())) rows.push(o);
        return { kind: 'rows', outlooks: rows, index: current.facts };
      } catch (error) {
        return historyFailed(error);
      }
    },
    forget() {
      kept = undefined;
    },
  };
}
