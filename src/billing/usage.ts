/**
 * Share of the tier's maximum in use (0.42 = 42%), or null when the tier has no usable maximum, or
 * when the share is no number to show: 1e308 used of a 5e-324 maximum overflows to Infinity, and
 * 1e308 of 29.5 does once it is a percentage ("Infinity%").
 */
export function usageShare(usage: number | null, max: number | null): number | null {
  if (usage === null || max === null || max <= 0) return null;
  const share = usage / max;
  return Number.isFinite(share * 100) ? Math.max(0, share) : null;
}

/** A ten-cell bar, full at 100% and beyond: `▰▰▰▰▱▱▱▱▱▱`. */
export function usageBar(share: number, cells = 10): string {
  const filled = Math.min(cells, Math.max(0, Math.round(share * cells)));
  return '▰'.repeat(filled) + '▱'.repeat(cells - filled);
}

/**
 * 0.423 → "42%"; tiny non-zero use shows as "<1%" rather than a misleading 0%. That one is
 * written `&lt;1%`, escaped as Slack asks for every `<` in mrkdwn (where all of this goes).
 */
export function formatPercent(share: number): string {
  const pct = share * 100;
  if (pct > 0 && pct < 1) return '&lt;1%';
  // The epsilon keeps 0.29 × 100 = 28.999… from reading as 28%.
  return `${Math.floor(pct + 1e-9)}%`;
}
