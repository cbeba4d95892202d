const formatters = new Map<string, Intl.NumberFormat | null>();
/** Intl formats any three letters as a currency; only real ISO 4217 codes get a symbol. */
const isoCurrencies = new Set(Intl.supportedValuesOf('currency'));
// Building an Intl.NumberFormat costs far more than using one; these are made once.
const plainAmount = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function formatterFor(currency: string): Intl.NumberFormat | null {
  // Only ISO codes are cached, so codes invented by an API cannot grow the cache.
  if (!isoCurrencies.has(currency)) return null;
  let f = formatters.get(currency);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'symbol' });
    } catch {
      f = null;
    }
    formatters.set(currency, f);
  }
  return f;
}

/**
 * A price as people write it: `$20.00`, `€15.50`, `CA$9.99`, `¥1,200`. An unknown or missing
 * currency falls back to the bare amount with the code after it.
 */
export function formatMoney(amount: number, currency: string | null, options: { compact?: boolean } = {}): string {
  const code = currency?.trim().toUpperCase() ?? '';
  const f = code ? formatterFor(code) : null;
  // Compact drops a whole amount's cents ("$15", not "$15.00") where many prices stand in a row.
  if (f && options.compact && Number.isInteger(amount)) return f.format(amount).replace(/[.,]00(?=\D*$)/, '');
  if (f) return f.format(amount);
  const plain = plainAmount.format(amount);
  return code ? `${plain} ${code}` : plain;
}

/** Whole counts with separators: 12500 → "12,500"; fractions kept to two places. */
export function formatCount(n: number): string {
  return count.format(n);
}
