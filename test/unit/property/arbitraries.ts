/**
 * fast-check generators for the property tests: hostile text (Slack markup, control characters,
 * unicode, 10,000+ character strings), hostile numbers, and raw API bodies shaped like what
 * Constant Contact and Rebilly send, but with any field wrong, missing or extreme.
 */
import fc from 'fast-check';
import type { PlansQuery } from '../../../src/grammar/plansCommand.ts';
import { maxOffset } from '../../../src/billing/catalog.ts';

/** Property runs per test: enough to find the edge cases, few enough that every file takes seconds. */
export const runs = { numRuns: 300 } as const;
export const fewerRuns = { numRuns: 150 } as const;

/** Pieces that mean something to Slack, to mrkdwn, to the command grammars, or to a terminal. */
export const hostilePieces = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0123|@team>',
  '<!date^1700000000^{date}|x>',
  '<@U0123>',
  '<@U0123|bob>',
  '<@W0123>',
  '<#C123>',
  '<#C123|general>',
  '<https://evil.example|click>',
  '<http://evil.example>',
  '<mailto:a@evil.example|mail>',
  '<',
  '>',
  '&',
  '&amp;',
  '&lt;',
  '&gt;',
  '&#60;',
  '*',
  '_',
  '~',
  '`',
  '```',
  '>>>',
  ':',
  ';',
  ',',
  '..',
  '!',
  '@',
  '-',
  '--filter',
  '--sort',
  '--filter=',
  '"',
  "'",
  '“',
  '”',
  '\\',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\u202e',
  '\u2066',
  '\ufeff',
  'é',
  'ß',
  '中文',
  'ﷺ',
  '👍🏽',
  '👨‍👩‍👧',
  '\ud800',
  '\udc00',
  'plan',
  'plans',
  'watch',
  'digest',
  'help',
  'weekly',
  '08:30',
  'UTC',
  'isActive:true',
  '-name',
  '__proto__',
  'constructor',
  'a07e1lxtnhz0',
] as const;

const piece = fc.constantFrom(...hostilePieces);

/** Text made of the hostile pieces and random characters, up to a few hundred characters. */
export const mixedText = fc
  .array(fc.oneof(piece, piece, fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 16 })
  .map((parts) => parts.join(''));

/** 10,000 to 12,000 characters of hostile pieces, repeated. */
export const hugeText = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: 4 }), fc.integer({ min: 10_000, max: 12_000 }))
  .map(([parts, n]) => {
    const unit = parts.join('');
    return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  });

/** Any string, weighted towards the interesting ones; includes lone surrogates and 10k+ strings. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: mixedText },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: piece },
  { weight: 1, arbitrary: hugeText },
);

/** Like hostileString but well-formed UTF-16 (what Slack can actually deliver: it sends UTF-8). */
export const wellFormedString: fc.Arbitrary<string> = hostileString.map((s) => s.toWellFormed());

/** A valid Constant Contact encoded account id (the grammar isAccountId documents). */
export const accountId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

/** The asker's own user id, the only mention planbot writes on purpose. */
export const askerId = 'U0ASKER42';

/** Numbers an API might send: ordinary, huge, tiny, negative zero, and non-finite values. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -10, max: 1000 }) },
  { weight: 2, arbitrary: fc.double() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      1e308,
      -1e308,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      -0,
      0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      -Number.MAX_SAFE_INTEGER - 2,
      1e21,
      0.1 + 0.2,
      0.005,
      31,
      32,
      29.5,
    ),
  },
);

/** Whatever else might sit in a field: wrong types, nested things, prototype-ish keys. */
export const strayValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  hostileString,
  hostileNumber,
  fc.constant('12'),
  fc.constant(' '),
  fc.constant(''),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 3 }),
  fc.constant({ __proto__: null, price: 1 }),
);

/** A field that is usually of the right kind but may be anything. */
const field = <T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: strayValue });

const numberField = field(hostileNumber);
const textField = (known: readonly string[]) =>
  field(fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...known) }, { weight: 3, arbitrary: hostileString }));

