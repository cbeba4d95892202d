import { describe, expect, it } from 'vitest';
import type { PartnerAccount } from '../../../src/billing/account.ts';
import type { Forecast } from '../../../src/billing/forecast.ts';
import { radarCsv, radarCsvFilename } from '../../../src/blocks/radarCsv.ts';
import type { AccountOutlook } from '../../../src/history/radar.ts';

const today = new Date('2026-02-10T15:00:00Z');

const header = [
  'account_id',
  'organization_name',
  'site_owner_name',
  'billing_status',
  'plan_type',
  'contacts',
  'contacts_on',
  'tier_level',
  'tier_min',
  'tier_max',
  'tier_price',
  'currency',
  'billing_day',
  'next_billing_date',
  'plan_read_on',
  'change_30_days',
  'trend_per_day',
  'forecast',
  'why_no_forecast',
  'reaches_max_on',
  'projected_at_billing',
];

const likelyUp: Forecast = {
  kind: 'likely_up',
  points: 30,
  change30: 290,
  trendPerDay: 10.004,
  r2: 0.98,
  max: 2500,
  reachesMaxOn: '2026-02-20',
  alreadyOver: false,
  nextBillingDate: '2026-02-28',
  daysToBilling: 18,
  projectedAtBilling: 2580.6,
  nextLevel: 3,
};

function outlook(over: Partial<AccountOutlook> = {}, account: Partial<PartnerAccount> = {}): AccountOutlook {
  return {
    account: {
      id: 'a07eacme0001',
      organizationName: 'Acme Widgets',
      siteOwnerName: 'Zen1016153',
      billingStatus: 'Open',
      subscriberCount: 2400,
      lastLoginDate: null,
      ...account,
    },
    usage: 2400,
    usageOn: '2026-02-10',
    tier: { usageType: 'CONTACTS', level: 2, min: 501, max: 2500, usage: 2390, price: 45, currency: 'USD' },
    planType: 'BETTER',
    billingDay: 31,
    readOn: '2026-02-09',
    forecast: likelyUp,
    ...over,
  };
}

/** The CSV's lines, each checked to end in CRLF (none of these fixtures has a line break in a field). */
function lines(csv: string): string[] {
  expect(csv.endsWith('\r\n')).toBe(true);
  const parts = csv.split('\r\n');
  expect(parts.pop()).toBe('');
  for (const part of parts) expect(part).not.toMatch(/[\r\n]/);
  return parts;
}

/** One row's cells by column name (fields here hold no commas or quotes). */
function row(o: AccountOutlook): Record<string, string> {
  const [head, body] = lines(radarCsv([o], today));
  const names = head!.split(',');
  const cells = body!.split(',');
  expect(cells).toHaveLength(names.length);
  return Object.fromEntries(names.map((name, i) => [name, cells[i]!]));
}

