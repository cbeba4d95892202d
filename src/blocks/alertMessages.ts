import type { KnownBlock } from '@slack/types';
import type { Alert, AccountState, TierState } from '../alerts/accountState.ts';
import { movedTier } from '../alerts/accountState.ts';
import type { FeedGroup } from '../alerts/alertStore.ts';
import type { AlertKind } from '../alerts/notification.ts';
import { formatCount, formatMoney } from '../billing/money.ts';
import { knownStatus, planTypeName, usageTypeName } from '../billing/planLabels.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { code, safeText, truncateEscaped } from '../text/mrkdwn.ts';
import { button, context, section } from './elements.ts';

/** The button under each alert: the card, for the person who clicks, in the same conversation. */
export const alertShowPlanActionId = 'alert_show_plan';

function planName(planType: string | null): string {
  if (!planType) return 'plan not shown';
  return safeText(planTypeName(planType) ?? planType, 60);
}

function statusName(status: string | null): string {
  return status === null ? 'status not shown' : (knownStatus(status) ?? safeText(status, 40));
}

/** The account as people know it: its name (escaped), else its id. */
function accountName(alert: Alert): string {
  return alert.name ? safeText(alert.name, 120) : `account ${code(alert.accountId, 64)}`;
}

/** Sum of the tiers' monthly prices ("$65.00 a month"), or undefined when no price is known. */
export function monthlyPrice(state: AccountState): string | undefined {
  const priced = state.tiers.filter((t) => t.price !== null);
  if (priced.length === 0) return undefined;
  const totals = new Map<string, number>();
  for (const t of priced) totals.set(t.currency ?? '', (totals.get(t.currency ?? '') ?? 0) + (t.price as number));
  return `${[...totals].map(([currency, amount]) => safeText(formatMoney(amount, currency || null), 40)).join(' + ')} a month`;
}

function rangeText(tier: TierState): string | undefined {
  if (tier.min === null && tier.max === null) return undefined;
  const name = safeText(usageTypeName(tier.usageType), 40);
  if (tier.max === null) return `${name} ${formatCount(tier.min ?? 0)}+`;
  return `${name} ${formatCount(tier.min ?? 0)}–${formatCount(tier.max)}`;
}

/** "tier 3 (Contacts 1,001–2,500, $65.00 a month; was tier 2, $45.00)". */
function tierText(tier: TierState, state: AccountState, before?: string): string {
  const price = monthlyPrice(state);
  const details = [rangeText(tier), price].filter(Boolean).join(', ');
  const inside = [details, before === undefined ? '' : `was ${before}`].filter(Boolean).join('; ');
  return `tier ${tier.level ?? '?'}${inside ? ` (${inside})` : ''}`;
}

function was(state: AccountState): string {
  return `${statusName(state.billingStatus)}, ${planName(state.planType)}`;
}

const eventWords: Record<AlertKind, string> = {
  upgrade: 'a tier upgrade',
  downgrade: 'a tier downgrade',
  cancellation: 'a cancellation',
  disabled: 'the account was disabled',
  change: 'a change to the plan',
};

const unreadWhy: Record<NonNullable<Alert['unread']>, string> = {
  quota_exceeded: "today's Constant Contact request quota is spent (plans can be read again after 00:00 UTC)",
  unavailable: 'Constant Contact did not answer after repeated tries',
};

/** An alert whose plan could not be read: what the notification said, and what planbot knew before. */
function unreadLine(alert: Alert, why: NonNullable<Alert['unread']>): string {
  const { previous } = alert;
  const before = previous
    ? ` Last known: ${previous.tiers[0] ? `${tierText(previous.tiers[0], previous)}, ` : ''}${was(previous)}.`
    : ' planbot knew no earlier state of this account.';
  return `${accountName(alert)}: Constant Contact reports ${eventWords[alert.kind]}. planbot could not read the current plan: ${unreadWhy[why]}.${before}`;
}

