import { describe, expect, it } from 'vitest';
import { isAccountId } from '../../../src/billing/account.ts';
import { planPath } from '../../../src/partner/accountId.ts';

const refused = [
  { name: 'empty', id: '' },
  { name: 'parent directory', id: '..' },
  { name: 'a traversal', id: '../x' },
  { name: 'a deeper traversal', id: '../../admin' },
  { name: 'a slash', id: 'a/b' },
  { name: 'a backslash', id: 'a\\b' },
  { name: 'an encoded traversal', id: '%2e%2e%2f' },
  { name: 'a dot', id: 'a.b' },
  { name: 'a query string', id: 'a?x=1' },
  { name: 'a fragment', id: 'a#b' },
  { name: 'a space', id: 'a b' },
  { name: 'a newline', id: 'abc\n' },
  { name: 'a non-ASCII letter', id: 'abcé' },
  { name: '65 characters', id: 'a'.repeat(65) },
];

describe('isAccountId', () => {
  it.each([
    { name: 'the documented example', id: 'a07e1lxtnhz0' },
    { name: 'capitals, dashes and underscores', id: 'AbC-123_x' },
    { name: 'one character', id: 'a' },
    { name: '64 characters', id: 'z'.repeat(64) },
  ])('accepts $name', ({ id }) => {
    expect(isAccountId(id)).toBe(true);
  });

  it.each(refused)('refuses $name', ({ id }) => {
    expect(isAccountId(id)).toBe(false);
  });
});

describe('planPath', () => {
  it.each([
    { id: 'a07e1lxtnhz0', want: '/partner/accounts/a07e1lxtnhz0/plan' },
    { id: 'AbC-123_x', want: '/partner/accounts/AbC-123_x/plan' },
  ])('puts $id in the path as exactly one segment', ({ id, want }) => {
    const path = planPath(id);
    expect(path).toBe(want);
    expect(path.split('/')).toEqual(['', 'partner', 'accounts', id, 'plan']);
    expect(new URL(path, 'https://api.cc.email/v3/').pathname).toBe(want);
  });

  it.each(refused)('refuses to build a path from $name', ({ id }) => {
    expect(() => planPath(id)).toThrow(TypeError);
  });
});
