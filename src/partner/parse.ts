import type { PartnerAccount } from '../billing/account.ts';
import { isAccountId } from '../billing/account.ts';
import type { BillingPlan } from '../billing/plan.ts';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Never throws: whatever the API returns becomes a BillingPlan with nulls where it said nothing usable. */
export function parseBillingPlan(body: unknown): BillingPlan {
  const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const day = num(o.billing_day_of_month);
  const tiers = Array.isArray(o.current_tiers) ? o.current_tiers : [];
  return {
    planType: text(o.plan_type),
    billingStatus: text(o.billing_status),
    billingDayOfMonth: day !== null && Number.isInteger(day) && day >= 1 && day <= 31 ? day : null,
    tiers: tiers
      .filter((t): t is Record<string, unknown> => !!t && typeof t === 'object')
      .map((t) => ({
        usageType: text(t.usage_type),
        level: num(t.tier),
        min: num(t.tier_min),
        max: num(t.tier_max),
        usage: num(t.current_usage),
        price: num(t.price),
        currency: text(t.currency_code),
      })),
  };
}

/** One page of `GET /partner/accounts`. */
export interface AccountsPage {
  accounts: PartnerAccount[];
  /** The opaque offset of the next page; undefined on the last one. */
  nextOffset: string | undefined;
  /** Entries dropped for want of a valid encoded_account_id. */
  skipped: number;
  /**
   * Why the page cannot be trusted as part of a complete list (no `site_owner_list`, or a next link
   * without an offset), so a walk fails loudly instead of ending early as if the list were complete.
   */
  problem?: string;
}

/** Never throws: entries without a usable account id are skipped, other fields become null when unusable. */
export function parseAccountsPage(body: unknown): AccountsPage {
  const o = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const list = Array.isArray(o.site_owner_list) ? (o.site_owner_list as unknown[]) : undefined;
  const accounts: PartnerAccount[] = [];
  let skipped = 0;
  for (const item of list ?? []) {
    const account = item && typeof item === 'object' ? parseAccount(item as Record<string, unknown>) : undefined;
    if (account) accounts.push(account);
    else skipped++;
  }
  const next = nextLink(o._links);
  const problem = !list
    ? 'the answer has no site_owner_list'
    : next.present && next.offset === undefined
      ? 'the next link has no offset'
      : undefined;
  return { accounts, nextOffset: next.offset, skipped, ...(problem ? { problem } : {}) };
}

function parseAccount(a: Record<string, unknown>): PartnerAccount | undefined {
  const id = a.encoded_account_id;
  if (typeof id !== 'string' || !isAccountId(id)) return undefined;
  const count = num(a.subscriber_count);
  const login = text(a.last_login_date);
  return {
    id,
    organizationName: text(a.organization_name),
    siteOwnerName: text(a.site_owner_name),
    billingStatus: text(a.billing_status),
    subscriberCount: count !== null && count >= 0 ? count : null,
    lastLoginDate: login !== null && Number.isFinite(Date.parse(login)) ? login : null,
  };
}

/** Reads only the `offset` query parameter of `_links.next.href`: its host and path are never followed. */
function nextLink(links: unknown): { present: boolean; offset: string | undefined } {
  const next = links && typeof links === 'object' ? (links as Record<string, unknown>).next : undefined;
  if (!next || typeof next !== 'object') return { present: false, offset: undefined };
  const href = (next as Record<string, unknown>).href;
  if (typeof href !== 'string') return { present: true, offset: undefined };
  try {
    const offset = new URL(href, 'https://next.invalid').searchParams.get('offset');
    return { present: true, offset: offset ? offset : undefined };
  } catch {
    return { present: true, offset: undefined };
  }
}

/** The partner webhook topics: 1 tier upgrade, 2 tier downgrade, 3 account cancelled, 4 account disabled. */
export const webhookTopics = [1, 2, 3, 4] as const;

/** Where one webhook topic's notifications go; `hookUri` null when the topic has no subscription. */
export interface WebhookSubscription {
  topicId: number;
  hookUri: string | null;
  /** The API's `topic_name`, when it gave one. */
  name?: string;
}

/**
 * `GET /partner/webhooks/subscriptions`: an array of `{topic_id, hook_uri, topic_name, topic_description}`.
 * Never throws. Topics 1–4 are always in the result (hook_uri null for those the answer leaves out or
 * gives no hook for), then any other topic the answer names, in topic order. `topic_id` may come as a
 * number or a numeric string. An answer that is not an array, or an entry without a readable topic_id,
 * is a problem: concluding "not subscribed" from an answer we could not read would be a guess.
 */
export function parseSubscriptions(body: unknown): WebhookSubscription[] | { problem: string } {
  if (!Array.isArray(body)) return { problem: 'the answer is not a list of subscriptions' };
  const byTopic = new Map<number, WebhookSubscription>(
    webhookTopics.map((topicId) => [topicId, { topicId, hookUri: null }]),
  );
  const seen = new Set<number>();
  for (const [i, item] of (body as unknown[]).entries()) {
    const o = (item && typeof item === 'object' && !Array.isArray(item) ? item : undefined) as
      Record<string, unknown> | undefined;
    const topicId = o ? topicNumber(o.topic_id) : null;
    if (!o || topicId === null) return { problem: `entry ${i} has no readable topic_id` };
    if (seen.has(topicId)) continue; // the first entry for a topic counts
    seen.add(topicId);
    const name = text(o.topic_name);
    byTopic.set(topicId, { topicId, hookUri: text(o.hook_uri)?.trim() ?? null, ...(name ? { name } : {}) });
  }
  return [...byTopic.values()].sort((a, b) => a.topicId - b.topicId);
}

/** A positive integer topic id, from a number or a numeric string (`"1"`, `1`, `1.0`). */
function topicNumber(v: unknown): number | null {
  const n = typeof v === 'string' && /^\s*\d{1,9}(\.0+)?\s*$/.test(v) ? Number(v) : num(v);
  return n !== null && Number.isSafeInteger(n) && n >= 1 ? n : null;
}
