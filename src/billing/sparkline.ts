import { dailyUsage, forecastDefaults, type UsagePoint } from './forecast.ts';

/** Eight heights, lowest first. */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** Half height: a series that does not move is a level line, not an empty one. */
const LEVEL = '▄';
/** A day with no value keeps its place, so the line stays one character per day. */
const GAP = ' ';

/**
 * A one-line chart of the values, one character per value: the lowest value is `▁`, the highest `█`,
 * the rest scaled between them. A series whose values are all equal is all `▄`. A null (or
 * non-finite) value is a gap, drawn as a space.
 */
export function sparkline(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return GAP.repeat(values.length);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  // Halved before subtracting: hi − lo overflows to Infinity for -1e308 and 1e308; halving is exact.
  const range = hi / 2 - lo / 2;
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return GAP;
      if (range === 0) return LEVEL;
      const t = (v / 2 - lo / 2) / range;
      return BLOCKS[Math.min(7, Math.max(0, Math.round(t * 7)))] ?? LEVEL;
    })
    .join('');
}

/** The sparkline of the last `days` days ending today, one character a day (a space for a day with no point). */
export function usageSparkline(points: readonly UsagePoint[], today: Date, days = forecastDefaults.windowDays): string {
  return sparkline(dailyUsage(points, today, days));
}
