import { describe, expect, it } from 'vitest';
import { formatPercent, usageBar, usageShare } from '../../../src/billing/usage.ts';

describe('usageShare', () => {
  it.each([
    { name: 'half the maximum used is a share of 0.5', usage: 250, max: 500, want: 0.5 },
    { name: 'no usage is a share of 0', usage: 0, max: 500, want: 0 },
    { name: 'usage over the maximum is more than 100%', usage: 600, max: 500, want: 1.2 },
    { name: 'a maximum of 0 has no share', usage: 10, max: 0, want: null },
    { name: 'a negative maximum has no share', usage: 10, max: -5, want: null },
    { name: 'usage not given has no share', usage: null, max: 500, want: null },
    { name: 'a maximum not given has no share', usage: 10, max: null, want: null },
    { name: 'negative usage counts as none used', usage: -10, max: 500, want: 0 },
    { name: 'a share that overflows to Infinity is no share (not "Infinity%")', usage: 1e308, max: 5e-324, want: null },
    { name: 'a share that overflows only as a percentage is no share either', usage: 1e308, max: 29.5, want: null },
  ])('$name', ({ usage, max, want }) => {
    expect(usageShare(usage, max)).toBe(want);
  });
});

describe('usageBar', () => {
  it.each([
    { name: 'an unused tier is all empty cells', share: 0, want: '▱▱▱▱▱▱▱▱▱▱' },
    { name: 'half used fills half the bar', share: 0.5, want: '▰▰▰▰▰▱▱▱▱▱' },
    { name: '42% fills four cells', share: 0.42, want: '▰▰▰▰▱▱▱▱▱▱' },
    { name: '96% rounds up to a full bar', share: 0.96, want: '▰▰▰▰▰▰▰▰▰▰' },
    { name: 'a full tier is a full bar', share: 1, want: '▰▰▰▰▰▰▰▰▰▰' },
    { name: 'over 100% is still one full bar, not longer', share: 3.7, want: '▰▰▰▰▰▰▰▰▰▰' },
    { name: 'a negative share is an empty bar, not shorter', share: -1, want: '▱▱▱▱▱▱▱▱▱▱' },
  ])('$name', ({ share, want }) => {
    expect(usageBar(share)).toBe(want);
  });

  it.each([-5, -0.01, 0, 0.001, 0.05, 0.15, 0.333, 0.5, 0.66, 0.999, 1, 1.5, 100])(
    'a share of %d always draws exactly 10 cells',
    (share) => {
      expect([...usageBar(share)]).toHaveLength(10);
    },
  );
});

describe('formatPercent', () => {
  it.each([
    { name: 'a share reads as a whole percentage', share: 0.42, want: '42%' },
    { name: 'nothing used is 0%', share: 0, want: '0%' },
    { name: 'tiny use shows as <1% (escaped for mrkdwn) rather than a misleading 0%', share: 0.002, want: '&lt;1%' },
    { name: 'just under 1% is still <1%', share: 0.0099, want: '&lt;1%' },
    { name: 'exactly 1% is 1%', share: 0.01, want: '1%' },
    { name: 'just under full is not rounded up to 100%', share: 0.999, want: '99%' },
    { name: 'full is 100%', share: 1, want: '100%' },
    { name: 'over the maximum shows above 100%', share: 1.2, want: '120%' },
  ])('$name', ({ share, want }) => {
    expect(formatPercent(share)).toBe(want);
  });

  // 29/100 is 0.29, and 0.29 * 100 is 28.999999999999996 in floating point.
  it.each([
    { usage: 29, max: 100, want: '29%' },
    { usage: 57, max: 100, want: '57%' },
    { usage: 58, max: 100, want: '58%' },
    { usage: 7, max: 25, want: '28%' },
    { usage: 350, max: 500, want: '70%' },
  ])('$usage of $max used reads as $want', ({ usage, max, want }) => {
    expect(formatPercent(usageShare(usage, max) ?? Number.NaN)).toBe(want);
  });
});
