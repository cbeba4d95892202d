import { isAccountId } from '../partner/accountId.ts';

export type PlanCommand = { kind: 'help' } | { kind: 'lookup'; accountId: string } | { kind: 'invalid'; input: string };

/** Longest command text we read; anything longer is not an account id anyway. */
const maxInput = 1000;

/** Strips control characters and Slack's auto-formatting, and folds whitespace. */
export function cleanCommandText(raw: string): string {
  return raw
    .slice(0, maxInput)
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `/plan`, `/plan help`, `/plan <encoded account id>`. */
export function parsePlanCommand(raw: string): PlanCommand {
  const text = cleanCommandText(raw);
  if (text === '' || /^(help|\?|-h|--help)$/i.test(text)) return { kind: 'help' };
  // People paste ids wrapped in backticks or quotes; take what is inside.
  const unwrapped = text.replace(/^[`'"“”‘’]+|[`'"“”‘’]+$/g, '');
  if (isAccountId(unwrapped)) return { kind: 'lookup', accountId: unwrapped };
  return { kind: 'invalid', input: text };
}
