import { isAccountId } from '../billing/account.ts';
import type { CardOutcome, PlanUseCases } from './plan.ts';
import type { Asker, AskOptions } from './types.ts';

/** What a button's account id comes to: a click payload is input like any other. */
export type PickOutcome = CardOutcome | { kind: 'invalid_id'; input: string };

/** A candidate picked from a name search: that account's card. */
export async function pick(
  plan: PlanUseCases,
  accountId: string,
  asker: Asker,
  options: AskOptions,
): Promise<PickOutcome> {
  if (!isAccountId(accountId)) return { kind: 'invalid_id', input: accountId };
  return plan.card(accountId, asker, options);
}
