import { describe, expect, it } from 'vitest';
import { normalizeName, searchAccounts } from '../../../src/accounts/search.ts';
import { indexOf } from '../../helpers/accountIndex.ts';

const index = indexOf([
  ['Acme Inc.', 'acme1'],
  ['Acme Bakery', 'bake22'],
  ['Acmeville Dental', 'dent1'],
  ['Blue River Bakery', 'brb'],
  ['Blue Riverside Yoga', 'bry'],
  ['Café Élan', 'elan9'],
  ['O’Brien & Sons', 'obr'],
  ['AT&T Club', null],
  ['Smith Plumbing', 'smithp'],
  ['Smyth Consulting', 'smyth'],
  ['Straße Müller GmbH', 'mu'],
  ['García Law', 'garcia1'],
  [null, 'Zen1016153'],
  ['St. Mary’s Church', 'stm'],
  ['Garden Club', 'gc1'],
  ['Garden Club', 'gc2'],
  ['Northwind Traders', 'northwind'],
]);

const names = (r: ReturnType<typeof searchAccounts>) =>
  r.kind === 'one' || r.kind === 'id'
    ? [r.account.organizationName ?? r.account.siteOwnerName]
    : r.kind === 'several'
      ? r.candidates.map((c) => c.organizationName ?? c.siteOwnerName)
      : [];

describe('normalizeName', () => {
  it.each([
    { input: 'Café Élan', want: 'cafe elan' },
    { input: 'O’Brien & Sons', want: 'obrien and sons' },
    { input: "St. Mary's", want: 'st marys' },
    { input: 'Straße Müller', want: 'strasse muller' },
    { input: 'ＡＣＭＥ', want: 'acme' },
    { input: '  --Acme,,  Inc!!  ', want: 'acme inc' },
    { input: 'Øresund Ærø', want: 'oresund aero' },
    { input: '', want: '' },
  ])('$input → $want', ({ input, want }) => {
    expect(normalizeName(input)).toBe(want);
  });
});

describe('searchAccounts', () => {
  it.each([
    { words: 'acct008', want: 'Smith Plumbing' },
    { words: '  ACCT008 ', want: 'Smith Plumbing' },
  ])('finds the account whose id is "$words"', ({ words, want }) => {
    const result = searchAccounts(index, words);
    expect(result.kind).toBe('id');
    expect(names(result)).toEqual([want]);
  });

  it.each([
    { words: 'Smith Plumbing', want: 'Smith Plumbing', why: 'the exact name' },
    { words: 'acme', want: 'Acme Inc.', why: 'the whole name without its legal form, though Acme Bakery exists' },
    { words: 'ACME, inc', want: 'Acme Inc.', why: 'case and punctuation' },
    { words: 'cafe elan', want: 'Café Élan', why: 'no accents' },
    { words: 'ÉLAN', want: 'Café Élan', why: 'one word of it' },
    { words: "o'brien and sons", want: 'O’Brien & Sons', why: 'a straight apostrophe and "and"' },
    { words: 'obrien', want: 'O’Brien & Sons', why: 'no apostrophe' },
    { words: 'at&t', want: 'AT&T Club', why: 'an ampersand' },
    { words: 'att', want: 'AT&T Club', why: 'the words run together' },
    { words: 'strasse muller', want: 'Straße Müller GmbH', why: 'ß and ü typed plainly' },
    { words: 'garcia', want: 'García Law', why: 'one word without its accent' },
    { words: 'st marys', want: 'St. Mary’s Church', why: 'the abbreviation without its dot' },
    { words: 'zen1016153', want: null, why: 'the site owner name' },
    { words: 'northw', want: 'Northwind Traders', why: 'the beginning of a word' },
    { words: 'acme bakry', want: 'Acme Bakery', why: 'a typo in one word' },
    { words: 'nortwind', want: 'Northwind Traders', why: 'a missing letter' },
    { words: 'smith', want: 'Smith Plumbing', why: 'an exact word, though Smyth is one letter away' },
    { words: 'blue river bakery', want: 'Blue River Bakery', why: 'every word, though Blue Riverside starts the same' },
    { words: 'the northwind traders company', want: 'Northwind Traders', why: 'legal-form words it does not have' },
  ])('finds one account by $why ("$words")', ({ words, want }) => {
    const result = searchAccounts(index, words);
    expect(result.kind).toBe('one');
    expect(result.kind === 'one' && (result.account.organizationName ?? null)).toBe(want);
  });

  it.each([
    { words: 'garden club', want: ['Garden Club', 'Garden Club'], why: 'two accounts with the same name' },
    { words: 'blue river', want: ['Blue River Bakery', 'Blue Riverside Yoga'], why: 'words both names share' },
    { words: 'bakery', want: ['Acme Bakery', 'Blue River Bakery'], why: 'a common word' },
    { words: 'smtih', want: ['Smyth Consulting', 'Smith Plumbing'], why: 'a typo as near one name as another' },
  ])('offers several for $why ("$words")', ({ words, want }) => {
    const result = searchAccounts(index, words);
    expect(result.kind).toBe('several');
    expect(names(result).sort()).toEqual([...want].sort());
  });

  it('offers at most `limit` candidates', () => {
    expect(names(searchAccounts(index, 'acm'))).toHaveLength(3);
    expect(names(searchAccounts(index, 'acm', { limit: 2 }))).toHaveLength(2);
  });

  it('puts the candidate that matches every word exactly before ones matched by a beginning', () => {
    expect(names(searchAccounts(index, 'blue river'))).toEqual(['Blue River Bakery', 'Blue Riverside Yoga']);
  });

  it.each([
    { words: 'zzz', why: 'no such name' },
    { words: '', why: 'no words' },
    { words: ' ,.!? ', why: 'only punctuation' },
    { words: 'acme zebra', why: 'one word no account has' },
    { words: 'acn', why: 'a typo in a word too short to forgive one' },
    { words: 'acct999', why: 'an id that is not in the index' },
  ])('finds none for $why ("$words")', ({ words }) => {
    expect(searchAccounts(index, words)).toEqual({ kind: 'none' });
  });

  it('does not take a name for an id, or an id for a name', () => {
    const tricky = indexOf([
      ['acme', 'x1'],
      ['Other', 'y1'],
    ]);
    // "acme" is also a valid-looking id, but no account has it as id: it is found by name.
    expect(searchAccounts(tricky, 'acme')).toMatchObject({ kind: 'one', account: { organizationName: 'acme' } });
  });

  it('finds nothing in an empty index', () => {
    expect(searchAccounts(indexOf([]), 'acme')).toEqual({ kind: 'none' });
  });

  it('ignores words past the first eight and text past 200 characters, so a pasted paragraph costs no more than a name', () => {
    expect(searchAccounts(index, `northwind ${'traders '.repeat(7)}zzz`).kind).toBe('one');
    expect(searchAccounts(index, `northwind ${' '.repeat(200)}zzz`).kind).toBe('one');
    expect(searchAccounts(index, `northwind ${'filler '.repeat(500)}`).kind).toBe('none');
  });

  it('answers from a new index once the index changes', () => {
    const before = indexOf([['Acme Inc.', null]]);
    const after = indexOf([['Zenith Labs', null]]);
    expect(searchAccounts(before, 'zenith').kind).toBe('none');
    expect(searchAccounts(after, 'zenith')).toMatchObject({
      kind: 'one',
      account: { organizationName: 'Zenith Labs' },
    });
  });
});
