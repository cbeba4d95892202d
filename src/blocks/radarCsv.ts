import { nextBillingDate } from '../billing/nextBillingDate.ts';
import { isBilled } from '../billing/planLabels.ts';
import type { AccountOutlook } from '../history/radar.ts';

/**
 * A cell: text, a number, a number already written out (`{ digits }`, for fixed decimals), or empty
 * (null, undefined, or a number that is not finite).
 */
type Cell = string | number | { digits: string } | null | undefined;

/** One column: its header and how a row's outlook fills it. */
const columns: ReadonlyArray<readonly [string, (o: AccountOutlook, today: Date) => Cell]> = [
  ['account_id', (o) => o.account.id],
  ['organization_name', (o) => o.account.organizationName],
  ['site_owner_name', (o) => o.account.siteOwnerName],
  ['billing_status', (o) => o.account.billingStatus],
  ['plan_type', (o) => o.planType],
  ['contacts', (o) => o.usage],
  ['contacts_on', (o) => o.usageOn],
  ['tier_level', (o) => o.tier?.level],
  ['tier_min', (o) => o.tier?.min],
  ['tier_max', (o) => o.tier?.max],
  ['tier_price', (o) => fixed(o.tier?.price)],
  ['currency', (o) => o.tier?.currency],
  ['billing_day', (o) => o.billingDay],
  ['next_billing_date', (o, today) => billingDate(o, today)],
  ['plan_read_on', (o) => o.readOn],
  ['change_30_days', (o) => o.forecast.change30],
  ['trend_per_day', (o) => fixed(o.forecast.trendPerDay)],
  ['forecast', (o) => o.forecast.kind],
  ['why_no_forecast', (o) => (o.forecast.kind === 'none' ? o.forecast.why : null)],
  [
    'reaches_max_on',
    (o) => (o.forecast.kind === 'likely_up' || o.forecast.kind === 'growing' ? o.forecast.reachesMaxOn : null),
  ],
  [
    'projected_at_billing',
    (o) =>
      o.forecast.kind === 'likely_up' || o.forecast.kind === 'growing'
        ? Math.round(o.forecast.projectedAtBilling)
        : null,
  ],
];

/** Two decimals (`12.50`); a value that rounds to zero is `0.00`, never `-0.00`. */
function fixed(n: number | null | undefined): { digits: string } | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  return { digits: (Number(n.toFixed(2)) || 0).toFixed(2) };
}

/** The next billing date of a paying account whose billing day planbot knows, `YYYY-MM-DD`. */
function billingDate(o: AccountOutlook, today: Date): string | null {
  const day = o.billingDay;
  if (!isBilled(o.account.billingStatus) || day === null || !Number.isInteger(day) || day < 1 || day > 31) return null;
  return nextBillingDate(day, today).toISOString().slice(0, 10);
}

/**
 * A spreadsheet reads a cell that starts with one of these as a formula (tab and CR too, which some
 * skip before looking for one); a leading `'` keeps it text. OWASP's advice against CSV injection.
 */
const formulaStart = /^[=+\-@\t\r]/;

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  // Numbers go out as they are, a leading minus included: only text can carry a formula.
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'object') return cell.digits;
  const text = formulaStart.test(cell) ? `'${cell}` : cell;
  // RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The radar as a CSV file (RFC 4180, CRLF line ends, a header row): one row per account, every fact
 * the radar drew on, an empty cell for each one planbot does not know. Pure: `today` is the only clock.
 */
export function radarCsv(outlooks: AccountOutlook[], today: Date): string {
  const rows = [columns.map(([name]) => name).join(',')];
  for (const o of outlooks) rows.push(columns.map(([, value]) => cellText(value(o, today))).join(','));
  return rows.map((row) => `${row}\r\n`).join('');
}

/** `planbot-radar-2026-03-14.csv`, the UTC day of `today`. */
export function radarCsvFilename(today: Date): string {
  return `planbot-radar-${today.toISOString().slice(0, 10)}.csv`;
}
