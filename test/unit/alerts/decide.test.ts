import { describe, expect, it } from 'vitest';
import { type AccountState, alertKey, kindOfChange } from '../../../src/alerts/accountState.ts';
import { decide } from '../../../src/alerts/decide.ts';

const state = (level: number | null, status = 'Open', planType = 'BETTER'): AccountState => ({
  planType,
  billingStatus: status,
  tiers:
    level === null
      ? []
      : [{ usageType: 'CONTACTS', level, min: 0, max: 500 * level, price: 20 * level, currency: 'USD' }],
});
const id = 'a07eacme01';

describe('decide', () => {
  it('posts nothing when the state read is the one already announced (a retry, or the same change told twice)', () => {
    expect(decide(id, state(3), { state: state(3), at: 1 }, alertKey(id, state(3)))).toEqual({ kind: 'announced' });
  });

  it('compares with the last state planbot knew from any source', () => {
    expect(decide(id, state(3), { state: state(2), at: 1 }, undefined)).toEqual({ kind: 'alert', previous: state(2) });
  });

  it('compares with the state before, when a lookup saw the new one first', () => {
    expect(decide(id, state(3), { state: state(3), at: 2, before: state(2) }, alertKey(id, state(1)))).toEqual({
      kind: 'alert',
      previous: state(2),
    });
  });

  it('says it knew no earlier state when it knew none, or only the current one', () => {
    expect(decide(id, state(3), undefined, undefined)).toEqual({ kind: 'alert', previous: undefined });
    expect(decide(id, state(3), { state: state(3), at: 1 }, undefined)).toEqual({ kind: 'alert', previous: undefined });
  });

  it('ignores a price or range that moved without a new level', () => {
    const repriced = { ...state(3), tiers: [{ ...state(3).tiers[0]!, price: 99 }] };
    expect(decide(id, repriced, { state: state(3), at: 1 }, alertKey(id, state(3)))).toEqual({ kind: 'announced' });
  });
});

describe('kindOfChange', () => {
  it('goes by the states when both are known, whatever the event said', () => {
    expect(kindOfChange(state(2), state(3), 'downgrade')).toBe('upgrade');
    expect(kindOfChange(state(3), state(2), 'upgrade')).toBe('downgrade');
    expect(kindOfChange(state(2), state(2, 'Canceled'), 'change')).toBe('cancellation');
    expect(kindOfChange(state(2), state(2, 'Open', 'GOLD'), 'upgrade')).toBe('change');
  });

  it('goes by the event when there is nothing to compare with, or for a disabled account', () => {
    expect(kindOfChange(undefined, state(3), 'upgrade')).toBe('upgrade');
    expect(kindOfChange(state(2), state(2), 'disabled')).toBe('disabled');
  });
});
