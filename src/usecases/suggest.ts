import type { AccessGate, AccessVerdict } from '../access/accessGate.ts';
import type { AccountFinder, Suggestions } from '../accounts/finder.ts';
import { isAccountId } from '../billing/account.ts';

export type SuggestOutcome =
  (Suggestions & { typedId?: string }) | { kind: 'refused'; verdict: Extract<AccessVerdict, { ok: false }> };

/** The most options Slack shows in an external select. */
export const maxSuggestions = 100;

/** Words that are a whole encoded id as typed (letters and digits, long): offered as themselves. */
export function typedAccountId(words: string): string | undefined {
  const text = words.trim();
  return isAccountId(text) && text.length >= 8 && /\d/.test(text) && /[a-z]/i.test(text) ? text : undefined;
}

/**
 * The typeahead of the lookup modal: accounts whose name, owner or id match what the person typed,
 * from the account index only (no Constant Contact request), under the access gate.
 */
export async function suggest(
  deps: { access: AccessGate; finder: AccountFinder },
  request: { userId: string; teamId: string | undefined; words: string },
): Promise<SuggestOutcome> {
  const verdict = await deps.access.admit({
    userId: request.userId,
    userTeamId: request.teamId,
    channelId: undefined,
    visible: false,
    spends: false,
  });
  if (!verdict.ok) return { kind: 'refused', verdict };
  const found = await deps.finder.suggest(request.words, maxSuggestions);
  const typedId = typedAccountId(request.words);
  return typedId ? { ...found, typedId } : found;
}
