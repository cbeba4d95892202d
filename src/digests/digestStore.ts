import type { SlackMessage } from '../slackApi/message.ts';
import type { DurableKv } from '../store/createStore.ts';
import type { AccountSnapshot } from './changes.ts';
import type { DigestSchedule } from './schedule.ts';

export interface ScheduleRecord {
  schedule: DigestSchedule;
  setBy: string;
  setAt: number;
}

/**
 * One digest run, saved before its first post and after each one, so a run that stopped half-way
 * (its replica died or was stopped) is finished by the next attempt without posting anything twice.
 */
export interface RunProgress {
  messages: SlackMessage[];
  /** How many of `messages` are posted; the first is the summary, the rest reply in its thread. */
  posted: number;
  threadTs?: string;
  /** Saved once every message is out (none when the run only reports a failure). */
  snapshots: { accountId: string; snapshot: AccountSnapshot }[];
  startedAt: number;
  outcome: 'posted' | 'failed';
  accounts: number;
  loaded: number;
  done: boolean;
}

export interface SnapshotRecord {
  snapshot: AccountSnapshot;
  takenAt: number;
}

/**
 * A channel's digest state: its watchlist, schedule, the last snapshot of each watched account and
 * when the last digest ran. Every write is awaited before the person is told it happened.
 */
export class DigestStore {
  readonly #kv: DurableKv;
  constructor(kv: DurableKv) {
    this.#kv = kv;
  }

  async watchlist(channel: string): Promise<string[]> {
    return (await this.#kv.get<string[]>(`watch:${channel}`)) ?? [];
  }

  /** Adds ids (keeping order, no duplicates); returns the new list. */
  async watch(channel: string, ids: string[]): Promise<string[]> {
    const list = await this.watchlist(channel);
    const next = [...list, ...ids.filter((id) => !list.includes(id))];
    await this.#kv.set(`watch:${channel}`, next);
    return next;
  }

  /** Removes ids; returns the ids that were not watched. */
  async unwatch(channel: string, ids: string[]): Promise<{ removed: string[]; notWatched: string[] }> {
    const list = await this.watchlist(channel);
    const removed = ids.filter((id) => list.includes(id));
    await this.#kv.set(
      `watch:${channel}`,
      list.filter((id) => !ids.includes(id)),
    );
    for (const id of removed) await this.#kv.delete(`snapshot:${channel}:${id}`);
    return { removed, notWatched: ids.filter((id) => !list.includes(id)) };
  }

  async schedule(channel: string): Promise<ScheduleRecord | undefined> {
    return this.#kv.get<ScheduleRecord>(`schedule:${channel}`);
  }

  async setSchedule(channel: string, record: ScheduleRecord): Promise<void> {
    await this.#kv.set(`schedule:${channel}`, record);
    const channels = await this.scheduledChannels();
    if (!channels.includes(channel)) await this.#kv.set('scheduled-channels', [...channels, channel]);
  }

  async clearSchedule(channel: string): Promise<void> {
    await this.#kv.delete(`schedule:${channel}`);
    const channels = await this.scheduledChannels();
    await this.#kv.set(
      'scheduled-channels',
      channels.filter((c) => c !== channel),
    );
  }

  /** Every channel with a schedule, so a restart can set them all up again. */
  async scheduledChannels(): Promise<string[]> {
    return (await this.#kv.get<string[]>('scheduled-channels')) ?? [];
  }

  async snapshot(channel: string, accountId: string): Promise<SnapshotRecord | undefined> {
    return this.#kv.get<SnapshotRecord>(`snapshot:${channel}:${accountId}`);
  }

  async setSnapshot(channel: string, accountId: string, record: SnapshotRecord): Promise<void> {
    await this.#kv.set(`snapshot:${channel}:${accountId}`, record);
  }

  /** When the channel's last digest was posted (epoch ms), or undefined before the first. */
  async lastRun(channel: string): Promise<number | undefined> {
    return this.#kv.get<number>(`last-run:${channel}`);
  }

  async setLastRun(channel: string, at: number): Promise<void> {
    await this.#kv.set(`last-run:${channel}`, at);
  }

  async progress(runKey: string): Promise<RunProgress | undefined> {
    return this.#kv.get<RunProgress>(`run:${runKey}`);
  }

  /** Kept a week: long enough that a late duplicate of the run finds it done. */
  async setProgress(runKey: string, progress: RunProgress): Promise<void> {
    await this.#kv.set(`run:${runKey}`, progress, 7 * 24 * 3600_000);
  }
}
