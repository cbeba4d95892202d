import { timingSafeEqual } from 'node:crypto';
import { isAccountId } from '../billing/account.ts';
import type { ChosenKind } from '../grammar/alertsCommand.ts';

/** What a notification says happened, by its `event_type`; anything else is a plain "change". */
export type AlertKind = 'upgrade' | 'downgrade' | 'cancellation' | 'disabled' | 'change';

const kindsByEvent = new Map<string, AlertKind>([
  ['tier.increase', 'upgrade'],
  ['tier.decrease', 'downgrade'],
  ['account.cancel', 'cancellation'],
  ['account.disable', 'disabled'],
]);

/** The topic id Constant Contact files each kind under. */
export const topicOfKind: Record<ChosenKind, number> = { upgrade: 1, downgrade: 2, cancellation: 3, disabled: 4 };

export function kindOfEvent(eventType: string): AlertKind {
  return kindsByEvent.get(eventType.trim().toLowerCase()) ?? 'change';
}

/** A notification accepted and stored: what the worker needs, and nothing of the caller's key. */
export interface StoredNotification {
  id: string;
  accountId: string;
  eventType: string;
  receivedAt: number;
}

/** The largest notification body read; Constant Contact's are about 150 bytes. */
export const maxNotificationBytes = 16 * 1024;

export type NotificationCheck =
  | { kind: 'accepted'; accountId: string; eventType: string }
  | { kind: 'unauthorized' }
  /** `why` is for the log: short, and never the body itself. */
  | { kind: 'invalid'; why: string };

/**
 * Checks a notification body: JSON `{url, api_key, event_type}`, the key equal to planbot's own,
 * the url's path `/…/partner/accounts/<account id>/plan`. The key is checked before the rest, so a
 * caller without it learns nothing about what else a valid body needs.
 */
export function checkNotification(raw: string, apiKey: string | undefined): NotificationCheck {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', why: 'not JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', why: 'not a JSON object' };
  const fields = body as Record<string, unknown>;
  if (typeof fields.api_key !== 'string') return { kind: 'invalid', why: 'no api_key' };
  if (apiKey === undefined || !sameSecret(fields.api_key, apiKey)) return { kind: 'unauthorized' };
  if (typeof fields.event_type !== 'string' || fields.event_type.trim() === '' || fields.event_type.length > 100)
    return { kind: 'invalid', why: 'no event_type' };
  if (typeof fields.url !== 'string' || fields.url.length > 2048) return { kind: 'invalid', why: 'no url' };
  const accountId = accountIdOfPlanUrl(fields.url);
  if (accountId === undefined) return { kind: 'invalid', why: 'url is not an account plan' };
  return { kind: 'accepted', accountId, eventType: fields.event_type.trim() };
}

/**
 * The account id in `https://host/…/partner/accounts/<id>/plan`, or undefined. Only the path
 * counts: planbot never calls the URL, it reads the plan from its own API base.
 */
export function accountIdOfPlanUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const match = /\/partner\/accounts\/([^/]+)\/plan\/?$/.exec(parsed.pathname);
  if (!match) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(match[1] as string);
  } catch {
    return undefined;
  }
  return isAccountId(id) ? id : undefined;
}

/** Compares secrets in constant time, so the time taken tells nothing about how much matched. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
