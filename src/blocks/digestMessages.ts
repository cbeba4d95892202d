import type { KnownBlock } from '@slack/types';
import { formatCount, formatMoney } from '../billing/money.ts';
import { formatDate } from '../billing/nextBillingDate.ts';
import { knownStatus, planTypeName, usageTypeName } from '../billing/planLabels.ts';
import { formatPercent, usageShare } from '../billing/usage.ts';
import type { AccountChange } from '../digests/changes.ts';
import type { DigestAccount, DigestInput } from '../digests/digestReport.ts';
import type { LikelyUpTier } from '../digests/tierOutlook.ts';
import type { Failure } from '../usecases/types.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { context, header, section, simpleMessage } from './elements.ts';
import { limits } from './limits.ts';
import { code, safeText, truncateEscaped } from '../text/mrkdwn.ts';
import { monthlyTotalText } from './planCard.ts';

/** At most this many accounts in one thread reply: a screenful or two to scan. */
export const maxAccountsPerReply = 150;
/** Lines in one highlight list of the summary before "and N more". */
const highlightLines = 15;

const failureWords: Record<Failure, string> = {
  not_found: 'not found at Constant Contact',
  unauthorized: "planbot's partner credentials were refused",
  forbidden: 'not readable with planbot’s partner access',
  throttled: 'Constant Contact was limiting requests',
  quota_exceeded: "today's request quota is spent",
  quota_reserved: "kept for people's lookups: today's quota is at its reserve",
  timeout: "Constant Contact didn't answer in time",
  busy: 'planbot was too busy',
  bad_request: 'Constant Contact refused the id',
  upstream: 'Constant Contact had a problem',
  internal: 'planbot had a problem (see its log)',
};

/** Failures for which a digest stops reading and leaves the rest of its accounts out. */
const lackOfQuota: ReadonlySet<Failure> = new Set<Failure>(['quota_reserved', 'quota_exceeded']);
const leftOutFor = (a: DigestAccount) => !a.plan && lackOfQuota.has(a.failure ?? 'internal');

function planName(code_: string | null): string {
  if (!code_) return 'plan not shown';
  return safeText(planTypeName(code_) ?? code_, 60);
}

function statusName(status: string | null): string {
  return status === null ? 'status not shown' : (knownStatus(status) ?? safeText(status, 40));
}

export function changeText(c: AccountChange): string {
  switch (c.kind) {
    case 'status':
      return `${statusName(c.from)} → ${statusName(c.to)}`;
    case 'plan':
      return `plan ${planName(c.from)} → ${planName(c.to)}`;
    case 'tier': {
      const arrow = c.direction === 'up' ? ' ⬆' : c.direction === 'down' ? ' ⬇' : '';
      const level = (n: number | null) => (n === null ? 'none' : formatCount(n));
      return `${safeText(usageTypeName(c.usageType), 40)} tier ${level(c.from)} → ${level(c.to)}${arrow}`;
    }
  }
}

// The days a forecast names lie within about a month of the digest: the month and day say which.
const monthDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** "Dec 20" for a `YYYY-MM-DD` day. */
function shortDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? safeText(day, 20) : monthDay.format(ms);
}

function nextLevelText(t: LikelyUpTier): string {
  return t.forecast.nextLevel === null ? 'the next tier' : `tier ${formatCount(t.forecast.nextLevel)}`;
}

/**
 * One likely-to-move-up tier for the summary: "reaches 2,500 around Dec 20, bills Dec 29: likely
 * tier 4 (about $85.00 a month)". `named`: the plan has several tiers, so the line says which.
 */
export function likelyUpText(t: LikelyUpTier, named = false): string {
  const f = t.forecast;
  const max = formatCount(f.max);
  const moves = f.alreadyOver
    ? `past ${max} since ${shortDay(f.reachesMaxOn)}`
    : `reaches ${max} around ${shortDay(f.reachesMaxOn)}`;
  const price = t.nextTier
    ? `about ${safeText(formatMoney(t.nextTier.price, t.nextTier.currency), 60)} a month`
    : 'planbot has not seen its price yet';
  const which = named ? `${safeText(usageTypeName(t.tier.usageType), 40)}: ` : '';
  return `${which}${moves}, bills ${shortDay(f.nextBillingDate)}: likely ${nextLevelText(t)} (${price})`;
}