/** What changed from what, in one line: "*Acme Corp* moved up to tier 3 (…; was tier 2, $45.00)". */
export function alertLine(alert: Alert): string {
  if (alert.unread) return unreadLine(alert, alert.unread);
  const name = accountName(alert);
  const { previous, current } = alert;
  if (!previous) {
    const now = current.tiers[0] ? `${tierText(current.tiers[0], current)}, ` : '';
    return `${name}: Constant Contact reports ${eventWords[alert.kind]}. planbot knew no earlier state of this account; it is now ${now}${was(current)}.`;
  }
  const moved = movedTier(previous, current);
  switch (alert.kind) {
    case 'upgrade':
    case 'downgrade':
      if (moved?.to) {
        const before = moved.from ? `tier ${moved.from.level ?? '?'}${priceOf(previous)}` : 'no tier';
        const verb = alert.kind === 'upgrade' ? 'moved up to' : 'moved down to';
        return `${name} ${verb} ${tierText(moved.to, current, before)}.`;
      }
      break;
    case 'cancellation':
      return `${name} was cancelled (was ${was(previous)}).`;
    case 'disabled':
      return `${name} was disabled by Constant Contact (was ${was(previous)}; now ${statusName(current.billingStatus)}).`;
    case 'change':
      break;
  }
  const changes: string[] = [];
  if (previous.billingStatus !== current.billingStatus)
    changes.push(`status ${statusName(previous.billingStatus)} → ${statusName(current.billingStatus)}`);
  if (previous.planType !== current.planType)
    changes.push(`plan ${planName(previous.planType)} → ${planName(current.planType)}`);
  if (moved) changes.push(`tier ${moved.from?.level ?? 'none'} → ${moved.to?.level ?? 'none'}`);
  return `${name} changed: ${changes.join('; ') || 'no difference planbot can see'}${priceNow(current)}.`;
}

const priceOf = (state: AccountState) => {
  const price = monthlyPrice(state);
  return price ? `, ${price.replace(/ a month$/, '')}` : '';
};
const priceNow = (state: AccountState) => {
  const price = monthlyPrice(state);
  return price ? ` (now ${price})` : '';
};

function alertBlocks(alert: Alert): KnownBlock[] {
  return [
    {
      ...section(alertLine(alert)),
      accessory: button('Show plan', alertShowPlanActionId, alert.accountId),
    },
    context(
      (alert.unread
        ? [`Account ${code(alert.accountId, 64)}`, 'current plan not read']
        : [
            `Account ${code(alert.accountId, 64)}`,
            `${statusName(alert.current.billingStatus)}, ${planName(alert.current.planType)}`,
            monthlyPrice(alert.current) ?? 'no price shown',
          ]
      ).join(' · '),
    ),
  ];
}

const headline: Record<AlertKind, string> = {
  upgrade: 'Tier upgrade',
  downgrade: 'Tier downgrade',
  cancellation: 'Account cancelled',
  disabled: 'Account disabled',
  change: 'Plan changed',
};

export function singleAlert(alert: Alert): SlackMessage {
  const text = `${headline[alert.kind]}: ${alertLine(alert)}`;
  return { text: truncateEscaped(text, 300), blocks: alertBlocks(alert) };
}

const summaryWords: Record<AlertKind, (n: number) => string> = {
  upgrade: (n) => `${formatCount(n)} account${n === 1 ? '' : 's'} moved up a tier`,
  downgrade: (n) => `${formatCount(n)} account${n === 1 ? '' : 's'} moved down a tier`,
  cancellation: (n) => `${formatCount(n)} ${n === 1 ? 'was' : 'were'} cancelled`,
  disabled: (n) => `${formatCount(n)} ${n === 1 ? 'was' : 'were'} disabled`,
  change: (n) => `${formatCount(n)} changed plan`,
};
const kindOrder: AlertKind[] = ['upgrade', 'downgrade', 'cancellation', 'disabled', 'change'];

/** "14 accounts moved up a tier, 2 were cancelled". */
export function alertSummary(counts: FeedGroup['counts']): SlackMessage {
  const parts = kindOrder.filter((k) => (counts[k] ?? 0) > 0).map((k) => summaryWords[k](counts[k] as number));
  const line = parts.join(', ') || 'Billing changes';
  return {
    text: line,
    blocks: [section(`*Billing alerts:* ${line}.`), context('Each account is listed in this thread.')],
  };
}

/** Up to 20 accounts in one reply: a line and a Show plan button each. */
export function alertDetails(alerts: Alert[]): SlackMessage {
  const blocks: KnownBlock[] = alerts.map((alert) => ({
    ...section(`${alertLine(alert)} ${code(alert.accountId, 64)}`),
    accessory: button('Show plan', alertShowPlanActionId, alert.accountId),
  }));
  return { text: `${alerts.length} billing alert${alerts.length === 1 ? '' : 's'}`, blocks };
}
