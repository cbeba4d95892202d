import { setImmediate as nextTurn } from 'node:timers/promises';
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
 *    or, when it begins no name word in the index, with a small typo (one letter wrong, missing or
 *    extra in a 4-letter word; two in longer words, so two swapped letters are forgiven). A lone
 *    match, or a best match scoring at least `clearLead` times the next one (exact words beat typos
 *    and beginnings by about that much; organization words count twice owner words) → `one`; more
 *    → `several`.
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

  const hits = scoredSearch(prepared, queryWords, Math.max(limit, 2));
  const [best, next] = hits;
  if (!best) return { kind: 'none' };
  const account = (hit: Hit) => prepared.accounts[hit.doc] as PartnerAccount;
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
  const { words: sorted, starts, postings } = prepared;
  const postingsIn = (r: { from: number; to: number }) => (starts[r.to] as number) - (starts[r.from] as number);
  // Walk the accounts of the rarest word typed; every other word must begin a word of theirs too.
  const ranges = queryWords.map((w) => ({ w, from: lowerBound(sorted, w), to: lowerBound(sorted, `${w}\uffff`) }));
  const walked = ranges.reduce((a, b) => (postingsIn(b) < postingsIn(a) ? b : a));
  const others = queryWords.filter((w) => w !== walked.w);
  const hasAll = (i: number) => others.every((w) => (prepared.docWords[i] as string).includes(` ${w}`));
  const end = starts[walked.to] as number;
  for (let j = starts[walked.from] as number; j < end && found.length < limit; j++) {
    // An account is in a word's postings once per field that has it: `add` keeps it once.
    const i = (postings[j] as number) >> 2;
    if (hasAll(i)) add(at(i));
  }
  // A typo in one word, only when nothing begins with it: the fuzzy search is the costly part.
  if (found.length === 0 && queryWords.length === 1 && last4(queryWords)) {
    for (const hit of scoredSearch(prepared, queryWords, limit)) add(at(hit.doc));
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

/** Field of a name word, kept in a posting's two low bits: the organization name counts twice. */
const org = 0;
const owner = 1;
/** Multi-word names run together without legal forms, so `acmebakery` and `att` (AT&T) find them. */
const joined = 2;
const fieldBoost = [2, 1, 1];
/** A word's beginning, or a typo, weighs this much of an exact word (less the more it differs). */
const prefixWeight = 0.375;
const fuzzyWeight = 0.45;
/** Typos forgiven in a word of this many letters. */
const maxTypos = (length: number) => (length >= 5 ? 2 : length >= 4 ? 1 : 0);

interface Prepared {
  accounts: PartnerAccount[];
  byId: Map<string, PartnerAccount>;
  /** Whole names without spaces or legal-form words → the accounts that have them. */
  byName: Map<string, PartnerAccount[]>;
  /** Every name word once, sorted: a prefix is a range of it, found by binary search. */
  words: string[];
  /** The postings of `words[k]` are `postings[starts[k]]` up to `postings[starts[k + 1]]`. */
  starts: Int32Array;
  /** `account position * 4 + field`, in account order within a word. */
  postings: Int32Array;
  /** Each account's name words, space-led (` acme bakery acmebakes`), to check a word beginning. */
  docWords: string[];
  /** Per-account working space of a search, allocated on the first one (searches never interleave). */
  scratch?: { score: Float64Array; matched: Uint8Array; touched: Int32Array };
}

interface Hit {
  doc: number;
  score: number;
}

/**
 * The best `want` accounts matching every query word (exactly, as a beginning, or, for a word no
 * name word begins with, with a small typo), best first. Scores add up, per query word and field,
 * the boost of the field times the weight of each name word matched. Work is bounded by the
 * postings of the words matched, never by the number of accounts.
 */
function scoredSearch(p: Prepared, queryWords: string[], want: number): Hit[] {
  const { words, starts, postings } = p;
  const n = p.accounts.length;
  p.scratch ??= { score: new Float64Array(n), matched: new Uint8Array(n), touched: new Int32Array(n) };
  const { score, matched, touched } = p.scratch;
  const matchers = queryWords.map((q) => termsMatching(words, q));
  const cost = (terms: Term[]) =>
    terms.reduce((sum, t) => sum + (starts[t.k + 1] as number) - (starts[t.k] as number), 0);
  // The rarest word first: later words only add to the accounts still in the running.
  const order = matchers.map((terms) => ({ terms, cost: cost(terms) })).sort((a, b) => a.cost - b.cost);
  let touchedCount = 0;
  for (let qi = 0; qi < order.length; qi++) {
    const { terms } = order[qi] as { terms: Term[] };
    for (const { k, weight } of terms) {
      const end = starts[k + 1] as number;
      for (let j = starts[k] as number; j < end; j++) {
        const posting = postings[j] as number;
        const doc = posting >> 2;
        const state = matched[doc] as number;
        // `state` is how many query words the account has matched so far (this one included once).
        if (state !== qi && state !== qi + 1) continue;
        if (qi === 0 && state === 0) touched[touchedCount++] = doc;
        matched[doc] = qi + 1;
        score[doc] = (score[doc] as number) + (fieldBoost[posting & 3] as number) * weight;
      }
    }
  }
  const top: Hit[] = [];
  for (let t = 0; t < touchedCount; t++) {
    const doc = touched[t] as number;
    if (matched[doc] === order.length) {
      const s = score[doc] as number;
      // Ties keep the order in which accounts first matched.
      if (top.length < want || s > (top[top.length - 1] as Hit).score) {
        let at = Math.min(top.length, want - 1);
        while (at > 0 && (top[at - 1] as Hit).score < s) at--;
        top.splice(at, 0, { doc, score: s });
        if (top.length > want) top.pop();
      }
    }
    score[doc] = 0;
    matched[doc] = 0;
  }
  return top;
}

interface Term {
  /** Position in the sorted word list. */
  k: number;
  weight: number;
}

/** The name words a query word matches, with their weight: itself, words it begins, else near typos. */
function termsMatching(words: string[], q: string): Term[] {
  const from = lowerBound(words, q);
  if (q.length < 2) return words[from] === q ? [{ k: from, weight: 1 }] : [];
  const to = lowerBound(words, `${q}\uffff`);
  const terms: Term[] = [];
  for (let k = from; k < to; k++) {
    const extra = (words[k] as string).length - q.length;
    terms.push({ k, weight: extra === 0 ? 1 : (prefixWeight * q.length) / (q.length + 0.3 * extra) });
  }
  if (terms.length > 0 || maxTypos(q.length) === 0) return terms;
  return withinTypos(words, q, maxTypos(q.length)).map(({ k, distance }) => ({
    k,
    weight: (fuzzyWeight * q.length) / (q.length + distance),
  }));
}

/**
 * Words within `max` edits (Levenshtein) of `q`. The sorted list is walked as a trie: a word's
 * rows of the edit-distance table are reused for the next word's shared beginning, and every word
 * sharing a beginning already too far from `q` is skipped with one binary search.
 */
function withinTypos(words: string[], q: string, max: number): Array<{ k: number; distance: number }> {
  const found: Array<{ k: number; distance: number }> = [];
  const width = q.length + 1;
  const rows: Int32Array[] = [Int32Array.from({ length: width }, (_, i) => i)];
  let previous = '';
  /** Rows 0..valid hold the table for the first `valid` letters of `previous`. */
  let valid = 0;
  let k = 0;
  while (k < words.length) {
    const word = words[k] as string;
    let depth = 0;
    const limit = Math.min(valid, word.length);
    while (depth < limit && word.charCodeAt(depth) === previous.charCodeAt(depth)) depth++;
    let pruned = false;
    for (; depth < word.length; depth++) {
      const above = rows[depth] as Int32Array;
      const row = (rows[depth + 1] ??= new Int32Array(width));
      const c = word.charCodeAt(depth);
      row[0] = depth + 1;
      let least = depth + 1;
      for (let i = 1; i < width; i++) {
        const cost = q.charCodeAt(i - 1) === c ? 0 : 1;
        const v = Math.min((above[i] as number) + 1, (row[i - 1] as number) + 1, (above[i - 1] as number) + cost);
        row[i] = v;
        if (v < least) least = v;
      }
      if (least > max) {
        pruned = true;
        break;
      }
    }
    previous = word;
    if (pruned) {
      // Rows up to `depth` are this word's; row depth + 1 is already too far for every word under it.
      valid = depth;
      k = lowerBound(words, `${word.slice(0, depth + 1)}\uffff`);
      continue;
    }
    valid = word.length;
    const distance = (rows[word.length] as Int32Array)[q.length] as number;
    if (distance <= max) found.push({ k, distance });
    k++;
  }
  return found;
}

/** Built once per index object (the index store hands out the same object until a newer index is stored). */
const preparedByIndex = new WeakMap<AccountIndex, Prepared>();

interface Preparation {
  steps: Generator<undefined, Prepared, undefined>;
  /** What searches of the index use until it is ready: the last one prepared when it began. */
  fallback: Prepared | undefined;
  done?: Prepared;
  finished: Promise<void>;
}

/** Preparations running in slices, by index. */
const preparing = new WeakMap<AccountIndex, Preparation>();
/** The last structure completed, to answer from while a newer index is prepared. */
let latest: Prepared | undefined;
/** Synchronous work between two turns of the event loop while preparing in slices. */
const sliceMs = 10;

/**
 * Builds the search structure for an index now, at once (about 15 ms a thousand accounts, blocking
 * throughout: `prepareSearchInSlices` does not), so the first person to search a new index doesn't
 * wait for it. Later searches of the same object reuse it.
 */
export function prepareSearch(index: AccountIndex): void {
  prepare(index);
}

/**
 * Builds the search structure for an index in slices of about 10 ms that let the event loop run
 * between them (health checks, Slack acks). Until it is ready, searches of this index are answered
 * from the structure prepared before it (the previous index); with none, a search finishes the
 * preparation itself. Never rejects: a preparation that fails is left to the first search.
 */
export function prepareSearchInSlices(index: AccountIndex): Promise<void> {
  if (preparedByIndex.has(index)) return Promise.resolve();
  const running = preparing.get(index);
  if (running) return running.finished;
  const preparation: Preparation = { steps: buildSteps(index), fallback: latest, finished: Promise.resolve() };
  preparing.set(index, preparation);
  preparation.finished = (async () => {
    try {
      while (!preparation.done) {
        const sliceEnd = performance.now() + sliceMs;
        while (!preparation.done && performance.now() < sliceEnd) step(index, preparation);
        if (!preparation.done) await nextTurn();
      }
    } catch {
      // Left to the first search of this index, which builds it again and reports what fails.
      if (preparing.get(index) === preparation) preparing.delete(index);
    }
  })();
  return preparation.finished;
}

function step(index: AccountIndex, preparation: Preparation): void {
  const next = preparation.steps.next();
  if (!next.done) return;
  preparation.done = next.value;
  preparedByIndex.set(index, next.value);
  preparing.delete(index);
  latest = next.value;
}

function prepare(index: AccountIndex): Prepared {
  const cached = preparedByIndex.get(index);
  if (cached) return cached;
  const running = preparing.get(index);
  if (running?.fallback) return running.fallback;
  const preparation = running ?? { steps: buildSteps(index), fallback: undefined, finished: Promise.resolve() };
  while (!preparation.done) step(index, preparation);
  return preparation.done;
}

/** The work of preparing an index, in steps of a millisecond or so. */
function* buildSteps(index: AccountIndex): Generator<undefined, Prepared, undefined> {
  const { accounts } = index;
  const byId = new Map<string, PartnerAccount>();
  const byName = new Map<string, PartnerAccount[]>();
  const byWord = new Map<string, number[]>();
  const docWords: string[] = new Array<string>(accounts.length);
  for (let i = 0; i < accounts.length; i++) {
    const account = accounts[i] as PartnerAccount;
    if (!byId.has(account.id)) byId.set(account.id, account);
    const orgWords = normalizeName(account.organizationName ?? '')
      .split(' ')
      .filter(Boolean);
    const ownerWords = normalizeName(account.siteOwnerName ?? '')
      .split(' ')
      .filter(Boolean);
    const kept = [significant(orgWords), significant(ownerWords)];
    const joinedWords = kept.filter((w) => w.length > 1).map((w) => w.join(''));
    for (const key of new Set(kept.map((w) => w.join('')))) {
      if (!key) continue;
      const list = byName.get(key);
      if (list) list.push(account);
      else byName.set(key, [account]);
    }
    const all = new Set<string>();
    for (const [field, fieldWords] of [
      [org, orgWords],
      [owner, ownerWords],
      [joined, joinedWords],
    ] as const) {
      for (const word of new Set(fieldWords)) {
        all.add(word);
        const list = byWord.get(word);
        if (list) list.push(i * 4 + field);
        else byWord.set(word, [i * 4 + field]);
      }
    }
    docWords[i] = ` ${[...all].join(' ')}`;
    if (i % 200 === 199) yield;
  }
  for (let i = 0; i < accounts.length; i++) {
    const lower = (accounts[i] as PartnerAccount).id.toLowerCase();
    if (!byId.has(lower)) byId.set(lower, accounts[i] as PartnerAccount);
    if (i % 5000 === 4999) yield;
  }
  // Sorted in buckets by first two letters, a bucket at a time: one sort of every word is too long a slice.
  const buckets = new Map<string, string[]>();
  let counted = 0;
  for (const word of byWord.keys()) {
    const key = word.slice(0, 2);
    const bucket = buckets.get(key);
    if (bucket) bucket.push(word);
    else buckets.set(key, [word]);
    if (++counted % 10000 === 0) yield;
  }
  const words: string[] = [];
  for (const key of [...buckets.keys()].sort()) {
    const bucket = (buckets.get(key) as string[]).sort();
    for (const word of bucket) words.push(word);
    buckets.delete(key);
    yield;
  }
  const starts = new Int32Array(words.length + 1);
  let total = 0;
  for (let k = 0; k < words.length; k++) {
    starts[k] = total;
    total += (byWord.get(words[k] as string) as number[]).length;
  }
  starts[words.length] = total;
  yield;
  const postings = new Int32Array(total);
  for (let k = 0; k < words.length; k++) {
    postings.set(byWord.get(words[k] as string) as number[], starts[k]);
    if (k % 5000 === 4999) yield;
  }
  const prepared: Prepared = { accounts, byId, byName, words, starts, postings, docWords };
  if (!warmedUp) {
    yield* warmUp(prepared);
    warmedUp = true;
  }
  return prepared;
}

/** Set once the search code has run enough to be compiled: the engine keeps it for the process. */
let warmedUp = false;

/**
 * Searches of the first structure prepared, so the first people to search don't pay for the
 * engine compiling its loops (first searches of a large index ran up to ten times slower).
 */
function* warmUp(p: Prepared): Generator<undefined, void, undefined> {
  const every = Math.max(1, Math.floor(p.words.length / 8));
  const samples = p.words.filter((w, k) => k % every === 0 && w.length >= 5);
  for (let round = 0; round < 10; round++) {
    for (const word of samples) {
      scoredSearch(p, [word.slice(0, 2)], 2);
      scoredSearch(p, [word, word.slice(0, 3)], 2);
      // Letters that begin no word: the typo search runs.
      scoredSearch(p, [`${word.slice(0, 3)}qxz`], 2);
      yield;
    }
  }
}
