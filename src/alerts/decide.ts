import { type AccountState, alertKey, sameState } from './accountState.ts';
import type { KnownState } from './alertStore.ts';

export type Decision =
  /** planbot already announced this very state: Constant Contact's retry, or the same change told twice. */
  | { kind: 'announced' }
  /** `previous`: the state to compare with, or undefined when planbot knew none. */
  | { kind: 'alert'; previous: AccountState | undefined };

/**
 * Compares a fresh read with what planbot knew: the last state from any source (a lookup, a
 * digest, an earlier alert), or, when a lookup already saw the new state, the one before it.
 */
export function decide(
  accountId: string,
  current: AccountState,
  known: KnownState | undefined,
  announcedKey: string | undefined,
): Decision {
  if (announcedKey === alertKey(accountId, current)) return { kind: 'announced' };
  if (!known) return { kind: 'alert', previous: undefined };
  if (!sameState(known.state, current)) return { kind: 'alert', previous: known.state };
  if (known.before && !sameState(known.before, current)) return { kind: 'alert', previous: known.before };
  return { kind: 'alert', previous: undefined };
}
