import type { HomeView, KnownBlock } from '@slack/types';
import type { ChosenKind } from '../grammar/alertsCommand.ts';
import { formatDate } from '../billing/nextBillingDate.ts';
import { knownStatus, planTypeName } from '../billing/planLabels.ts';
import { formatCount } from '../billing/money.ts';
import type { HomeOutcome, HomeWatchEntry } from '../usecases/home.ts';
import type { RecentLookup } from '../accounts/recentLookups.ts';
import { code, safeText } from '../text/mrkdwn.ts';
import { refusalMessage } from './accessMessages.ts';
import { ageText } from './accountMatches.ts';
import { actions, button, context, header, section } from './elements.ts';
import { radarLists } from './radarMessage.ts';

/** The Home tab's buttons: open the lookup modal, and show one account's card. */
export const homeActionIds = { lookup: 'home_lookup', showPlan: 'home_show_plan' } as const;

/** Slack's limits for a Home tab. */
export const homeLimits = { blocks: 100, bytes: 250 * 1024 } as const;

function planName(planType: string | null): string {
  if (!planType) return 'plan not shown';
  return safeText(planTypeName(planType) ?? planType, 60);
}

function statusName(status: string | null): string {
  return status === null ? 'status not shown' : (knownStatus(status) ?? safeText(status, 40));
}

const shortDate = (at: number | Date) =>
  new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(at);

function nameOf(entry: { accountId: string; name: string | null }): string {
  return entry.name ? `*${safeText(entry.name, 100)}* ${code(entry.accountId, 64)}` : code(entry.accountId, 64);
}

function recentBlock(lookup: RecentLookup): KnownBlock {
  return {
    ...section(
      `${nameOf(lookup)}\n${planName(lookup.planType)} · ${statusName(lookup.billingStatus)} · as of ${shortDate(lookup.at)}`,
    ),
    accessory: button('Show card', homeActionIds.showPlan, lookup.accountId),
  };
}

function watchBlock(entry: HomeWatchEntry): KnownBlock {
  const marks: string[] = [];
  if (entry.nearLimit) marks.push(':warning: near a tier limit');
  if (entry.billsSoon)
    marks.push(
      `:calendar: bills ${entry.billsSoon.inDays === 0 ? 'today' : entry.billsSoon.inDays === 1 ? 'tomorrow' : `in ${entry.billsSoon.inDays} days`} (${formatDate(entry.billsSoon.date)})`,
    );
  const state = entry.known
    ? `${planName(entry.known.state.planType)} · ${statusName(entry.known.state.billingStatus)} · as of ${shortDate(entry.known.at)}`
    : '_not read yet_';
  return {
    ...section(`${nameOf(entry)}\n${[state, ...marks].join(' · ')}`),
    accessory: button('Show card', homeActionIds.showPlan, entry.accountId),
  };
}

const kindNames: Record<ChosenKind, string> = {
  upgrade: 'upgrades',
  downgrade: 'downgrades',
  cancellation: 'cancellations',
  disabled: 'disabled accounts',
};

/** Accounts of each radar list the Home tab shows; `/plan radar` shows ten. */
export const homeRadarShown = 3;

/** The Home tab's radar: the first few accounts of each list, each with a button to its card. */
function radarBlocks(radar: Extract<HomeOutcome, { kind: 'home' }>['radar'], now: Date): KnownBlock[] {
  if (radar === undefined) return [];
  const blocks: KnownBlock[] = [{ type: 'divider' }, header('Upgrade radar')];
  switch (radar.kind) {
    case 'radar':
      for (const list of radarLists(radar.radar, now, { perList: homeRadarShown, actionId: homeActionIds.showPlan })) {
        blocks.push(context(list.empty ? `*${list.title}*: ${list.empty}` : `*${list.title}*`), ...list.entries);
      }
      blocks.push(
        context(
          `From planbot’s usage history of ${formatCount(radar.radar.accounts)} accounts. \`/plan radar\` lists ten of each; \`/plan radar --csv\` sends every account as a file.`,
        ),
      );
      return blocks;
    case 'drawing':
      return [...blocks, context('The radar is being drawn from the usage history; open this tab again in a moment.')];
    case 'failed':
      return [...blocks, context('planbot couldn’t read its usage history just now; the radar will be back shortly.')];
    case 'index_not_ready':
    case 'not_configured':
      // The index line below says why.
      return [...blocks, context('The radar goes through every account in the account index, once there is one.')];
  }
}

/** The person's Home tab: what they looked up, what they watch, their alerts, the radar, the index's age. */
export function homeView(outcome: HomeOutcome): HomeView {
  if (outcome.kind === 'refused') {
    const why = refusalMessage(outcome.verdict.refusal, outcome.verdict);
    return { type: 'home', blocks: [header('planbot'), ...why.blocks] };
  }
  const blocks: KnownBlock[] = [
    header('planbot'),
    section('Customers’ Constant Contact billing plans, in Slack.'),
    actions('home_actions', [button('Look up an account', homeActionIds.lookup, 'lookup', 'primary')]),
    { type: 'divider' },
    header('Your recent lookups'),
  ];
  if (outcome.recent.length === 0)
    blocks.push(context('None yet. Look an account up with the button above, or `/plan <account id or name>`.'));
  for (const lookup of outcome.recent) blocks.push(recentBlock(lookup));

  blocks.push({ type: 'divider' }, header('Your watchlist'));
  if (outcome.watchlist.length === 0)
    blocks.push(context('You watch no account yet. In your DM with planbot: `/plan watch <account id or name>`.'));
  for (const entry of outcome.watchlist) blocks.push(watchBlock(entry));
  if (outcome.moreWatched > 0) blocks.push(context(`…and ${formatCount(outcome.moreWatched)} more watched accounts.`));

  const alerts = outcome.alerts;
  blocks.push(
    context(
      alerts
        ? `Your alerts: *on* for ${alerts.scope === 'all' ? 'every account' : 'the accounts you watch'} (${alerts.kinds.length === 4 ? 'all changes' : alerts.kinds.map((k) => kindNames[k]).join(', ')}). \`/plan alerts off\` in your DM stops them.`
        : 'Your alerts: off. `/plan alerts on` in your DM with planbot tells you the moment a watched account changes tier.',
    ),
  );

  blocks.push(...radarBlocks(outcome.radar, outcome.now));

  const index = outcome.index;
  blocks.push(
    { type: 'divider' },
    context(
      index.kind === 'ready'
        ? `Account index: ${formatCount(index.index.accounts)} accounts, built ${ageText(outcome.now.getTime() - index.index.builtAt)}.`
        : index.kind === 'index_not_ready'
          ? `Account index: ${index.building ? 'being built now' : 'not built yet'}; names can’t be looked up until it is.`
          : 'Account index: planbot has no Constant Contact credentials.',
    ),
  );
  return { type: 'home', blocks: blocks.slice(0, homeLimits.blocks) };
}
