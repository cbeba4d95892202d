import type { SlackMessage } from '../blocks/limits.ts';
import { simpleMessage } from '../blocks/messages.ts';
import { code, safeText } from '../blocks/mrkdwn.ts';
import { knownStatus } from '../billing/planLabels.ts';
import { maxIdsPerWatch, type PlanCommand } from '../commands/planCommand.ts';
import type { Logger } from '../logger.ts';
import { isUpstreamError } from '../partner/errors.ts';
import type { PlanLookup } from '../partner/planLookup.ts';
import type { SlackPoster } from '../slack/poster.ts';
import type { DigestStore } from './digestStore.ts';
import type { DigestRunner } from './runDigest.ts';
import { type DigestSchedule, describeSchedule, digestExample, parseDigestCommand } from './schedule.ts';
import type { DigestScheduler } from './scheduler.ts';

export type DigestSubcommand = Extract<PlanCommand, { kind: 'watch' | 'unwatch' | 'watchlist' | 'digest' }>;

export interface DigestCommandResult {
  message: SlackMessage;
  /** For the audit line: what came of it (`watched`, `set`, `paused`, …). */
  outcome: string;
  /** Work that continues after the first answer (`digest now`), with a follow-up if there is news. */
  followUp?: () => Promise<SlackMessage | undefined>;
}

export interface DigestCommands {
  handle(
    cmd: DigestSubcommand,
    where: { channelId: string; userId: string },
    deadline: number,
  ): Promise<DigestCommandResult>;
}

const reasonWords: Record<string, string> = {
  not_found: 'not found at Constant Contact',
  forbidden: 'not readable with planbot’s partner access',
  bad_request: 'refused by Constant Contact',
};

/** "Mon, Nov 23, 08:00" in the schedule's own time zone. */
export function formatRunTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

