import type { ActionsBlock, KnownBlock, SectionBlock } from '@slack/types';
import { formatCount, formatMoney } from '../billing/money.ts';
import { daysUntil, formatDate, nextBillingDate, ordinal } from '../billing/nextBillingDate.ts';
import { isBilled, knownStatus, planTypeName, usageTypeName } from '../billing/planLabels.ts';
import { formatPercent, usageBar, usageShare } from '../billing/usage.ts';
import type { BillingPlan, PlanTier } from '../billing/plan.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import type { CardTrends } from '../usecases/plan.ts';
import { actions, button, context, header, section } from './elements.ts';
import { limits, messageTextLength } from './limits.ts';
import { safeText, truncateEscaped } from '../text/mrkdwn.ts';
import { forecastSentence, trendLine } from './tierTrend.ts';

export const shareActionId = 'plan_share';

/**
 * Who sees a message: `private` is the asker's ephemeral copy (with Share); `shared` is the copy
 * Share posted for the conversation; `thread` is an answer posted in a thread or DM.
 */
export type Audience = { kind: 'private' } | { kind: 'shared'; sharedBy: string } | { kind: 'thread' };

/** `<@U123>` for a well-formed user id; anything else is not turned into a mention. */
export function userMention(userId: string): string {
  return /^[A-Z0-9]{2,30}$/.test(userId) ? `<@${userId}>` : 'someone';
}

/** Tiers shown before "and N more": keeps the largest card within 50 blocks. */
const maxTiersShown = 40;

export interface PlanCardInput {
  accountId: string;
  plan: BillingPlan;
  /** When Constant Contact was read (epoch ms). */
  fetchedAt: number;
  now: Date;
  /** Demo mode: every card says it is sample data. */
  sample: boolean;
  audience: Audience;
  /** Each tier's trend from the account's history, when it could be read. */
  trends?: CardTrends;
}

/** The plan type as people know it: "Email (GOOD)"; unknown codes exactly as they came. */
export function planTypeText(code: string | null): string {
  if (code === null) return '_not shown_';
  const name = planTypeName(code);
  return name ? `${name} (${safeText(code, 40)})` : safeText(code, 200);
}

export function statusText(status: string | null): string {
  if (status === null) return '_not shown_';
  return knownStatus(status) ?? safeText(status, 200);
}

export function billingDayText(plan: BillingPlan): string {
  if (plan.billingDayOfMonth === null)
    return knownStatus(plan.billingStatus) === 'Trial' ? 'None (trial)' : '_not set_';
  return `${ordinal(plan.billingDayOfMonth)} of each month`;
}

export function nextBillingText(plan: BillingPlan, now: Date): string {
  if (!isBilled(plan.billingStatus)) {
    const status = knownStatus(plan.billingStatus);
    return status === 'Canceled' ? 'None (canceled)' : status === 'Trial End' ? 'None (trial ended)' : 'None (trial)';
  }
  if (plan.billingDayOfMonth === null) return '_unknown (no billing day)_';
  const date = nextBillingDate(plan.billingDayOfMonth, now);
  const days = daysUntil(date, now);
  const when = days === 0 ? 'today' : days === 1 ? 'tomorrow' : `in ${days} days`;
  return `${formatDate(date)} (${when})`;
}

/** Sum of the tiers' monthly prices, per currency: "$20.00" or "$20.00 + €5.00". */
export function monthlyTotalText(tiers: PlanTier[]): string | undefined {
  const totals = new Map<string, number>();
  for (const t of tiers) {
    if (t.price === null) continue;
    const currency = t.currency?.trim().toUpperCase() ?? '';
    totals.set(currency, (totals.get(currency) ?? 0) + t.price);
  }
  if (totals.size === 0) return undefined;
  const parts = [...totals].map(([currency, amount]) => safeText(formatMoney(amount, currency || null), 60));
  // A field holds 2,000 characters: show whole totals while they fit, then say how many more.
  const shown: string[] = [];
  let length = 0;
  for (const part of parts) {
    if (length + part.length + 3 > 1900) break;
    shown.push(part);
    length += part.length + 3;
  }
  const rest = parts.length - shown.length;
  return rest > 0 ? `${shown.join(' + ')} + ${rest} more currencies` : shown.join(' + ');
}

function rangeText(t: PlanTier): string {
  if (t.min === null && t.max === null) return 'range not shown';
  if (t.max === null) return `${formatCount(t.min ?? 0)}+`;
  return `${formatCount(t.min ?? 0)}–${formatCount(t.max)}`;
}

/** One tier's trend as the card shows it, and the moment the card describes (for its dates). */
type TierHistory = { entry: CardTrends['tiers'][number]; now: Date };

