import { describe, expect, it } from 'vitest';
import { billingSoon, detectChanges, snapshotOf, tiersNearLimit } from '../../../src/digests/changes.ts';
import { planWith as plan } from '../../helpers/plans.ts';

describe('detectChanges', () => {
  it('has nothing to say about an account seen for the first time', () => {
    expect(detectChanges(undefined, snapshotOf(plan({})))).toEqual([]);
  });

  it.each([
    {
      name: 'a trial that became paying',
      before: { billing_status: 'Trial' },
      after: { billing_status: 'Open' },
      want: [{ kind: 'status', from: 'Trial', to: 'Open' }],
    },
    {
      name: 'a cancellation',
      before: {},
      after: { billing_status: 'Canceled' },
      want: [{ kind: 'status', from: 'Open', to: 'Canceled' }],
    },
    {
      name: 'a trial that ended',
      before: { billing_status: 'Trial' },
      after: { billing_status: 'Trial End' },
      want: [{ kind: 'status', from: 'Trial', to: 'Trial End' }],
    },
    {
      name: 'a plan upgrade',
      before: {},
      after: { plan_type: 'BETTER' },
      want: [{ kind: 'plan', from: 'GOOD', to: 'BETTER' }],
    },
    {
      name: 'a tier up',
      before: {},
      after: {
        current_tiers: [{ usage_type: 'CONTACTS', tier: 2, current_usage: 600, tier_min: 501, tier_max: 1000 }],
      },
      want: [{ kind: 'tier', usageType: 'CONTACTS', from: 1, to: 2, direction: 'up' }],
    },
    {
      name: 'a tier down',
      before: { current_tiers: [{ usage_type: 'CONTACTS', tier: 3 }] },
      after: {},
      want: [{ kind: 'tier', usageType: 'CONTACTS', from: 3, to: 1, direction: 'down' }],
    },
    { name: 'nothing', before: {}, after: {}, want: [] },
  ])('reports $name', ({ before, after, want }) => {
    expect(detectChanges(snapshotOf(plan(before)), snapshotOf(plan(after)))).toEqual(want);
  });
});

describe('billingSoon', () => {
  const today = new Date('2026-11-26T09:00:00Z');
  it.each([
    { name: 'billed in 4 days', o: { billing_day_of_month: 30 }, want: 4 },
    { name: 'the 31st in a 30-day month', o: { billing_day_of_month: 31 }, want: 4 },
    { name: 'billed today', o: { billing_day_of_month: 26 }, want: 0 },
    { name: 'across the month end', o: { billing_day_of_month: 2 }, want: 6 },
  ])('$name', ({ o, want }) => {
    expect(billingSoon(plan(o), today)?.inDays).toBe(want);
  });

  it.each([
    { name: 'more than a week away', o: { billing_day_of_month: 10 } },
    { name: 'a trial', o: { billing_status: 'Trial', billing_day_of_month: null } },
    { name: 'a canceled account', o: { billing_status: 'Canceled', billing_day_of_month: 28 } },
  ])('is quiet for $name', ({ o }) => {
    expect(billingSoon(plan(o), today)).toBeUndefined();
  });
});

describe('tiersNearLimit', () => {
  it.each([
    { usage: 449, want: 0 },
    { usage: 450, want: 1 },
    { usage: 520, want: 1 },
  ])('$usage of 500 is near the limit: $want', ({ usage, want }) => {
    const p = plan({
      current_tiers: [{ usage_type: 'CONTACTS', tier: 1, current_usage: usage, tier_min: 0, tier_max: 500 }],
    });
    expect(tiersNearLimit(p)).toHaveLength(want);
  });
});
