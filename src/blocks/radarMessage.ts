import type { KnownBlock } from '@slack/types';
import type { IndexFacts } from '../accounts/finder.ts';
import { forecastDefaults } from '../billing/forecast.ts';
import { formatCount } from '../billing/money.ts';
import { type AccountOutlook, growthShare, type Radar } from '../history/radar.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { code, safeText } from '../text/mrkdwn.ts';
import type { RadarCsvOutcome, RadarOutcome, RadarUnavailable } from '../usecases/radar.ts';
import { ageText } from './accountMatches.ts';
import { button, context, header, section, simpleMessage } from './elements.ts';
import { planNotConfigured } from './messages.ts';

/** The button beside each account: its card, for the person who clicks, beside the radar. */
export const radarActionIds = { showPlan: 'radar_show_plan' } as const;

/** How the radar is shown: the moment it describes, and whether it is sample data. */
export interface RadarView {
  now: Date;
  sample: boolean;
}

const shortDate = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });

/** "Mar 18" for `2026-03-18`. */
function dayText(iso: string): string {
  const ms = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(ms) ? safeText(iso, 20) : shortDate.format(ms);
}

/** A share as a percent without its sign: "12%", "0.4%". */
function percent(share: number): string {
  const p = Math.abs(share) * 100;
  return `${p >= 10 ? Math.round(p) : Math.round(p * 10) / 10}%`;
}

const signed = (n: number) => (n > 0 ? `+${formatCount(n)}` : n < 0 ? `−${formatCount(-n)}` : '±0');

/** The account as people know it: its name (escaped) and its id. */
function nameOf(o: AccountOutlook): string {
  const name = o.account.organizationName ?? o.account.siteOwnerName;
  return name ? `*${safeText(name, 100)}* ${code(o.account.id, 64)}` : code(o.account.id, 64);
}

/** The figure that put the account on its list: when it passes its tier, how fast it grows, how far it fell. */
function keyFigure(o: AccountOutlook): string {
  const f = o.forecast;
  const tier = o.tier?.level !== null && o.tier?.level !== undefined ? `tier ${o.tier.level}` : 'its tier';
  switch (f.kind) {
    case 'likely_up': {
      const bill = f.nextLevel !== null ? `: likely to bill at tier ${f.nextLevel}` : ': likely to bill a tier higher';
      return f.alreadyOver
        ? `*past ${formatCount(f.max)}*, the top of ${tier}, since ${dayText(f.reachesMaxOn)}; next billing ${dayText(f.nextBillingDate)}${bill}`
        : `*passes ${formatCount(f.max)}*, the top of ${tier}, around ${dayText(f.reachesMaxOn)}; next billing ${dayText(f.nextBillingDate)}${bill}`;
    }
    case 'growing': {
      const pace = `*${growthText(o)}*`;
      return f.reachesMaxOn
        ? `${pace} · passes ${formatCount(f.max)} around ${dayText(f.reachesMaxOn)}, after the next billing (${dayText(f.nextBillingDate)})`
        : `${pace} · next billing ${dayText(f.nextBillingDate)}`;
    }
    case 'shrinking':
      return `*down ${percent(f.fallShare)} in 30 days* at this pace`;
    case 'steady':
      return `down ${percent(f.fallShare)} in 30 days`;
    case 'none': {
      const pace = `*${growthText(o)}*`;
      if (f.why === 'no_tier_max')
        return o.tier ? `${pace} · top tier, nothing to pass` : `${pace} · plan not read yet`;
      if (f.why === 'no_billing_day') return `${pace} · no billing day known`;
      return pace;
    }
  }
}

function growthText(o: AccountOutlook): string {
  const share = growthShare(o);
  return Number.isFinite(share) ? `up ${percent(share)} a month` : 'growing from 0';
}

/** One account's line: name and id, contacts now, the 30-day change, and the figure that listed it. */
export function radarEntryText(o: AccountOutlook, now: Date): string {
  const today = now.toISOString().slice(0, 10);
  const facts: string[] = [];
  if (o.usage !== null)
    facts.push(
      `${formatCount(o.usage)} contacts${o.usageOn && o.usageOn !== today ? ` on ${dayText(o.usageOn)}` : ''}`,
    );
  if (o.forecast.change30 !== undefined) facts.push(`${signed(o.forecast.change30)} in 30 days`);
  facts.push(keyFigure(o));
  return `${nameOf(o)}\n${facts.join(' · ')}`;
}

const listTitles = {
  likelyUp: 'Likely to move up a tier before billing',
  growing: 'Growing fastest',
  shrinking: 'Shrinking',
} as const;

type ListName = keyof typeof listTitles;

/** Why a list is empty, in a sentence. */
function emptyText(list: ListName, radar: Radar): string {
  if (radar.withTrend === 0)
    return `None yet: too little history. planbot needs at least ${forecastDefaults.minPoints} days of counts in the last 30 (one a day, from the account index walks and plan reads) before it draws a trend.`;
  switch (list) {
    case 'likelyUp':
      return radar.needsRead.length > 0
        ? 'None known: no account whose tier planbot knows is on course to pass its tier’s maximum before its next billing date. Some rising accounts’ plans are not read yet (see below).'
        : 'None: no account is on course to pass its tier’s maximum before its next billing date.';
    case 'growing':
      return 'None: no other account’s contacts are rising steadily.';
    case 'shrinking':
      return `None: no account fell by more than ${percent(forecastDefaults.shrinkShare)} in 30 days.`;
  }
}

