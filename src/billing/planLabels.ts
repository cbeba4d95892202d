/** Constant Contact plan codes and what customers call them; any other code is shown as it came. */
const planTypeNames = new Map<string, string>(
  Object.entries({
    TRIAL: 'Trial',
    GOOD: 'Email',
    BETTER: 'Email Plus',
    BEST: 'Personal Marketer',
    LITE: 'Website Builder',
    BRONZE: 'Bronze',
    SILVER: 'Silver',
    GOLD: 'Gold',
  }),
);

/** The name for a known code, or undefined for one we do not know. */
export function planTypeName(code: string): string | undefined {
  return planTypeNames.get(code.trim().toUpperCase());
}

export type KnownStatus = 'Trial' | 'Open' | 'Canceled' | 'Trial End';

// Maps, not object literals: a status of `constructor` must not find Object's prototype.
const statuses = new Map<string, KnownStatus>(
  Object.entries({
    trial: 'Trial',
    open: 'Open',
    canceled: 'Canceled',
    cancelled: 'Canceled',
    'trial end': 'Trial End',
    trial_end: 'Trial End',
    trialend: 'Trial End',
  } satisfies Record<string, KnownStatus>),
);

export function knownStatus(status: string | null): KnownStatus | undefined {
  return status === null ? undefined : statuses.get(status.trim().toLowerCase());
}

/** Only paying (or unknown) accounts have a next billing date; trials and cancelled ones do not. */
export function isBilled(status: string | null): boolean {
  const known = knownStatus(status);
  return known === undefined || known === 'Open';
}

/** Usage types come as codes (`CONTACTS`); people read "Contacts". */
export function usageTypeName(code: string | null): string {
  if (!code) return 'Usage';
  const words = code.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