export function createDigestCommands(deps: {
  store: DigestStore;
  scheduler: DigestScheduler;
  runner: DigestRunner;
  lookup: PlanLookup;
  poster: SlackPoster;
  logger: Logger;
  now: () => number;
  /** False while the shared store is away: watchlists and schedules are not changed from memory. */
  storeAvailable: () => Promise<boolean>;
}): DigestCommands {
  const scheduleLine = async (channel: string) => {
    const record = await deps.store.schedule(channel);
    if (!record) return `No digest is scheduled here yet: set one with ${digestExample}.`;
    const next = await deps.scheduler.nextRun(channel);
    return `Digest: ${describeSchedule(record.schedule)}${next ? `; next ${formatRunTime(next, record.schedule.timeZone)}` : ''}.`;
  };

  async function watch(
    cmd: Extract<DigestSubcommand, { kind: 'watch' | 'unwatch' }>,
    channel: string,
    deadline: number,
  ): Promise<DigestCommandResult> {
    if (cmd.ids.length + cmd.invalid.length > maxIdsPerWatch)
      return {
        message: simpleMessage(`Watch at most ${maxIdsPerWatch} accounts at a time.`),
        outcome: 'invalid_input',
      };
    const refused: string[] = cmd.invalid.map((w) => `${code(w, 64)} (isn't an account id)`);
    const ok: string[] = [];
    for (const id of cmd.ids) {
      try {
        await deps.lookup.get(id, deadline);
        ok.push(id);
      } catch (error) {
        const why = isUpstreamError(error)
          ? (reasonWords[error.code] ?? `couldn't be checked: ${error.code.replace(/_/g, ' ')}; try again`)
          : "couldn't be checked; try again";
        refused.push(`${code(id, 64)} (${why})`);
      }
    }
    const list = ok.length ? await deps.store.watch(channel, ok) : await deps.store.watchlist(channel);
    const lines: string[] = [];
    if (ok.length) lines.push(`Now watching ${ok.map((id) => code(id, 64)).join(', ')} in this channel.`);
    if (refused.length) lines.push(`Not watched: ${refused.join(', ')}.`);
    lines.push(
      `${list.length} account${list.length === 1 ? ' is' : 's are'} watched here. ${await scheduleLine(channel)}`,
    );
    return {
      message: simpleMessage(lines.join('\n')),
      outcome: ok.length === 0 ? 'none_watched' : refused.length > 0 ? 'partly_watched' : 'watched',
    };
  }

  async function digest(args: string[], where: { channelId: string; userId: string }): Promise<DigestCommandResult> {
    const channel = where.channelId;
    const parsed = parseDigestCommand(args);
    switch (parsed.kind) {
      case 'invalid':
        return { message: simpleMessage(`I couldn't set the digest: ${parsed.problem}.`), outcome: 'invalid_input' };
      case 'show': {
        const count = (await deps.store.watchlist(channel)).length;
        return {
          message: simpleMessage(
            `${await scheduleLine(channel)} ${count} account${count === 1 ? ' is' : 's are'} watched here.`,
          ),
          outcome: 'shown',
        };
      }
      case 'off':
        await deps.store.clearSchedule(channel);
        await deps.scheduler.remove(channel);
        return {
          message: simpleMessage('The digest for this channel is off. Watched accounts stay on the list.'),
          outcome: 'off',
        };
      case 'now':
        return {
          message: simpleMessage('Posting the digest in this channel now.'),
          outcome: 'started',
          followUp: async () => {
            const result = await deps.runner.run(channel, 'now');
            if (result.outcome === 'empty')
              return simpleMessage('No accounts are watched here yet: add some with `/plan watch a07e1lxtnhz0`.');
            if (result.outcome === 'channel_gone')
              return simpleMessage('I can’t post in this channel. Invite me first: `/invite @planbot`.');
            if (result.outcome === 'failed')
              return simpleMessage(
                'The digest could not be posted (the details are in planbot’s log). Try again in a few minutes.',
              );
            if (result.outcome === 'already_running')
              return simpleMessage('A digest for this channel is already being posted.');
            if (result.outcome === 'refused')
              return simpleMessage(
                'planbot won’t post a digest in this channel: it is shared with another organization or not enabled for planbot.',
              );
            if (result.outcome === 'handed_back')
              return simpleMessage(
                'planbot was restarted before the digest was finished. Run `/plan digest now` again in a minute.',
              );
            return undefined;
          },
        };
      case 'set': {
        let timeZone = parsed.timeZone;
        let fromProfile = false;
        if (!timeZone) {
          timeZone = await deps.poster.userTimeZone(where.userId);
          fromProfile = timeZone !== undefined;
        }
        const schedule: DigestSchedule = {
          cadence: parsed.cadence,
          ...(parsed.day ? { day: parsed.day } : {}),
          hour: parsed.hour,
          minute: parsed.minute,
          timeZone: timeZone ?? 'UTC',
        };
        const setAt = deps.now();
        await deps.store.setSchedule(channel, { schedule, setBy: where.userId, setAt });
        await deps.scheduler.set(channel, schedule, setAt, await deps.store.lastRun(channel));
        const zoneNote = parsed.timeZone
          ? ''
          : fromProfile
            ? ' (your Slack time zone)'
            : ' (UTC: I couldn’t read your time zone; add one to the command to change it)';
        return {
          message: simpleMessage(
            `Digest set: ${describeSchedule(schedule)}${zoneNote}. ${await scheduleLine(channel)}`,
          ),
          outcome: 'set',
        };
      }
    }
  }

  return {
    async handle(cmd, where, deadline) {
      const channel = where.channelId;
      if (!(await deps.storeAvailable())) {
        deps.logger.warn(
          { event: 'digest_command_refused', why: 'store unavailable', channel, command: cmd.kind },
          'digest command refused while the store is away',
        );
        return {
          message: simpleMessage(
            'Watchlists and digests are paused for a moment: planbot can’t reach its shared storage. Lookups still work. Try again in a few minutes.',
          ),
          outcome: 'paused',
        };
      }
      if ((cmd.kind === 'watch' || cmd.kind === 'unwatch') && cmd.ids.length + cmd.invalid.length === 0) {
        return {
          message: simpleMessage(
            `Name at least one account: \`/plan ${cmd.kind} a07e1lxtnhz0\` (several, separated by spaces).`,
          ),
          outcome: 'invalid_input',
        };
      }
      switch (cmd.kind) {
        case 'watch':
          return watch(cmd, channel, deadline);
        case 'unwatch': {
          const { removed, notWatched } = await deps.store.unwatch(channel, cmd.ids);
          const lines: string[] = [];
          if (removed.length) lines.push(`Stopped watching ${removed.map((id) => code(id, 64)).join(', ')}.`);
          if (notWatched.length || cmd.invalid.length)
            lines.push(
              `Not on this channel's list: ${[...notWatched, ...cmd.invalid].map((id) => code(id, 64)).join(', ')}.`,
            );
          return {
            message: simpleMessage(lines.join('\n')),
            outcome: removed.length > 0 ? 'unwatched' : 'none_unwatched',
          };
        }
        case 'watchlist': {
          const ids = await deps.store.watchlist(channel);
          if (ids.length === 0)
            return {
              message: simpleMessage(
                'No accounts are watched in this channel. Add some with `/plan watch a07e1lxtnhz0`.',
              ),
              outcome: 'shown',
            };
          const lines: string[] = [];
          for (const id of ids) {
            const snap = await deps.store.snapshot(channel, id);
            const status = snap
              ? (knownStatus(snap.snapshot.billingStatus) ??
                safeText(snap.snapshot.billingStatus ?? 'status not shown', 40))
              : undefined;
            lines.push(
              `• ${code(id, 64)} ${status ? `${status} (as of ${new Date(snap?.takenAt ?? 0).toISOString().slice(0, 10)})` : '_not in a digest yet_'}`,
            );
          }
          const header = `*${ids.length} account${ids.length === 1 ? '' : 's'} watched in this channel*`;
          return {
            message: simpleMessage(
              `${header}\n${lines.slice(0, 60).join('\n')}${lines.length > 60 ? `\n_…and ${lines.length - 60} more_` : ''}\n${await scheduleLine(channel)}`,
            ),
            outcome: 'shown',
          };
        }
        case 'digest':
          return digest(cmd.args, where);
      }
    },
  };
}

/** Digest subcommands, or a plain answer when digests are not available (no partner credentials). */
export async function runDigestCommand(
  digests: DigestCommands | undefined,
  cmd: DigestSubcommand,
  asker: { channelId: string; userId: string },
  deadline: number,
): Promise<DigestCommandResult> {
  if (!digests) {
    return {
      message: simpleMessage(
        'Digests need Constant Contact partner credentials, and planbot has none. Ask whoever runs planbot to set them.',
      ),
      outcome: 'not_configured',
    };
  }
  return digests.handle(cmd, { channelId: asker.channelId, userId: asker.userId }, deadline);
}