function indexText(index: IndexFacts): string {
  return `${formatCount(index.accounts)} account${index.accounts === 1 ? '' : 's'} in the account index (updated ${ageText(index.now - index.builtAt)})`;
}

/** The lists' entries for `radarEntryText`, with `button` beside each (the radar's, or the Home tab's). */
export function radarLists(
  radar: Radar,
  now: Date,
  o: { perList: number; actionId: string },
): Array<{ list: ListName; title: string; entries: KnownBlock[]; empty: string | undefined }> {
  return (Object.keys(listTitles) as ListName[]).map((list) => {
    const shown = radar[list].slice(0, o.perList);
    return {
      list,
      title: listTitles[list],
      entries: shown.map((entry) => ({
        ...section(radarEntryText(entry, now)),
        accessory: button('Show card', o.actionId, entry.account.id),
      })),
      empty: shown.length === 0 ? emptyText(list, radar) : undefined,
    };
  });
}

/** Words for a radar that cannot be drawn. */
export function radarUnavailable(outcome: RadarUnavailable): SlackMessage {
  switch (outcome.kind) {
    case 'not_configured':
      return planNotConfigured();
    case 'index_not_ready':
      return outcome.building
        ? simpleMessage(
            'The account index is still being built, and the radar goes through every account in it. Try again in a minute.',
          )
        : simpleMessage(
            'The radar goes through every account in the account index, and it hasn’t been built. `/plan reindex` builds it (it takes a minute or so).',
          );
    case 'failed':
      return simpleMessage(
        'planbot couldn’t read its usage history just now, so it can’t draw the radar. Try again in a minute.',
      );
  }
}

/** `/plan radar`: up to 10 accounts likely to move up, growing fastest and shrinking, each with a button to its card. */
export function radarMessage(outcome: RadarOutcome, view: RadarView): SlackMessage {
  if (outcome.kind !== 'radar') return radarUnavailable(outcome);
  const { radar, index } = outcome;
  const blocks: KnownBlock[] = [header('Upgrade radar')];
  if (view.sample)
    blocks.push(context(':test_tube: *Sample data* — planbot is in demo mode; these are not real accounts.'));
  blocks.push(
    context(
      `From planbot’s usage history, not a new read: ${indexText(index)}, ${formatCount(radar.withTrend)} of them with enough days of counts for a trend.`,
    ),
  );
  for (const list of radarLists(radar, view.now, { perList: 10, actionId: radarActionIds.showPlan })) {
    blocks.push(section(`*${list.title}*`));
    if (list.empty) blocks.push(context(list.empty));
    blocks.push(...list.entries);
  }
  const notes = [
    'Each trend is a straight line through the last 30 days of counts (the day’s last, from the account index walks and plan reads); a sudden import or clean-up bends it.',
  ];
  if (radar.needsRead.length > 0)
    notes.push(
      `${formatCount(radar.needsRead.length)} rising account${radar.needsRead.length === 1 ? ' has' : 's have'} no recent plan read, so ${radar.needsRead.length === 1 ? 'its' : 'their'} tier and billing day are not known yet; planbot reads some of them every day.`,
    );
  blocks.push(context(notes.join(' ')));
  const counts = `${radar.likelyUp.length} likely to move up a tier, ${radar.growing.length} growing, ${radar.shrinking.length} shrinking`;
  return { text: `${view.sample ? '[Sample data] ' : ''}Upgrade radar: ${counts}.`, blocks };
}

/** What the CSV holds, in a sentence. */
const csvContents = (accounts: number, index: IndexFacts) =>
  `every account in the account index (${formatCount(accounts)}, updated ${ageText(index.now - index.builtAt)}) with its latest counts, trend and forecast, from planbot’s usage history.`;

/** The message a CSV is shared with in the person's DM, when they asked elsewhere. */
export function radarCsvComment(accounts: number, index: IndexFacts): string {
  return `The upgrade radar as a CSV, as you asked: ${csvContents(accounts, index)}`;
}

/** `/plan radar --csv`: where the file went, or why it did not. */
export function radarCsvReply(outcome: RadarCsvOutcome): SlackMessage {
  switch (outcome.kind) {
    case 'uploaded':
      return outcome.to === 'dm'
        ? simpleMessage(
            `The radar as a CSV (${formatCount(outcome.accounts)} account${outcome.accounts === 1 ? '' : 's'}) is in your DM with planbot. Only you can see it there.`,
          )
        : simpleMessage(`The upgrade radar as a CSV: ${csvContents(outcome.accounts, outcome.index)}`);
    case 'upload_failed':
      return simpleMessage(uploadFailedText(outcome.code, outcome.to));
    case 'no_place':
      return simpleMessage(
        'planbot can’t send a file from here. Ask with `/plan radar --csv` in any channel, or `radar --csv` in your DM with planbot.',
      );
    default:
      return radarUnavailable(outcome);
  }
}

function uploadFailedText(errorCode: string, to: 'dm' | 'here'): string {
  switch (errorCode) {
    case 'missing_scope':
    case 'not_allowed_token_type':
    case 'no_permission':
      return 'planbot isn’t allowed to upload files (it needs the `files:write` permission, and `im:write` for your DM). Ask whoever runs planbot to add them.';
    case 'not_in_channel':
    case 'channel_not_found':
    case 'is_archived':
      return to === 'dm'
        ? 'planbot couldn’t open your DM with it to send the file. Try `radar --csv` in the DM with planbot.'
        : 'planbot couldn’t share the file in this conversation. Try `/plan radar --csv`, which sends it to your DM with planbot.';
    default:
      return `Slack didn’t take the file (${code(errorCode, 60)}). Try again in a minute.`;
  }
}
