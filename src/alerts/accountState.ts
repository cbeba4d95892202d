import { knownStatus } from '../billing/planLabels.ts';
import type { BillingPlan } from '../billing/plan.ts';
import type { AlertKind } from './notification.ts';

/** One usage tier as an alert remembers it: enough to say "tier 3 (Contacts 1,001–2,500, $65.00)". */
export interface TierState {
  usageType: string;
  level: number | null;
  min: number | null;
  max: number | null;
  price: number | null;
  currency: string | null;
  /** Usage when it was read (not part of what counts as a change). */
  usage?: number | null;
}

/** What planbot knows of an account's billing at one moment. */
export interface AccountState {
  planType: string | null;
  billingStatus: string | null;
  /** 1–31, or null (trials); not part of what counts as a change. */
  billingDay?: number | null;
  /** Sorted by usage type, so two reads of the same plan compare equal. */
  tiers: TierState[];
}

export function stateOf(plan: BillingPlan): AccountState {
  const tiers = plan.tiers
    .map((t) => ({
      usageType: t.usageType ?? 'USAGE',
      level: t.level,
      min: t.min,
      max: t.max,
      price: t.price,
      currency: t.currency,
      usage: t.usage,
    }))
    .sort((a, b) => (a.usageType < b.usageType ? -1 : a.usageType > b.usageType ? 1 : 0));
  return { planType: plan.planType, billingStatus: plan.billingStatus, billingDay: plan.billingDayOfMonth, tiers };
}

/**
 * What counts as a change: the status, the plan and each tier's level (a price or a range moving
 * without a new level is Constant Contact repricing, not the account changing).
 */
export function stateKey(state: AccountState): string {
  return JSON.stringify([
    state.billingStatus?.trim().toLowerCase() ?? null,
    state.planType?.trim().toUpperCase() ?? null,
    state.tiers.map((t) => [t.usageType, t.level]),
  ]);
}

export const sameState = (a: AccountState, b: AccountState): boolean => stateKey(a) === stateKey(b);

/** The first tier whose level moved between the two states, by usage type. */
export function movedTier(
  previous: AccountState,
  current: AccountState,
): { from: TierState | undefined; to: TierState | undefined } | undefined {
  const types = [...new Set([...previous.tiers, ...current.tiers].map((t) => t.usageType))].sort();
  for (const usageType of types) {
    const from = previous.tiers.find((t) => t.usageType === usageType);
    const to = current.tiers.find((t) => t.usageType === usageType);
    if ((from?.level ?? null) !== (to?.level ?? null)) return { from, to };
  }
  return undefined;
}

const isCancelled = (status: string | null) => knownStatus(status) === 'Canceled';

/**
 * What the change was, from the states themselves when planbot knows both (the notification may
 * be stale: an upgrade then a downgrade read once shows only the result), else from the event.
 */
export function kindOfChange(
  previous: AccountState | undefined,
  current: AccountState,
  announced: AlertKind,
): AlertKind {
  if (!previous) return announced;
  if (isCancelled(current.billingStatus) && !isCancelled(previous.billingStatus)) return 'cancellation';
  if (announced === 'disabled') return 'disabled';
  const moved = movedTier(previous, current);
  if (moved?.from?.level != null && moved.to?.level != null)
    return moved.to.level > moved.from.level ? 'upgrade' : 'downgrade';
  if (announced === 'upgrade' || announced === 'downgrade') return 'change';
  return announced;
}

/** One change planbot will tell channels about. */
export interface Alert {
  accountId: string;
  kind: AlertKind;
  /** Constant Contact's `event_type`, as it came. */
  eventType: string;
  /** The state before, when planbot knew one. */
  previous: AccountState | undefined;
  /** The plan as read now; with `unread`, an empty state (nothing was read) and `previous` the last one known. */
  current: AccountState;
  /**
   * The plan could not be read, and the alert says only what the notification did:
   * `quota_exceeded`, today's Constant Contact quota is spent; `unavailable`, every try failed.
   */
  unread?: 'quota_exceeded' | 'unavailable';
  /** The account's name from the index, when it is indexed. */
  name: string | null;
  at: number;
  /**
   * The account's id and the number of its announcement (`a07e…#3`): the same change worked on
   * twice gets the same key, and an alert is posted once per key. A state the account comes back
   * to later (up, down, up again) is a new announcement with a key of its own.
   */
  key: string;
}

/** What counts as "the same state" when comparing with what was announced. */
/** A state with nothing in it: what an alert holds when the plan could not be read. */
export const unknownState = (): AccountState => ({ planType: null, billingStatus: null, tiers: [] });

export function alertKey(accountId: string, current: AccountState): string {
  return `${accountId}:${stateKey(current)}`;
}
