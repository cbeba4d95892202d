import { knownStatus } from '../billing/planLabels.ts';
import type { DigestRunResult } from '../digests/runDigest.ts';
import { describeSchedule, digestExample } from '../digests/schedule.ts';
import type { ScheduleFacts } from '../usecases/digestFacts.ts';
import type { DigestSettingsOutcome } from '../usecases/digestSettings.ts';
import type { RefusedId, WatchOutcome } from '../usecases/watch.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { code, safeText } from '../text/mrkdwn.ts';
import { candidatesMessage, indexNotReady, noMatchMessage } from './accountMatches.ts';
import { simpleMessage } from './elements.ts';

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

function scheduleLine(facts: ScheduleFacts): string {
  if (!facts.schedule) return `No digest is scheduled here yet: set one with ${digestExample}.`;
  const next = facts.next ? `; next ${formatRunTime(facts.next, facts.schedule.timeZone)}` : '';
  return `Digest: ${describeSchedule(facts.schedule)}${next}.`;
}

const watchedHere = (count: number) => `${count} account${count === 1 ? ' is' : 's are'} watched here.`;

const notConfigured = () =>
  simpleMessage(
    'Digests need Constant Contact partner credentials, and planbot has none. Ask whoever runs planbot to set them.',
  );

const paused = () =>
  simpleMessage(
    'Watchlists and digests are paused for a moment: planbot can’t reach its shared storage. Lookups still work. Try again in a few minutes.',
  );

const refusalWords: Partial<Record<RefusedId['reason'], string>> = {
  not_an_id: "isn't an account id",
  not_found: 'not found at Constant Contact',
  forbidden: 'not readable with planbot’s partner access',
  bad_request: 'refused by Constant Contact',
};

function refusedText({ id, reason }: RefusedId): string {
  const why =
    refusalWords[reason] ??
    (reason === 'internal'
      ? "couldn't be checked; try again"
      : `couldn't be checked: ${reason.replace(/_/g, ' ')}; try again`);
  return `${code(id, 64)} (${why})`;
}

/** `watch`, `unwatch`, `watchlist`, and their name searches. */
export function watchReply(outcome: WatchOutcome): SlackMessage {
  switch (outcome.kind) {
    case 'not_configured':
      return notConfigured();
    case 'paused':
      return paused();
    case 'no_ids':
      return simpleMessage(
        `Name at least one account: \`/plan ${outcome.verb} a07e1lxtnhz0\` (several, separated by spaces).`,
      );
    case 'too_many':
      return simpleMessage(`Watch at most ${outcome.max} accounts at a time.`);
    case 'candidates':
      return candidatesMessage(outcome, outcome.purpose);
    case 'no_match':
      return noMatchMessage(outcome);
    case 'index_not_ready':
      return indexNotReady(outcome.building);
    case 'watched': {
      const lines: string[] = [];
      if (outcome.added.length) {
        lines.push(`Now watching ${outcome.added.map((id) => code(id, 64)).join(', ')} in this channel.`);
      }
      if (outcome.refused.length) lines.push(`Not watched: ${outcome.refused.map(refusedText).join(', ')}.`);
      lines.push(`${watchedHere(outcome.total)} ${scheduleLine(outcome.schedule)}`);
      return simpleMessage(lines.join('\n'));
    }
    case 'unwatched': {
      const lines: string[] = [];
      if (outcome.removed.length)
        lines.push(`Stopped watching ${outcome.removed.map((id) => code(id, 64)).join(', ')}.`);
      if (outcome.notWatched.length) {
        lines.push(`Not on this channel's list: ${outcome.notWatched.map((id) => code(id, 64)).join(', ')}.`);
      }
      return simpleMessage(lines.join('\n'));
    }
    case 'watchlist': {
      const { entries } = outcome;
      if (entries.length === 0) {
        return simpleMessage('No accounts are watched in this channel. Add some with `/plan watch a07e1lxtnhz0`.');
      }
      const lines = entries.map(({ id, last }) => {
        if (!last) return `• ${code(id, 64)} _not in a digest yet_`;
        const status = knownStatus(last.status) ?? safeText(last.status ?? 'status not shown', 40);
        return `• ${code(id, 64)} ${status} (as of ${new Date(last.takenAt).toISOString().slice(0, 10)})`;
      });
      const header = `*${entries.length} account${entries.length === 1 ? '' : 's'} watched in this channel*`;
      const more = lines.length > 60 ? `\n_…and ${lines.length - 60} more_` : '';
      return simpleMessage(`${header}\n${lines.slice(0, 60).join('\n')}${more}\n${scheduleLine(outcome.schedule)}`);
    }
  }
}

/** `/plan digest …`. */
export function digestSettingsReply(outcome: DigestSettingsOutcome): SlackMessage {
  switch (outcome.kind) {
    case 'not_configured':
      return notConfigured();
    case 'paused':
      return paused();
    case 'invalid':
      return simpleMessage(`I couldn't set the digest: ${outcome.problem}.`);
    case 'shown':
      return simpleMessage(`${scheduleLine(outcome.schedule)} ${watchedHere(outcome.watched)}`);
    case 'off':
      return simpleMessage('The digest for this channel is off. Watched accounts stay on the list.');
    case 'started':
      return simpleMessage('Posting the digest in this channel now.');
    case 'set': {
      const note =
        outcome.zone === 'given'
          ? ''
          : outcome.zone === 'profile'
            ? ' (your Slack time zone)'
            : ' (UTC: I couldn’t read your time zone; add one to the command to change it)';
      return simpleMessage(`Digest set: ${describeSchedule(outcome.schedule)}${note}. ${scheduleLine(outcome.facts)}`);
    }
  }
}

/** What `digest now` tells the person once the run is over; nothing when it was posted. */
export function digestNowFollowUp(outcome: DigestRunResult['outcome']): SlackMessage | undefined {
  switch (outcome) {
    case 'empty':
      return simpleMessage('No accounts are watched here yet: add some with `/plan watch a07e1lxtnhz0`.');
    case 'channel_gone':
      return simpleMessage('I can’t post in this channel. Invite me first: `/invite @planbot`.');
    case 'failed':
      return simpleMessage(
        'The digest could not be posted (the details are in planbot’s log). Try again in a few minutes.',
      );
    case 'already_running':
      return simpleMessage('A digest for this channel is already being posted.');
    case 'refused':
      return simpleMessage(
        'planbot won’t post a digest in this channel: it is shared with another organization or not enabled for planbot.',
      );
    case 'handed_back':
      return simpleMessage(
        'planbot was restarted before the digest was finished. Run `/plan digest now` again in a minute.',
      );
    default:
      return undefined;
  }
}
