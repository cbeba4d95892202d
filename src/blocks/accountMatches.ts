import type { Candidates, IndexFacts, NoMatch } from '../accounts/finder.ts';
import type { PartnerAccount } from '../billing/account.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { exampleAccountId } from './messages.ts';
import { context, section, simpleMessage, withContext } from './elements.ts';
import { code, safeText } from '../text/mrkdwn.ts';
import { statusText } from './planCard.ts';

/** The candidate buttons' actions (each button's id adds `_<account id>`): the value is the encoded account id. */
export const pickActionId = 'plan_pick';
export const watchPickActionIds = { watch: 'plan_watch_pick', unwatch: 'plan_unwatch_pick' } as const;

/** What a candidate list is for: showing a plan, or choosing the account to watch or stop watching. */
export type PickPurpose = 'plan' | 'watch' | 'unwatch';

const purposes: Record<PickPurpose, { ask: string; verb: string; actionId: string }> = {
  plan: { ask: 'Pick one to see its plan:', verb: '', actionId: pickActionId },
  watch: { ask: 'Pick the one to watch in this channel:', verb: 'Watch ', actionId: watchPickActionIds.watch },
  unwatch: { ask: 'Pick the one to stop watching here:', verb: 'Unwatch ', actionId: watchPickActionIds.unwatch },
};

/** A button names the account it picks, within the 75-character limit. */
function buttonLabel(verb: string, a: PartnerAccount): string {
  // Plain text shows no markup, but nothing that looks like `<!channel>` leaves planbot even there.
  const name =
    (a.organizationName ?? a.siteOwnerName ?? a.id)
      .toWellFormed()
      .replace(/\s+/g, ' ')
      .replace(/</g, '‹')
      .replace(/>/g, '›')
      .trim() || a.id;
  const label = `${verb}${name}`;
  if (label.length <= 75) return label;
  // Never cut an emoji (a surrogate pair) in half.
  const cut = /[\ud800-\udbff]/.test(label[73] ?? '') ? 73 : 74;
  return `${label.slice(0, cut)}…`;
}

/** "12 minutes ago", "just now", "3 hours ago". */
export function ageText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} hours ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** "5,000 accounts, updated 12 minutes ago": how every answer from the index describes it. */
function indexSummary(facts: IndexFacts): string {
  return `${facts.accounts.toLocaleString('en-US')} accounts, updated ${ageText(facts.now - facts.builtAt)}`;
}

export function indexNote(facts: IndexFacts): string {
  return `Found by name in the account index (${indexSummary(facts)}).`;
}

/** The card, with a line saying it was found by name and how old the index is (within Block Kit's 50 blocks). */
export function withIndexNote(card: SlackMessage, facts: IndexFacts): SlackMessage {
  return withContext(card, indexNote(facts));
}

function accountSummary(a: PartnerAccount): string {
  const name = a.organizationName ? `*${safeText(a.organizationName, 150)}*` : '_no organization name_';
  const owner = a.siteOwnerName ? ` · owner ${safeText(a.siteOwnerName, 100)}` : '';
  const status = ` · ${statusText(a.billingStatus)}`;
  const subscribers = a.subscriberCount !== null ? ` · ${a.subscriberCount.toLocaleString('en-US')} subscribers` : '';
  return `${name}${owner}${status}${subscribers}\n${code(a.id, 64)}`;
}

/** Up to 10 accounts that match, each with a button that shows its card (or watches it) in place. */
export function candidatesMessage(found: Candidates, purpose: PickPurpose = 'plan'): SlackMessage {
  const { words, candidates, index: facts } = found;
  const shown = candidates.slice(0, 10);
  const p = purposes[purpose];
  // The search hands over one more than fits, so a list of 10 can say there are others.
  const more = candidates.length > shown.length;
  const count = more ? `More than ${shown.length} accounts match` : `${shown.length} accounts match`;
  const intro = more
    ? `${count} ${code(words, 80)}; these are the closest (add a word to narrow it). ${p.ask}`
    : `${count} ${code(words, 80)}. ${p.ask}`;
  return {
    text: `${count} “${safeText(words, 80)}”`,
    blocks: [
      section(intro),
      ...shown.map((a) => ({
        type: 'section' as const,
        text: { type: 'mrkdwn' as const, text: accountSummary(a) },
        accessory: {
          type: 'button' as const,
          action_id: `${p.actionId}_${a.id}`.slice(0, 255),
          text: { type: 'plain_text' as const, text: buttonLabel(p.verb, a) },
          value: a.id,
        },
      })),
      context(`From the account index (${indexSummary(facts)}).`),
    ],
  };
}

export function noMatchMessage({ words, index: facts }: NoMatch): SlackMessage {
  return simpleMessage(
    `No account matches ${code(words, 80)} in the account index (${indexSummary(facts)}). ` +
      `Check the spelling, or use the encoded account id, like \`/plan ${exampleAccountId}\`.`,
  );
}

export function indexNotReady(building: boolean): SlackMessage {
  return simpleMessage(
    building
      ? `The account index is still being built, so I can't find accounts by name yet. Try again in a minute, or use the encoded account id, like \`/plan ${exampleAccountId}\`.`
      : `I can't find accounts by name yet: the account index hasn't been built. \`/plan reindex\` builds it (it takes a minute or so); meanwhile use the encoded account id, like \`/plan ${exampleAccountId}\`.`,
  );
}

export function reindexMessage(outcome: 'started' | 'busy', facts: IndexFacts | undefined): SlackMessage {
  const current = facts
    ? ` The current index has ${indexSummary(facts)}; lookups use it until the new one is complete.`
    : '';
  return simpleMessage(
    outcome === 'started'
      ? `Rebuilding the account index now.${current}`
      : `The account index is already being rebuilt.${current}`,
  );
}

/** A "not found" answer for a word that may have been a name, when there is no index to search names in yet. */
export function withNoIndexNote(answer: SlackMessage, building: boolean): SlackMessage {
  const why = building
    ? 'the account index is still being built; try again in a minute'
    : "the account index hasn't been built; `/plan reindex` builds it";
  return withContext(answer, `If you meant a customer name: ${why}.`);
}
