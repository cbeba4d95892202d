import type { Bracket, CatalogPlan, Pricing, TimeUnit } from './catalog.ts';
import { formatCount, formatMoney } from './money.ts';

/** Brackets listed before "+N more". */
const maxBracketsShown = 8;

/** "month", "3 months". */
export function periodText(unit: TimeUnit, length: number): string {
  return length === 1 ? unit : `${formatCount(length)} ${unit}s`;
}

const formulaNames = { stairstep: 'Stair-step', tiered: 'Tiered', volume: 'Volume' } as const;
const formulaHints = {
  stairstep: 'one price for the whole bracket',
  tiered: 'per unit, each unit priced by its own bracket',
  volume: 'per unit, every unit priced by the bracket the total falls in',
} as const;

/** "1–3: $15 · 4–5: $20 · 6+: $25": each bracket starts after the previous one's maximum. */
export function bracketsText(brackets: Bracket[], minQuantity: number | null, currency: string | null): string {
  const parts: string[] = [];
  let start = minQuantity ?? 1;
  for (const b of brackets.slice(0, maxBracketsShown)) {
    const price = formatMoney(b.price, currency, { compact: true });
    if (b.maxQuantity === null) {
      parts.push(`${formatCount(start)}+: ${price}`);
      break;
    }
    const range =
      b.maxQuantity <= start ? formatCount(b.maxQuantity) : `${formatCount(start)}–${formatCount(b.maxQuantity)}`;
    parts.push(`${range}: ${price}`);
    start = b.maxQuantity + 1;
  }
  const more = brackets.length - parts.length;
  if (more > 0 && parts.length === maxBracketsShown) parts.push(`+${more} more`);
  return parts.join(' · ');
}

function quantityLimits(min: number | null, max: number | null): string {
  if (min === null && max === null) return '';
  if (max === null) return ` (at least ${formatCount(min ?? 1)} units)`;
  return ` (${formatCount(min ?? 1)}–${formatCount(max)} units)`;
}

/** The price a person can read: "$49.00 / month", "$3.25 per unit", "Tiered: 1–3: $15 · 4+: $10". */
export function priceText(pricing: Pricing | null, plan: Pick<CatalogPlan, 'currency' | 'interval' | 'kind'>): string {
  if (plan.kind === 'trial-only') return 'Trial only';
  if (!pricing || pricing.formula === 'unknown') return 'Price not shown';
  const per = plan.interval ? ` / ${periodText(plan.interval.unit, plan.interval.length)}` : '';
  switch (pricing.formula) {
    case 'fixed-fee':
      return plan.interval
        ? `${formatMoney(pricing.price, plan.currency)}${per}`
        : `${formatMoney(pricing.price, plan.currency)} once`;
    case 'flat-rate':
      return `${formatMoney(pricing.price, plan.currency)} per unit${per}${quantityLimits(pricing.minQuantity, pricing.maxQuantity)}`;
    default:
      return `${formulaNames[pricing.formula]} (${formulaHints[pricing.formula]}): ${bracketsText(pricing.brackets, pricing.minQuantity, plan.currency)}${per}`;
  }
}

/** "every month", "every 3 months, 12 payments", or "one-time". */
export function intervalText(plan: Pick<CatalogPlan, 'interval' | 'kind'>): string {
  if (plan.kind === 'trial-only') return 'no recurring billing';
  if (!plan.interval) return 'one-time';
  const { unit, length, limit } = plan.interval;
  const every = `every ${periodText(unit, length)}`;
  return limit ? `${every}, ${formatCount(limit)} payment${limit === 1 ? '' : 's'}` : every;
}

/** "free for 14 days", "$1.00 for 1 month", or undefined when the plan has no trial. */
export function trialText(plan: Pick<CatalogPlan, 'trial' | 'currency'>): string | undefined {
  if (!plan.trial) return undefined;
  const { price, unit, length } = plan.trial;
  const cost = price === 0 ? 'free' : formatMoney(price, plan.currency);
  return `${cost} for ${periodText(unit, length)}`;
}

export function setupText(plan: Pick<CatalogPlan, 'setup' | 'currency'>): string | undefined {
  if (!plan.setup) return undefined;
  return plan.setup.price === 0 ? 'no setup fee' : `${formatMoney(plan.setup.price, plan.currency)} setup fee`;
}
