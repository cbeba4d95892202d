import { code } from '../text/mrkdwn.ts';
import { maxOffset } from '../billing/catalog.ts';
import { cleanCommandText } from './planCommand.ts';

/** Everything that defines one page of a catalog search; carried whole in the paging buttons. */
export interface PlansQuery {
  /** Free words; they go to Rebilly's `q` and nowhere else. */
  words: string;
  filter: string | undefined;
  sort: string | undefined;
  offset: number;
}

export type PlansCommand =
  { kind: 'help' } | { kind: 'search'; query: PlansQuery } | { kind: 'invalid'; problem: string };

const maxWords = 200;
const maxFilter = 500;
const maxSort = 200;
/** Longest piece of the user's text a problem quotes: keeps every problem message short. */
const maxQuoted = 60;
/** A button value planbot reads back must leave room under Slack's 2,000 for the next page's offset. */
const maxEncoded = 1900;

/** The user's text in a problem: escaped, in a code span it cannot break out of, and bounded. */
const quoted = (text: string) => code(text || '(empty)', maxQuoted);

export const filterExample = '--filter isActive:true;currency:USD,EUR';
export const sortExample = '--sort -createdTime,name';

const fieldName = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** Rebilly's filter shape: `field:value[,value…][;field:value…]`; values may use `!`, `a..b` and `@list`. */
export function filterProblem(expr: string): string | undefined {
  if (expr.length > maxFilter) return `the filter is longer than ${maxFilter} characters`;
  for (const clause of expr.split(';')) {
    const colon = clause.indexOf(':');
    if (colon <= 0) return `${quoted(clause)} is not \`field:value\``;
    const field = clause.slice(0, colon);
    if (!fieldName.test(field)) return `${quoted(field)} is not a field name`;
    const values = clause.slice(colon + 1).split(',');
    if (values.some((v) => v.trim() === '' || v === '!')) return `${quoted(clause)} has an empty value`;
  }
  return undefined;
}

/** Comma-separated field names, `-` for descending. */
export function sortProblem(expr: string): string | undefined {
  if (expr.length > maxSort) return `the sort is longer than ${maxSort} characters`;
  const fields = expr.split(',');
  if (fields.length > 5) return 'sort by at most 5 fields';
  const bad = fields.find((f) => !fieldName.test(f.replace(/^-/, '')));
  return bad === undefined ? undefined : `${quoted(bad)} is not a field name (use \`-\` before a field for descending)`;
}

/** Splits on spaces, keeping "quoted parts" (straight or curly quotes) together. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (const m of text.matchAll(re)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  return tokens;
}

/** `/plans [words] [--filter EXPR] [--sort FIELDS]`; `/plans help` explains it. */
export function parsePlansCommand(raw: string): PlansCommand {
  // Slack sends UTF-8, so a lone surrogate can only come from elsewhere; replacing it keeps every
  // query this accepts one that decodePlansQuery accepts back from a button.
  const text = cleanCommandText(raw).toWellFormed();
  if (/^(help|\?|-h|--help)$/i.test(text)) return { kind: 'help' };
  const tokens = tokenize(text);
  const words: string[] = [];
  let filter: string | undefined;
  let sort: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const option = /^--(filter|sort)(?:=(.*))?$/i.exec(token);
    if (!option) {
      words.push(token);
      continue;
    }
    const name = (option[1] as string).toLowerCase();
    const value = option[2] ?? tokens[++i];
    if (value === undefined || value === '') {
      return {
        kind: 'invalid',
        problem: `\`--${name}\` needs a value. For example \`${name === 'filter' ? filterExample : sortExample}\``,
      };
    }
    if (name === 'filter') {
      if (filter !== undefined) return { kind: 'invalid', problem: 'give `--filter` once (join conditions with `;`)' };
      const problem = filterProblem(value);
      if (problem)
        return {
          kind: 'invalid',
          problem: `the filter doesn't look right: ${problem}. For example \`${filterExample}\``,
        };
      filter = value;
    } else {
      if (sort !== undefined) return { kind: 'invalid', problem: 'give `--sort` once (join fields with `,`)' };
      const problem = sortProblem(value);
      if (problem)
        return { kind: 'invalid', problem: `the sort doesn't look right: ${problem}. For example \`${sortExample}\`` };
      sort = value;
    }
  }
  const joined = words.join(' ');
  if (joined.length > maxWords)
    return { kind: 'invalid', problem: `search words are limited to ${maxWords} characters` };
  return { kind: 'search', query: { words: joined, filter, sort, offset: 0 } };
}

/** The paging buttons' value: the whole query, so any replica can serve the click. */
export function encodePlansQuery(q: PlansQuery): string {
  return JSON.stringify({ w: q.words, f: q.filter ?? null, s: q.sort ?? null, o: q.offset });
}

/** What a Prev/Next button carries: the query, and on a shared page who shared it (so the next page says so too). */
export interface PlansButton {
  query: PlansQuery;
  sharedBy: string | undefined;
}

const userId = /^[A-Z0-9]{2,30}$/;

export function encodePlansButton({ query, sharedBy }: PlansButton): string {
  if (sharedBy === undefined) return encodePlansQuery(query);
  return JSON.stringify({
    w: query.words,
    f: query.filter ?? null,
    s: query.sort ?? null,
    o: query.offset,
    b: sharedBy,
  });
}

/** A button's value read back; `undefined` for anything planbot would not have written. */
export function decodePlansButton(value: string): PlansButton | undefined {
  const query = decodePlansQuery(value);
  if (!query) return undefined;
  const by = (JSON.parse(value) as Record<string, unknown>).b;
  if (by === undefined) return { query, sharedBy: undefined };
  return typeof by === 'string' && userId.test(by) ? { query, sharedBy: by } : undefined;
}

/** Control characters, zero-width and bidi characters: cleanCommandText removes them, so no query planbot wrote has any. */
const unclean = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;
const isClean = (s: string | undefined) => s === undefined || (s.isWellFormed() && !unclean.test(s));

/**
 * Reads a button value back, re-validating everything: a click payload is input like any other.
 * Text planbot never writes (control characters, lone surrogates) is refused, and so is a query
 * whose value, re-encoded for the next page, might not fit in a button.
 */
export function decodePlansQuery(value: string): PlansQuery | undefined {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const words = typeof o.w === 'string' ? o.w : '';
  const filter = typeof o.f === 'string' ? o.f : undefined;
  const sort = typeof o.s === 'string' ? o.s : undefined;
  const offset = typeof o.o === 'number' && Number.isInteger(o.o) ? o.o : Number.NaN;
  if (words.length > maxWords || !(offset >= 0 && offset <= maxOffset)) return undefined;
  if (filter !== undefined && filterProblem(filter)) return undefined;
  if (sort !== undefined && sortProblem(sort)) return undefined;
  if (!isClean(words) || !isClean(filter) || !isClean(sort)) return undefined;
  const query = { words, filter, sort, offset };
  return encodePlansQuery(query).length > maxEncoded ? undefined : query;
}

/** The query in one line, as it would be typed (for the audit). */
export function describePlansQuery(q: PlansQuery): string {
  return [
    q.words,
    q.filter ? `--filter ${q.filter}` : '',
    q.sort ? `--sort ${q.sort}` : '',
    q.offset ? `(from ${q.offset + 1})` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
