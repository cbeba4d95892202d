import { describe, expect, it } from 'vitest';
import type { AccountIndex } from '../../../src/accounts/accountIndex.ts';
import { prepareSearch, prepareSearchInSlices, searchAccounts } from '../../../src/accounts/search.ts';
import { indexOf as indexOfNames } from '../../helpers/accountIndex.ts';

const indexOf = (names: Parameters<typeof indexOfNames>[0]) => indexOfNames(names, { idDigits: 6 });

/** A seeded source, so every run sees the same names. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

const trades = ['Bakery', 'Dental', 'Plumbing', 'Florist', 'Books', 'Yoga Studio', 'Consulting', 'Realty'];
const places = ['Maple', 'Cedar', 'Harbor', 'Summit', 'Coastal', 'Golden', 'Prairie', 'Midtown'];
/** Enough accounts that preparing them takes several slices. */
function bigIndex(extra: Array<[string, string | null]> = []): AccountIndex {
  const rnd = random(7);
  const names: Array<[string, string | null]> = [];
  for (let i = 0; i < 8_000; i++) {
    const place = places[Math.floor(rnd() * places.length)] as string;
    const trade = trades[Math.floor(rnd() * trades.length)] as string;
    names.push([`${place} ${trade} ${i}`, `Owner ${i}`]);
  }
  return indexOf([...names, ...extra]);
}

const org = (r: ReturnType<typeof searchAccounts>) => (r.kind === 'one' ? r.account.organizationName : r.kind);

// In file order: the first test runs before anything in this module was prepared.
describe('preparing the search of a new index', () => {
  it('with nothing prepared yet, a search during the preparation finishes it and answers from the new index', async () => {
    const index = bigIndex([['Zenith Labs', null]]);
    const preparing = prepareSearchInSlices(index);
    expect(org(searchAccounts(index, 'zenith'))).toBe('Zenith Labs');
    await preparing;
    expect(org(searchAccounts(index, 'zenith'))).toBe('Zenith Labs');
  });

  it('works in slices that let the event loop run, and finds what a preparation at once finds', async () => {
    const index = bigIndex();
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await prepareSearchInSlices(index);
    ticking = false;
    expect(turns).toBeGreaterThan(1);

    const atOnce = { ...index };
    prepareSearch(atOnce);
    for (const words of ['maple', 'ced bak', 'harbr dental', 'owner 1234', 'summit yoga 77', 'zz', 'acct000042']) {
      expect(searchAccounts(index, words, { limit: 5 })).toEqual(searchAccounts(atOnce, words, { limit: 5 }));
    }
  });

  it('answers from the previous index until the new one is ready', async () => {
    const before = bigIndex();
    await prepareSearchInSlices(before);
    const after = bigIndex([['Newcomer Kites', null]]);
    const preparing = prepareSearchInSlices(after);
    expect(searchAccounts(after, 'newcomer kites')).toEqual({ kind: 'none' });
    expect(searchAccounts(after, 'maple bakery 12').kind).not.toBe('none');
    await preparing;
    expect(org(searchAccounts(after, 'newcomer kites'))).toBe('Newcomer Kites');
    // Asking again for an index already prepared costs nothing and changes nothing.
    await prepareSearchInSlices(after);
    expect(org(searchAccounts(after, 'newcomer kites'))).toBe('Newcomer Kites');
  });
});

/** Edits (insertions, deletions, substitutions) between two words. */
function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] as number;
}

describe('typo matching', () => {
  it('finds every name word within the forgiven typos of a word that begins none', () => {
    const rnd = random(42);
    const word = (min: number, max: number) =>
      Array.from({ length: min + Math.floor(rnd() * (max - min + 1)) }, () => 'abcde'[Math.floor(rnd() * 5)]).join('');
    // One word per name, no owner: every typo match scores alike within a factor of two, so all are offered.
    const names = [...new Set(Array.from({ length: 400 }, () => word(3, 8)))];
    const index = indexOf(names.map((n) => [n, null]));
    let checked = 0;
    for (let q = 0; q < 300; q++) {
      const query = word(4, 7);
      if (names.some((n) => n.startsWith(query))) continue;
      const typos = query.length >= 5 ? 2 : 1;
      const want = names.filter((n) => levenshtein(query, n) <= typos).sort();
      const found = searchAccounts(index, query, { limit: 1000 });
      const got =
        found.kind === 'one'
          ? [found.account.organizationName]
          : found.kind === 'several'
            ? found.candidates.map((a) => a.organizationName)
            : [];
      expect(got.sort(), query).toEqual(want);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});
