import { isAccountId } from '../partner/accountId.ts';

export type PlanCommand =
  | { kind: 'help' }
  | { kind: 'lookup'; accountId: string }
  | { kind: 'invalid'; input: string }
  | { kind: 'watch' | 'unwatch'; ids: string[]; invalid: string[] }
  | { kind: 'watchlist' }
  | { kind: 'digest'; args: string[] };

/** Most ids one watch or unwatch takes (each watched id is checked against the API). */
export const maxIdsPerWatch = 25;

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

const unquote = (word: string) => word.replace(/^[`'"“”‘’]+|[`'"“”‘’,;]+$/g, '');

/**
 * `/plan`, `/plan help`, `/plan <encoded account id>`, and the digest subcommands:
 * `watch <id>…`, `unwatch <id>…`, `watchlist`, `digest …`.
 */
export function parsePlanCommand(raw: string): PlanCommand {
  const text = cleanCommandText(raw);
  if (text === '' || /^(help|\?|-h|--help)$/i.test(text)) return { kind: 'help' };
  const [first = '', ...rest] = text.split(' ');
  const sub = first.toLowerCase();
  if (sub === 'watchlist' && rest.length === 0) return { kind: 'watchlist' };
  if (sub === 'digest') return { kind: 'digest', args: rest };
  if (sub === 'watch' || sub === 'unwatch') {
    const words = rest.map(unquote).filter(Boolean);
    const ids = [...new Set(words.filter(isAccountId))];
    return { kind: sub, ids, invalid: words.filter((w) => !isAccountId(w)) };
  }
  // People paste ids wrapped in backticks or quotes; take what is inside.
  const unwrapped = text.replace(/^[`'"“”‘’]+|[`'"“”‘’]+$/g, '');
  if (isAccountId(unwrapped)) return { kind: 'lookup', accountId: unwrapped };
  return { kind: 'invalid', input: text };
}
