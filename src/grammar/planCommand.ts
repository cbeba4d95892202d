import { isAccountId } from '../billing/account.ts';

export type PlanCommand =
  | { kind: 'help' }
  | { kind: 'lookup'; accountId: string }
  /** Words that are not an account id: an organization or owner name to find in the account index. */
  | { kind: 'find'; words: string }
  | { kind: 'reindex' }
  /** The upgrade radar; `csv`: every indexed account as a file instead of the three lists. */
  | { kind: 'radar'; csv: boolean }
  | { kind: 'invalid'; input: string }
  /** `words` is everything after the subcommand: a name, when the index says it is one. */
  | { kind: 'watch' | 'unwatch'; ids: string[]; invalid: string[]; words: string }
  | { kind: 'watchlist' }
  | { kind: 'digest'; args: string[] }
  | { kind: 'alerts'; args: string[] }
  /** planbot's own health, for the people in `ADMIN_USER_IDS`. */
  | { kind: 'status' };

/** Most ids one watch or unwatch takes (each watched id is checked against the API). */
export const maxIdsPerWatch = 25;

/** Longest name search: organization names are short, and the search reads only the first words. */
const maxNameLength = 200;

/**
 * Text that cannot be a name or an id: paths, URL escapes and Slack's `<@U…>`/`<http…>` markup.
 * Said to be invalid rather than searched, so a pasted path never looks like "no match".
 */
const notAName = /[/\\<>]|%[0-9a-f]{2}/i;

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

/**
 * Slack sends what people type with `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` (its markup
 * uses the bare characters); undone so `Fox &amp; Hound` is searched as `Fox & Hound`.
 */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `--csv` or `csv`; phones and macOS turn a typed `--` into a dash (`—csv`, `–csv`). */
const csvFlag = /^(?:--|[\u2013\u2014])?csv$/i;

const unquote = (word: string) => word.replace(/^[`'"“”‘’]+|[`'"“”‘’,;]+$/g, '');

/**
 * `/plan`, `/plan help`, `/plan <encoded account id>`, `radar [--csv]`, and the digest subcommands:
 * `watch <id>…`, `unwatch <id>…`, `watchlist`, `digest …`, and `alerts …`.
 */
export function parsePlanCommand(raw: string): PlanCommand {
  const text = unescapeSlackText(cleanCommandText(raw));
  if (text === '' || /^(help|\?|-h|--help)$/i.test(text)) return { kind: 'help' };
  const [first = '', ...rest] = text.split(' ');
  const sub = first.toLowerCase();
  if (sub === 'watchlist' && rest.length === 0) return { kind: 'watchlist' };
  if (sub === 'digest') return { kind: 'digest', args: rest };
  if (sub === 'alerts') return { kind: 'alerts', args: rest };
  if (sub === 'watch' || sub === 'unwatch') {
    const words = rest.map(unquote).filter(Boolean);
    const ids = [...new Set(words.filter(isAccountId))];
    return { kind: sub, ids, invalid: words.filter((w) => !isAccountId(w)), words: rest.join(' ') };
  }
  if (sub === 'reindex' && rest.length === 0) return { kind: 'reindex' };
  if (sub === 'status' && rest.length === 0) return { kind: 'status' };
  if (sub === 'radar' && rest.length === 0) return { kind: 'radar', csv: false };
  if (sub === 'radar' && rest.length === 1 && csvFlag.test(rest[0] as string)) return { kind: 'radar', csv: true };
  // People paste ids wrapped in backticks or quotes; take what is inside.
  const unwrapped = text.replace(/^[`'"“”‘’]+|[`'"“”‘’]+$/g, '');
  if (isAccountId(unwrapped)) return { kind: 'lookup', accountId: unwrapped };
  // Anything with a letter or digit in it may be a name; the index decides.
  if (/[\p{L}\p{N}]/u.test(unwrapped) && unwrapped.length <= maxNameLength && !notAName.test(unwrapped))
    return { kind: 'find', words: unwrapped };
  return { kind: 'invalid', input: text };
}