describe('radarCsv', () => {
  it('writes the header row alone, with CRLF, when there are no accounts', () => {
    expect(radarCsv([], today)).toBe(`${header.join(',')}\r\n`);
  });

  it('writes one CRLF-ended row per account, in the order given, every column filled from the outlook', () => {
    const csv = radarCsv([outlook(), outlook({}, { id: 'a07eacme0002', organizationName: 'Beta' })], today);
    const [head, first, second, ...rest] = lines(csv);
    expect(head).toBe(header.join(','));
    expect(rest).toEqual([]);
    expect(first).toBe(
      'a07eacme0001,Acme Widgets,Zen1016153,Open,BETTER,2400,2026-02-10,2,501,2500,45.00,USD,31,2026-02-28,' +
        '2026-02-09,290,10.00,likely_up,,2026-02-20,2581',
    );
    expect(second!.startsWith('a07eacme0002,Beta,')).toBe(true);
  });

  it('leaves every fact planbot does not know empty', () => {
    const cells = row(
      outlook(
        {
          usage: null,
          usageOn: null,
          tier: undefined,
          planType: null,
          billingDay: null,
          readOn: null,
          forecast: {
            kind: 'none',
            why: 'too_few_points',
            points: 1,
            change30: undefined,
            trendPerDay: undefined,
            r2: undefined,
          },
        },
        { organizationName: null, siteOwnerName: null, billingStatus: null },
      ),
    );
    expect(cells).toEqual({
      ...Object.fromEntries(header.map((name) => [name, ''])),
      account_id: 'a07eacme0001',
      forecast: 'none',
      why_no_forecast: 'too_few_points',
    });
  });

  it('gives a next billing date only to a paying account with a billing day', () => {
    // The 31st bills on the last day of a shorter month.
    expect(row(outlook()).next_billing_date).toBe('2026-02-28');
    expect(row(outlook({ billingDay: 10 })).next_billing_date).toBe('2026-02-10');
    expect(row(outlook({ billingDay: 9 })).next_billing_date).toBe('2026-03-09');
    // A status planbot does not know may still be billed.
    expect(row(outlook({}, { billingStatus: null })).next_billing_date).toBe('2026-02-28');
    expect(row(outlook({}, { billingStatus: 'Trial' })).next_billing_date).toBe('');
    expect(row(outlook({}, { billingStatus: 'Canceled' })).next_billing_date).toBe('');
    expect(row(outlook({ billingDay: null })).next_billing_date).toBe('');
    expect(row(outlook({ billingDay: 0 })).next_billing_date).toBe('');
  });

  it('writes each kind of forecast with the facts it has', () => {
    const growing = row(
      outlook({
        forecast: {
          kind: 'growing',
          points: 30,
          change30: 60,
          trendPerDay: 2,
          r2: 0.9,
          max: 2500,
          reachesMaxOn: null,
          nextBillingDate: '2026-02-28',
          daysToBilling: 18,
          projectedAtBilling: 2436.4,
        },
      }),
    );
    expect([growing.forecast, growing.reaches_max_on, growing.projected_at_billing]).toEqual(['growing', '', '2436']);

    const shrinking = row(
      outlook({
        forecast: { kind: 'shrinking', points: 30, change30: -400, trendPerDay: -13.336, r2: 0.9, fallShare: 0.14 },
      }),
    );
    // Negative numbers are plain numbers: no quote, no apostrophe.
    expect(shrinking).toMatchObject({
      forecast: 'shrinking',
      change_30_days: '-400',
      trend_per_day: '-13.34',
      why_no_forecast: '',
      reaches_max_on: '',
      projected_at_billing: '',
    });

    const steady = row(
      outlook({ forecast: { kind: 'steady', points: 30, change30: 0, trendPerDay: -0.001, r2: 0.7, fallShare: 0 } }),
    );
    expect([steady.forecast, steady.change_30_days, steady.trend_per_day]).toEqual(['steady', '0', '0.00']);

    const flat = row(
      outlook({ forecast: { kind: 'none', why: 'flat', points: 30, change30: 1, trendPerDay: 0.25, r2: 0.1 } }),
    );
    expect([flat.forecast, flat.why_no_forecast, flat.trend_per_day]).toEqual(['none', 'flat', '0.25']);
  });

  it('quotes a field with a comma, a quote or a line break, doubling its quotes (RFC 4180)', () => {
    const csv = radarCsv(
      [outlook({}, { organizationName: 'Acme, "Best" Widgets\r\nNorth', siteOwnerName: 'line\nbreak' })],
      today,
    );
    expect(csv).toContain(',"Acme, ""Best"" Widgets\r\nNorth","line\nbreak",Open,');
    // A field with none of them stays bare.
    expect(radarCsv([outlook({}, { organizationName: "O'Brien & Sons" })], today)).toContain(
      ",O'Brien & Sons,Zen1016153,",
    );
  });

  it('keeps text a spreadsheet would run as a formula from being one', () => {
    const named = (organizationName: string) =>
      lines(radarCsv([outlook({}, { organizationName })], today))[1]!.split(',')[1];
    expect(named('=HYPERLINK("http://x.test")')).toBe(`"'=HYPERLINK(""http://x.test"")"`);
    expect(named('+1 555 0100')).toBe("'+1 555 0100");
    expect(named('-2+3')).toBe("'-2+3");
    expect(named('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(named('\t=1')).toBe("'\t=1");
    // Only the start counts: a sign inside a name is left alone.
    expect(named('Smith-Jones')).toBe('Smith-Jones');
    expect(radarCsv([outlook({}, { organizationName: '\r=1' })], today)).toContain(`,"'\r=1",`);
    // Every text column is guarded, not only the name.
    expect(row(outlook({ planType: '=cmd' }, { siteOwnerName: '@owner', billingStatus: '-Open' }))).toMatchObject({
      site_owner_name: "'@owner",
      billing_status: "'-Open",
      plan_type: "'=cmd",
    });
    expect(row(outlook({}, { id: '-a07e' })).account_id).toBe("'-a07e");
  });

  it('writes a Slack mention in a name as the text it is: a file is not a message', () => {
    const cells = row(outlook({}, { organizationName: '<!channel> & <@U123>' }));
    expect(cells.organization_name).toBe('<!channel> & <@U123>');
  });
});

describe('radarCsvFilename', () => {
  it('names the file after the UTC day', () => {
    expect(radarCsvFilename(today)).toBe('planbot-radar-2026-02-10.csv');
    expect(radarCsvFilename(new Date('2026-02-10T23:30:00-05:00'))).toBe('planbot-radar-2026-02-11.csv');
  });
});