/** The accounts likely to move up a tier, soonest first (the earliest day a tier passes its maximum). */
function likelyUpAccounts(accounts: DigestAccount[]): DigestAccount[] {
  const soonest = (a: DigestAccount) =>
    (a.likelyUp ?? []).map((t) => t.forecast.reachesMaxOn + t.forecast.nextBillingDate).sort()[0] ?? '';
  return accounts
    .filter((a) => a.plan && a.likelyUp?.length)
    .sort((a, b) => soonest(a).localeCompare(soonest(b)) || a.accountId.localeCompare(b.accountId));
}

function list(title: string, lines: string[]): string {
  const shown = lines.slice(0, highlightLines);
  const more = lines.length - shown.length;
  return truncateEscaped(
    `*${title}*\n${shown.join('\n')}${more > 0 ? `\n_…and ${more} more in the thread_` : ''}`,
    3000,
  );
}

/** The channel's summary message: counts by status, then the highlights. */
export function digestSummary(input: DigestInput): SlackMessage {
  const { accounts } = input;
  const loaded = accounts.filter((a) => a.plan);
  const leftOut = accounts.filter(leftOutFor);
  const failed = accounts.filter((a) => !a.plan && !leftOutFor(a));
  const counts = new Map<string, number>();
  for (const a of loaded) {
    const status = statusName(a.plan?.billingStatus ?? null);
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const countLine = [...counts].map(([status, n]) => `${status} ${formatCount(n)}`).join(' · ') || 'none loaded';
  const blocks: KnownBlock[] = [header(`Plan digest · ${formatCount(accounts.length)} watched accounts`)];
  if (input.sample) blocks.push(context(':test_tube: *Sample data* — planbot is in demo mode.'));
  blocks.push(
    section(
      `${countLine}${failed.length ? ` · could not load ${formatCount(failed.length)}` : ''}${leftOut.length ? ` · left out ${formatCount(leftOut.length)} for lack of quota` : ''}`,
    ),
  );
  if (input.first) blocks.push(context('This is the first digest for this channel: changes are counted from now on.'));

  const changes = loaded
    .filter((a) => a.changes.length)
    .map((a) => `• ${code(a.accountId, 64)} ${a.changes.map(changeText).join('; ')}`);
  const soon = loaded
    .filter((a) => a.billingSoon)
    .sort((a, b) => (a.billingSoon?.inDays ?? 0) - (b.billingSoon?.inDays ?? 0))
    .map((a) => {
      const when =
        a.billingSoon?.inDays === 0
          ? 'today'
          : a.billingSoon?.inDays === 1
            ? 'tomorrow'
            : `in ${a.billingSoon?.inDays} days`;
      const total = a.plan ? monthlyTotalText(a.plan.tiers) : undefined;
      return `• ${code(a.accountId, 64)} ${formatDate(a.billingSoon?.date ?? input.now)} (${when})${total ? ` · ${total}` : ''}`;
    });
  const near = loaded
    .filter((a) => a.nearLimit.length)
    .map(
      (a) =>
        `• ${code(a.accountId, 64)} ${a.nearLimit
          .map(
            ({ tier, share }) =>
              `${safeText(usageTypeName(tier.usageType), 40)} ${formatCount(tier.usage ?? 0)} of ${formatCount(tier.max ?? 0)} (${formatPercent(share)})`,
          )
          .join('; ')}`,
    );
  const likely = likelyUpAccounts(loaded).map(
    (a) =>
      `• ${code(a.accountId, 64)} ${(a.likelyUp ?? []).map((t) => likelyUpText(t, (a.plan?.tiers.length ?? 0) > 1)).join('; ')}`,
  );
  const failures = failed.map((a) => `• ${code(a.accountId, 64)} ${failureWords[a.failure ?? 'internal']}`);
  // One list per reason, in the order the digest met them (the reserve first, then a spent quota).
  const leftOutLists = [...new Set(leftOut.map((a) => a.failure ?? 'internal'))].map((why) =>
    list(
      `Left out (${failureWords[why]})`,
      leftOut.filter((a) => a.failure === why).map((a) => `• ${code(a.accountId, 64)}`),
    ),
  );

  if (changes.length) blocks.push(section(list('Changed since the last digest', changes)));
  if (soon.length) blocks.push(section(list('Billing in the next 7 days', soon)));
  if (near.length) blocks.push(section(list('At 90% or more of a tier', near)));
  if (likely.length) blocks.push(section(list('Likely to move up a tier before billing', likely)));
  if (failures.length) blocks.push(section(list('Could not be loaded', failures)));
  for (const text of leftOutLists) blocks.push(section(text));
  if (!changes.length && !soon.length && !near.length && !likely.length && !failures.length && !leftOut.length) {
    blocks.push(
      section(
        input.first
          ? 'Nobody bills in the next 7 days, and nobody is near a tier limit.'
          : 'No changes, nobody billing in the next 7 days, nobody near a tier limit.',
      ),
    );
  }
  if (accounts.length) blocks.push(context('Every account is listed in the thread.'));

  const text = `Plan digest: ${accounts.length} watched accounts; ${changes.length} changed, ${soon.length} billing within 7 days, ${near.length} near a tier limit${likely.length ? `, ${likely.length} likely to move up a tier` : ''}${failed.length ? `, ${failed.length} not loaded` : ''}${leftOut.length ? `, ${leftOut.length} left out for lack of quota` : ''}`;
  return { text: safeText(`${input.sample ? '[Sample data] ' : ''}${text}`, 3000), blocks };
}

/** One line per account for the thread. */
export function accountLine(a: DigestAccount): string {
  const id = code(a.accountId, 64);
  if (!a.plan)
    return `${id} · ${leftOutFor(a) ? 'left out' : 'could not load'}: ${failureWords[a.failure ?? 'internal']}`;
  const p = a.plan;
  const parts = [`${id}`, planName(p.planType), statusName(p.billingStatus)];
  if (a.billingSoon) parts.push(`bills ${formatDate(a.billingSoon.date)}`);
  for (const t of p.tiers.slice(0, 3)) {
    const share = usageShare(t.usage, t.max);
    parts.push(
      `${safeText(usageTypeName(t.usageType), 30)} ${formatCount(t.usage ?? 0)}${t.max !== null ? `/${formatCount(t.max)}` : ''}${share !== null ? ` (${formatPercent(share)})` : ''}`,
    );
  }
  const total = monthlyTotalText(p.tiers);
  if (total) parts.push(`${total}/mo`);
  if (a.changes.length) parts.push(`_${a.changes.map(changeText).join('; ')}_`);
  for (const t of a.likelyUp ?? []) {
    const which = p.tiers.length > 1 ? `${safeText(usageTypeName(t.tier.usageType), 30)} ` : '';
    parts.push(`${which}likely to bill at ${nextLevelText(t)} on ${shortDay(t.forecast.nextBillingDate)}`);
  }
  return truncateEscaped(parts.join(' · '), 900);
}

/**
 * The full list, split into thread replies that each stay within Block Kit's limits: up to
 * maxAccountsPerReply accounts and limits.messageText characters of text a reply, so a digest of
 * thousands of accounts takes tens of replies (each one a second of Slack's pacing), not hundreds.
 */
export function digestDetails(input: DigestInput): SlackMessage[] {
  const replies: SlackMessage[] = [];
  const all = input.accounts.map((a) => accountLine(a));
  const total = all.length;
  // The range line ("Accounts 1,201–1,350 of 5,000") and each section's line breaks take the rest.
  const budget = limits.messageText - 200;
  let start = 0;
  while (start < total) {
    let end = start;
    let size = 0;
    while (end < total && end - start < maxAccountsPerReply) {
      const next = size + all[end]!.length + 1;
      if (end > start && next > budget) break;
      size = next;
      end++;
    }
    const lines = all.slice(start, end);
    const blocks: KnownBlock[] = [];
    let current = '';
    for (const line of lines) {
      if (current && current.length + line.length + 1 > 2900) {
        blocks.push(section(current));
        current = '';
      }
      current = current ? `${current}\n${line}` : line;
    }
    if (current) blocks.push(section(current));
    const range = `Accounts ${formatCount(start + 1)}–${formatCount(start + lines.length)} of ${formatCount(total)}`;
    blocks.unshift(context(range));
    replies.push({ text: range, blocks });
    start += lines.length;
  }
  return replies;
}

/** A digest as posted: the summary, then the thread replies. */
export function digestMessages(input: DigestInput): SlackMessage[] {
  return [digestSummary(input), ...digestDetails(input)];
}

export function digestCredentialsRefused(): SlackMessage {
  return simpleMessage(
    "Today's plan digest couldn't be made: Constant Contact refused planbot's partner credentials. Ask whoever runs planbot to check them.",
  );
}