/** Currency codes: real ISO ones (2 and 3 decimals, no decimals), odd case and spacing, made-up ones. */
export const currencies = [
  'USD',
  'EUR',
  'JPY',
  'BHD',
  'GBP',
  'CAD',
  'usd',
  ' eur ',
  'XXX',
  'ABC',
  'US',
  'DOLLARS',
] as const;

/** One `current_tiers` entry as Constant Contact sends it, with anything wrong. */
export const rawTier = fc.record(
  {
    usage_type: textField(['CONTACTS', 'EMAILS', 'SMS_CREDITS', 'contacts', '__', '-']),
    current_usage: numberField,
    tier: numberField,
    tier_min: numberField,
    tier_max: numberField,
    price: numberField,
    currency_code: textField(currencies),
  },
  { requiredKeys: [] },
);

/** Many tiers: past the 40 a card shows, and many distinct (hostile) currencies for the monthly total. */
const manyTiers = fc.oneof(
  fc.tuple(rawTier, fc.integer({ min: 41, max: 300 })).map(([t, n]) => Array.from({ length: n }, () => t)),
  fc.array(fc.tuple(hostileString, hostileNumber), { minLength: 30, maxLength: 120 }).map((pairs) =>
    pairs.map(([currency_code, price], i) => ({
      usage_type: `T${i}`,
      price,
      currency_code,
      tier_max: 1,
      current_usage: 1,
    })),
  ),
);

/** A Constant Contact plan body: usually plan-shaped, sometimes anything at all. */
export const rawBillingPlan: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        plan_type: textField(['GOOD', 'BETTER', 'BEST', 'TRIAL', 'LITE', 'gold', ' silver ', 'PLATINUM']),
        billing_status: textField([
          'Open',
          'Trial',
          'Canceled',
          'Cancelled',
          'Trial End',
          'trial_end',
          'TRIALEND',
          ' open ',
          'Suspended',
        ]),
        billing_day_of_month: field(fc.oneof(fc.integer({ min: -3, max: 40 }), hostileNumber)),
        current_tiers: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: rawTier }, { weight: 1, arbitrary: strayValue }), {
              maxLength: 12,
            }),
          },
          { weight: 1, arbitrary: manyTiers },
          { weight: 1, arbitrary: strayValue },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: strayValue },
);

const units = ['day', 'week', 'month', 'year'] as const;
const unitField = textField([...units, 'months', 'DAY', 'fortnight']);
const formulas = ['fixed-fee', 'flat-rate', 'stairstep', 'tiered', 'volume', 'package', 'FIXED-FEE', ''] as const;

const rawBracket = fc.record({ price: numberField, maxQuantity: numberField }, { requiredKeys: [] });

const rawPricing = fc.record(
  {
    formula: textField(formulas),
    price: numberField,
    minQuantity: numberField,
    maxQuantity: numberField,
    brackets: field(
      fc.array(fc.oneof({ weight: 5, arbitrary: rawBracket }, { weight: 1, arbitrary: strayValue }), { maxLength: 14 }),
    ),
  },
  { requiredKeys: [] },
);

/** One Rebilly catalog plan (an element of `GET /plans`), with anything wrong. */
export const rawCatalogPlan: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        id: field(
          fc.oneof(
            accountId,
            hostileString,
            hostileNumber.map((n) => n as unknown),
          ),
        ),
        name: textField(['Gold', 'Silver monthly']),
        productId: textField(['prod-1']),
        currency: textField(currencies),
        description: textField(['A plan.']),
        isActive: field(fc.boolean()),
        isTrialOnly: field(fc.boolean()),
        pricing: field(rawPricing),
        recurringInterval: field(
          fc.record({ unit: unitField, length: numberField, limit: numberField }, { requiredKeys: [] }),
        ),
        trial: field(
          fc.record(
            {
              price: numberField,
              period: field(fc.record({ unit: unitField, length: numberField }, { requiredKeys: [] })),
            },
            { requiredKeys: [] },
          ),
        ),
        setup: field(fc.record({ price: numberField }, { requiredKeys: [] })),
      },
      { requiredKeys: ['id'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: strayValue },
);