export function tierText(t: PlanTier, history?: TierHistory): string {
  const level = t.level === null ? '' : ` · tier ${formatCount(t.level)}`;
  const title = `*${safeText(usageTypeName(t.usageType), 100)}${level}* (${rangeText(t)})`;
  const share = usageShare(t.usage, t.max);
  const usage =
    t.usage === null
      ? 'Usage not shown'
      : share === null
        ? `${formatCount(t.usage)} used`
        : `\`${usageBar(share)}\` ${formatCount(t.usage)} of ${formatCount(t.max ?? 0)} used (${formatPercent(share)})${share >= 0.9 ? ' ⚠️' : ''}`;
  const price = t.price === null ? 'Price not shown' : `*${safeText(formatMoney(t.price, t.currency), 60)}* a month`;
  const trend = history && trendLine(history.entry.trend);
  const forecast = history && forecastSentence(history.entry.trend.forecast, history.entry.nextTier, history.now);
  const lines = [title, usage, ...(trend ? [trend] : []), price, ...(forecast ? [forecast] : [])];
  // Every part is bounded, but a count near 1e308 prints 400 digits: the cut guards a section's 3,000.
  return truncateEscaped(lines.join('\n'), 3000);
}

export function planCard(input: PlanCardInput): SlackMessage {
  const { plan, accountId, now } = input;
  const blocks: KnownBlock[] = [];
  blocks.push(header(`Billing plan · ${accountId}`));
  if (input.sample) {
    blocks.push(context(':test_tube: *Sample data* — planbot is in demo mode; this is not a real account.'));
  }
  const fields: SectionBlock['fields'] = [
    { type: 'mrkdwn', text: `*Plan*\n${planTypeText(plan.planType)}` },
    { type: 'mrkdwn', text: `*Billing status*\n${statusText(plan.billingStatus)}` },
    { type: 'mrkdwn', text: `*Billing day*\n${billingDayText(plan)}` },
    { type: 'mrkdwn', text: `*Next billing date*\n${nextBillingText(plan, now)}` },
  ];
  const total = monthlyTotalText(plan.tiers);
  if (total) fields.push({ type: 'mrkdwn', text: `*Monthly price*\n${total}` });
  blocks.push({ type: 'section', fields });
  blocks.push({ type: 'divider' });

  if (plan.tiers.length === 0) {
    const trial = knownStatus(plan.billingStatus) === 'Trial';
    blocks.push(
      section(
        trial
          ? '_No usage tiers: trial accounts are not billed by tier._'
          : '_No usage tiers were returned for this account._',
      ),
    );
  }
  const footer: KnownBlock[] = [];
  const readAt = Math.floor(input.fetchedAt / 1000);
  const readText = `Read from Constant Contact <!date^${readAt}^{date_short_pretty} at {time}|${new Date(input.fetchedAt).toISOString()}>`;
  if (input.audience.kind === 'shared') {
    footer.push(context(`Shared by ${userMention(input.audience.sharedBy)} · ${readText}`));
  } else if (input.audience.kind === 'thread') {
    footer.push(context(readText));
  } else {
    footer.push(context(`Only you can see this. ${readText}`));
    footer.push(shareButton(accountId));
  }

  // Tiers as long as the whole card stays within what Slack accepts in one message; the rest counted.
  const moreLine = (n: number) => `_…and ${formatCount(n)} more tiers not shown._`;
  let room = limits.messageText - messageTextLength(blocks) - messageTextLength(footer) - moreLine(1e9).length;
  let shown = 0;
  for (const [i, tier] of plan.tiers.entries()) {
    if (shown === maxTiersShown) break;
    const entry = input.trends?.tiers[i];
    const text = tierText(tier, entry ? { entry, now } : undefined);
    if (text.length > room) break;
    blocks.push(section(text));
    room -= text.length;
    shown++;
  }
  if (plan.tiers.length > shown) blocks.push(section(moreLine(plan.tiers.length - shown)));
  blocks.push(...footer);

  const summary = [
    input.sample ? '[Sample data] ' : '',
    `Billing plan for ${accountId}: `,
    plan.planType ? (planTypeName(plan.planType) ?? plan.planType) : 'plan not shown',
    `, ${plan.billingStatus ?? 'status not shown'}`,
    isBilled(plan.billingStatus) && plan.billingDayOfMonth !== null
      ? `, next billing ${formatDate(nextBillingDate(plan.billingDayOfMonth, now))}`
      : '',
  ].join('');
  return { text: safeText(summary, 3000), blocks };
}

function shareButton(accountId: string): ActionsBlock {
  return actions('plan_actions', [button('Share in channel', shareActionId, accountId)]);
}
