import { describe, expect, it } from 'vitest';
import { sparkline, usageSparkline } from '../../../src/billing/sparkline.ts';

describe('sparkline', () => {
  it.each([
    { name: 'eight evenly spaced values use every height once', values: [0, 1, 2, 3, 4, 5, 6, 7], want: '▁▂▃▄▅▆▇█' },
    { name: 'the lowest value is ▁ and the highest █, whatever the scale', values: [1000, 2000], want: '▁█' },
    { name: 'values in between are scaled', values: [0, 50, 100], want: '▁▅█' },
    { name: 'a falling series falls', values: [7, 6, 5, 4, 3, 2, 1, 0], want: '█▇▆▅▄▃▂▁' },
    { name: 'a flat series is a level line of ▄', values: [1800, 1800, 1800], want: '▄▄▄' },
    { name: 'a single value is ▄', values: [42], want: '▄' },
    { name: 'no values: an empty string', values: [], want: '' },
    { name: 'a missing day is a space, keeping its place', values: [0, null, 7], want: '▁ █' },
    { name: 'all days missing: all spaces', values: [null, null], want: '  ' },
    { name: 'a non-finite value is a missing day', values: [0, Number.NaN, Infinity, 7], want: '▁  █' },
    { name: 'negative values scale like any others', values: [-10, 0, 10], want: '▁▅█' },
    { name: 'usage in the millions', values: [2_400_000, 2_450_000, 2_500_000], want: '▁▅█' },
    { name: 'a range too wide for a number still draws', values: [-1e308, 0, 1e308], want: '▁▅█' },
  ])('$name', ({ values, want }) => {
    expect(sparkline(values)).toBe(want);
  });

  it('is one character per value', () => {
    const values = Array.from({ length: 30 }, (_, i) => (i % 4 === 0 ? null : Math.sin(i) * 100));
    expect([...sparkline(values)]).toHaveLength(30);
  });
});

describe('usageSparkline', () => {
  it('draws the last 30 days ending today, a space for each day with no point', () => {
    const got = usageSparkline(
      [
        { day: '2026-11-11', usage: 100 },
        { day: '2026-12-09', usage: 240 },
        { day: '2026-12-10', usage: 170 },
        { day: '2026-11-01', usage: 999 },
      ],
      new Date('2026-12-10T08:00:00Z'),
    );
    expect([...got]).toHaveLength(30);
    expect(got).toBe(`▁${' '.repeat(27)}█▅`);
  });
});
