import MiniSearch, { type SearchOptions } from 'minisearch';
import type { PartnerAccount } from '../billing/account.ts';
import type { AccountIndex } from './accountIndex.ts';

export type AccountSearchResult =
  /** The words were the encoded id of an account in the index. */
  | { kind: 'id'; account: PartnerAccount }
  /** One account is clearly meant (see the rules below). */
  | { kind: 'one'; account: PartnerAccount }
  /** Best first, at most `limit`. */
  | { kind: 'several'; candidates: PartnerAccount[] }
  | { kind: 'none' };

/**
 * Finds the account a person means by its organization or site owner name.
 *
 * Names and words are compared normalized: case, accents (NFKD without combining marks), `&`/`and`,
 * apostrophes and other punctuation do not matter. Rules, in order:
 * 1. The words are the encoded id of an indexed account → `id`.
 * 2. The words are an account's whole name, ignoring spaces and legal-form words (`Acme Inc.` =
 *    `acme` = `ACME, Inc`) → `one` when a single account has that name, else `several` of them.
 * 3. Otherwise every word must match a word of the name: exactly, as its beginning (`acm` → Acme),
 *    or with a small typo (one letter wrong, missing or extra in a 4-letter word; two in longer
 *    words, so two swapped letters are forgiven). A lone match, or a best match scoring at least
 *    `clearLead` times the next one (exact words beat typos and beginnings by about that much),
 *    → `one`; more → `several`.
 *    Legal-form words (`inc`, `llc`, `the`, …) in the words are ignored unless nothing else is left.
 * 4. Nothing matches every word → `none`.
 */
export function searchAccounts(
  index: AccountIndex,
  words: string,
  options: { limit?: number } = {},
): AccountSearchResult {
  const limit = options.limit ?? 10;
  const prepared = prepare(index);
  const text = words.trim().slice(0, maxQueryChars);

  const byId = prepared.byId.get(text) ?? prepared.byId.get(text.toLowerCase());
  if (byId) return { kind: 'id', account: byId };

  const queryWords = significant(normalizeName(text).split(' ').filter(Boolean)).slice(0, maxQueryWords);
  if (queryWords.length === 0) return { kind: 'none' };

  const named = prepared.byName.get(queryWords.join(''));
  if (named?.length === 1) return { kind: 'one', account: named[0] as PartnerAccount };
  if (named) return { kind: 'several', candidates: named.slice(0, limit) };

  const hits = prepared.engine.search(queryWords.join(' '), searchOptions);
  const [best, next] = hits;
  if (!best) return { kind: 'none' };
  const account = (hit: { id: unknown }) => prepared.accounts[hit.id as number] as PartnerAccount;
  if (!next || best.score >= clearLead * next.score) return { kind: 'one', account: account(best) };
  return { kind: 'several', candidates: hits.slice(0, limit).map(account) };
}

/**
 * Accounts to offer while a person types (a typeahead): the account whose id the words are, then
 * accounts with exactly that name, then accounts with a name word beginning with each word typed
 * (found in a sorted word list, so a two-letter prefix over 100,000 accounts costs a binary search
 * and the first `limit` hits, not a scored search of every match), and only when nothing begins
 * with a single word of four letters or more, its typo-tolerant matches. At most `limit`.
 */