/** A header value as undici hands it over: a string, several strings, or absent. */
export const rawHeader: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 5000 }).map(String),
  hostileNumber.map(String),
  hostileString,
  fc.array(fc.integer({ min: 0, max: 100 }).map(String), { minLength: 1, maxLength: 2 }),
);

/** A Rebilly problem+json body, or anything else an error response might carry. */
export const rawProblem: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      title: field(hostileString),
      detail: field(hostileString),
      invalidFields: field(
        fc.array(
          field(fc.record({ field: field(hostileString), message: field(hostileString) }, { requiredKeys: [] })),
          { maxLength: 5 },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
  hostileString,
  strayValue,
  fc.jsonValue({ maxDepth: 3 }),
);

/** A Constant Contact error body: an object or an array of `{error_key, error_message}`. */
export const rawCcError: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ error_key: field(hostileString), error_message: field(hostileString) }, { requiredKeys: [] }),
  fc.array(fc.record({ error_key: field(hostileString), error_message: field(hostileString) }, { requiredKeys: [] }), {
    maxLength: 3,
  }),
  strayValue,
  fc.jsonValue({ maxDepth: 3 }),
);

// ---- plans queries ------------------------------------------------------------------------------

const fieldName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,15}$/);
/** A filter value: anything without the grammar's separators or spaces (it must be one token). */
const filterValue = fc
  .array(
    fc.oneof(
      fc.constantFrom('!', '..', '@', 'x', '1', '<!channel>', '&', '"', '\\', '`', '*', 'é', '👍🏽'),
      fc.stringMatching(/^[^\s,;"“”\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]{1,8}$/),
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(''))
  .filter((v) => v !== '!' && v.trim() !== '');

/** A filter the grammar accepts: `field:value[,value…][;field:value…]`. */
export const validFilter = fc
  .array(fc.tuple(fieldName, fc.array(filterValue, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 6 })
  .map((clauses) => clauses.map(([f, vs]) => `${f}:${vs.join(',')}`).join(';'))
  .filter((f) => f.length <= 500);

/** A sort the grammar accepts: up to five field names, `-` for descending. */
export const validSort = fc
  .array(fc.tuple(fc.boolean(), fieldName), { minLength: 1, maxLength: 5 })
  .map((fs) => fs.map(([desc, f]) => `${desc ? '-' : ''}${f}`).join(','))
  .filter((s) => s.length <= 200);

/** Search words as the command leaves them: no control characters, single spaces, at most 200 characters. */
export const searchWords = fc
  .array(fc.oneof(piece, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 })), { maxLength: 20 })
  .map((parts) =>
    parts
      .join(' ')
      .toWellFormed()
      .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200),
  )
  .map((w) => w.toWellFormed());

/** Any query a button may carry: valid words, filter, sort and an offset Rebilly pages to. */
export const plansQuery: fc.Arbitrary<PlansQuery> = fc.record({
  words: searchWords,
  filter: fc.option(validFilter, { nil: undefined }),
  sort: fc.option(validSort, { nil: undefined }),
  offset: fc.oneof(fc.integer({ min: 0, max: maxOffset }), fc.constantFrom(0, 10, maxOffset - 10, maxOffset)),
});

/** The longest query the /plans grammar lets through, built from the characters JSON escapes. */
export const worstCaseQuery: fc.Arbitrary<PlansQuery> = fc
  .record({
    wordChar: fc.constantFrom('\\', '"', 'é', '👍', '<'),
    valueChar: fc.constantFrom('\\', '"', '<', '&'),
    offset: fc.integer({ min: 0, max: maxOffset }),
  })
  .map(({ wordChar, valueChar, offset }) => {
    const words = wordChar.repeat(200).slice(0, 200);
    const value = valueChar.repeat(497);
    const filter = `a:${value}`.slice(0, 500);
    const sort = Array.from({ length: 5 }, (_, i) => `-${String.fromCharCode(97 + i)}${'z'.repeat(37)}`)
      .join(',')
      .slice(0, 200);
    return { words, filter, sort, offset };
  });

// ---- digest schedules ---------------------------------------------------------------------------

/** Every IANA name Intl knows, plus UTC and the fixed-offset Etc zones. */
export const timeZones = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/GMT+12', 'Etc/GMT-14'];
