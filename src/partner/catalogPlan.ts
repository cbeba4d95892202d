import type { CatalogPlan, Pricing, TimeUnit } from '../billing/catalog.ts';

const units = new Set<string>(['day', 'week', 'month', 'year']);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const unit = (v: unknown): TimeUnit | null => (typeof v === 'string' && units.has(v) ? (v as TimeUnit) : null);

function parsePricing(v: unknown): Pricing | null {
  const p = obj(v);
  if (!p) return null;
  const formula = text(p.formula);
  switch (formula) {
    case 'fixed-fee': {
      const price = num(p.price);
      return price === null ? { formula: 'unknown', name: formula } : { formula, price };
    }
    case 'flat-rate': {
      const price = num(p.price);
      return price === null
        ? { formula: 'unknown', name: formula }
        : { formula, price, minQuantity: num(p.minQuantity), maxQuantity: num(p.maxQuantity) };
    }
    case 'stairstep':
    case 'tiered':
    case 'volume': {
      const brackets = (Array.isArray(p.brackets) ? p.brackets : [])
        .map(obj)
        .filter((b): b is Record<string, unknown> => b !== null && num(b.price) !== null)
        .map((b) => ({ price: num(b.price) as number, maxQuantity: num(b.maxQuantity) }));
      return brackets.length === 0
        ? { formula: 'unknown', name: formula }
        : { formula, brackets, minQuantity: num(p.minQuantity) };
    }
    default:
      return { formula: 'unknown', name: formula };
  }
}

/**
 * Never throws; returns null only for something that is not a plan at all (no id). A numeric id
 * counts only as a safe integer: `1e999` parses to Infinity, and `1e21` would show as "1e+21".
 */
export function parseCatalogPlan(v: unknown): CatalogPlan | null {
  const p = obj(v);
  const id = p ? (text(p.id) ?? (Number.isSafeInteger(p.id) ? String(p.id) : null)) : null;
  if (!p || id === null) return null;
  const interval = obj(p.recurringInterval);
  const trial = obj(p.trial);
  const trialPeriod = obj(trial?.period);
  const setup = obj(p.setup);
  const intervalUnit = unit(interval?.unit);
  const intervalLength = num(interval?.length);
  const trialUnit = unit(trialPeriod?.unit);
  const trialLength = num(trialPeriod?.length);
  const trialPrice = num(trial?.price);
  const isTrialOnly = p.isTrialOnly === true;
  return {
    id,
    name: text(p.name),
    productId: text(p.productId),
    currency: text(p.currency),
    description: text(p.description),
    isActive: p.isActive !== false,
    kind: isTrialOnly ? 'trial-only' : interval ? 'subscription' : 'one-time',
    pricing: isTrialOnly ? null : parsePricing(p.pricing),
    interval:
      intervalUnit && intervalLength !== null
        ? { unit: intervalUnit, length: intervalLength, limit: num(interval?.limit) }
        : null,
    trial:
      trialUnit && trialLength !== null && trialPrice !== null
        ? { price: trialPrice, unit: trialUnit, length: trialLength }
        : null,
    setup: setup && num(setup.price) !== null ? { price: num(setup.price) as number } : null,
  };
}