export function suggestAccounts(index: AccountIndex, words: string, limit: number): PartnerAccount[] {
  const prepared = prepare(index);
  const text = words.trim().slice(0, maxQueryChars);
  const found: PartnerAccount[] = [];
  const seen = new Set<string>();
  const add = (account: PartnerAccount) => {
    if (found.length < limit && !seen.has(account.id)) {
      seen.add(account.id);
      found.push(account);
    }
  };
  const at = (i: number) => prepared.accounts[i] as PartnerAccount;
  const byId = prepared.byId.get(text) ?? prepared.byId.get(text.toLowerCase());
  if (byId) add(byId);
  const queryWords = significant(normalizeName(text).split(' ').filter(Boolean)).slice(0, maxQueryWords);
  if (queryWords.length === 0) return found;
  for (const account of prepared.byName.get(queryWords.join('')) ?? []) add(account);
  const { words: sorted, docs } = prepared.wordList;
  // Walk the accounts of the rarest word typed; every other word must begin a word of theirs too.
  const ranges = queryWords.map((w) => ({ w, from: lowerBound(sorted, w), to: lowerBound(sorted, `${w}\uffff`) }));
  const walked = ranges.reduce((a, b) => (b.to - b.from < a.to - a.from ? b : a));
  const others = queryWords.filter((w) => w !== walked.w);
  const hasAll = (i: number) => others.every((w) => (prepared.docWords[i] as string).includes(` ${w}`));
  for (let k = walked.from; k < walked.to && found.length < limit; k++) {
    for (const i of docs[k] as number[]) {
      if (found.length >= limit) break;
      if (hasAll(i)) add(at(i));
    }
  }
  // A typo in one word, only when nothing begins with it: the fuzzy search is the costly part.
  if (found.length === 0 && queryWords.length === 1 && last4(queryWords)) {
    for (const hit of prepared.engine.search(queryWords.join(' '), searchOptions)) {
      if (found.length >= limit) break;
      add(at(hit.id as number));
    }
  }
  return found;
}

const last4 = (words: string[]) => (words[0] as string).length >= 4;

/** The first position in a sorted list whose word is not before `word`. */
function lowerBound(sorted: string[], word: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < word) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The accounts a piece of free text (a message) names: runs of up to four of its words that are an
 * account's whole name, the longest runs first, so "renewal for Acme Bakery next week" finds Acme
 * Bakery before a company called Acme. Ids in the text are the caller's to look for first.
 */
export function accountsNamedIn(index: AccountIndex, text: string, limit: number): PartnerAccount[] {
  const prepared = prepare(index);
  const words = normalizeName(text.slice(0, 2000)).split(' ').filter(Boolean).slice(0, 300);
  const found: PartnerAccount[] = [];
  const seen = new Set<string>();
  // Words already part of a longer name found: "Acme" inside "Acme Bakery" is not a second company.
  const covered = new Array<boolean>(words.length).fill(false);
  for (let size = Math.min(4, words.length); size >= 1; size--) {
    for (let start = 0; start + size <= words.length; start++) {
      const run = words.slice(start, start + size);
      // Legal-form words alone ("the", "co") and very short words name no one.
      if (run.every((w) => legalForms.has(w)) || run.join('').length < 3) continue;
      if (covered.slice(start, start + size).some(Boolean)) continue;
      const named = prepared.byName.get(significant(run).join('')) ?? [];
      if (named.length > 0) covered.fill(true, start, start + size);
      for (const account of named) {
        if (seen.has(account.id)) continue;
        seen.add(account.id);
        found.push(account);
        if (found.length >= limit) return found;
      }
    }
  }
  return found;
}

/** How far ahead the best match must be to be the one meant (a typo or a beginning weighs under 0.45 of an exact word). */
const clearLead = 2;
/** Words past these are ignored: they bound the cost of a hostile or pasted query. */
const maxQueryChars = 200;
const maxQueryWords = 8;

/** Words that say a company's legal form, not which company. */
const legalForms = new Set([
  'inc',
  'incorporated',
  'llc',
  'llp',
  'ltd',
  'limited',
  'co',
  'corp',
  'corporation',
  'company',
  'the',
  'and',
  'of',
  'gmbh',
  'sa',
  'plc',
]);

function significant(words: string[]): string[] {
  const kept = words.filter((w) => !legalForms.has(w));
  return kept.length > 0 ? kept : words;
}

/** Letters that NFKD leaves whole but people type without their stroke. */
const folded: Record<string, string> = { ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower case, no accents, `&` as `and`, apostrophes dropped (`O'Brien` → `obrien`), other punctuation a space. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßøæœłđðþı]/g, (c) => folded[c] ?? c)
    .replace(/&/g, ' and ')
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface SearchDoc {
  i: number;
  org: string;
  owner: string;
  /** Multi-word names run together without legal forms, so `acmebakery` and `att` (AT&T) find them. */
  joined: string;
}

const searchOptions: SearchOptions = {
  combineWith: 'AND',
  prefix: (term) => term.length >= 2,
  fuzzy: (term) => (term.length >= 5 ? 2 : term.length >= 4 ? 1 : false),
  boost: { org: 2, owner: 1, joined: 1 },
};

interface Prepared {
  engine: MiniSearch<SearchDoc>;
  accounts: PartnerAccount[];
  byId: Map<string, PartnerAccount>;
  /** Whole names without spaces or legal-form words → the accounts that have them. */
  byName: Map<string, PartnerAccount[]>;
  /** Every name word once, sorted, with the accounts (by position) it belongs to: prefix lookups. */
  wordList: { words: string[]; docs: number[][] };
  /** Each account's name words, space-led (` acme bakery acmebakes`), to check a word beginning. */
  docWords: string[];
}

/** Built once per index object (the index store hands out the same object until a newer index is stored). */
const preparedByIndex = new WeakMap<AccountIndex, Prepared>();

/**
 * Builds the search structure for an index now (about 70 ms for 5,000 accounts), so the first
 * person to search a new index doesn't wait for it. Later searches of the same object reuse it.
 */
export function prepareSearch(index: AccountIndex): void {
  prepare(index);
}

function prepare(index: AccountIndex): Prepared {
  const cached = preparedByIndex.get(index);
  if (cached) return cached;
  const engine = new MiniSearch<SearchDoc>({
    idField: 'i',
    fields: ['org', 'owner', 'joined'],
    // Text is normalized before it reaches the engine, so splitting on spaces is all that is left.
    tokenize: (text) => text.split(' '),
    processTerm: (term) => term || null,
  });
  const byId = new Map<string, PartnerAccount>();
  const byName = new Map<string, PartnerAccount[]>();
  const docs: SearchDoc[] = index.accounts.map((account, i) => {
    if (!byId.has(account.id)) byId.set(account.id, account);
    const org = normalizeName(account.organizationName ?? '');
    const owner = normalizeName(account.siteOwnerName ?? '');
    const joined = [org, owner]
      .map((n) => significant(n.split(' ').filter(Boolean)))
      .filter((w) => w.length > 1)
      .map((w) => w.join(''));
    const keys = new Set([org, owner].map((name) => significant(name.split(' ').filter(Boolean)).join('')));
    for (const key of keys) {
      if (!key) continue;
      const list = byName.get(key);
      if (list) list.push(account);
      else byName.set(key, [account]);
    }
    return { i, org, owner, joined: joined.join(' ') };
  });
  for (const account of index.accounts) {
    const lower = account.id.toLowerCase();
    if (!byId.has(lower)) byId.set(lower, account);
  }
  engine.addAll(docs);
  const byWord = new Map<string, number[]>();
  const docWords = docs.map((doc) => {
    const words = [...new Set(`${doc.org} ${doc.owner} ${doc.joined}`.split(' ').filter(Boolean))];
    for (const word of words) {
      const list = byWord.get(word);
      if (list) list.push(doc.i);
      else byWord.set(word, [doc.i]);
    }
    return ` ${words.join(' ')}`;
  });
  const sortedWords = [...byWord.keys()].sort();
  const wordList = { words: sortedWords, docs: sortedWords.map((w) => byWord.get(w) as number[]) };
  const prepared = { engine, accounts: index.accounts, byId, byName, wordList, docWords };
  preparedByIndex.set(index, prepared);
  return prepared;
}
