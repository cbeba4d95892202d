import type { ActionsBlock, KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../../src/blocks/limits.ts';
import { type SlackMessage } from '../../../src/slackApi/message.ts';
import { escapeMrkdwn } from '../../../src/text/mrkdwn.ts';
import { type PlanCardInput, planCard, shareActionId } from '../../../src/blocks/planCard.ts';
import { parseBillingPlan } from '../../../src/partner/parse.ts';
import { allTexts, bareAmpersands, liveMarkup } from '../../helpers/slackText.ts';

const accountId = 'a07e1lxtnhz0';
const now = new Date('2026-03-10T15:00:00Z');
const fetchedAt = Date.parse('2026-03-10T14:59:30Z');

/** A tier as Constant Contact sends it. */
const contacts = (over: Record<string, unknown> = {}) => ({
  usage_type: 'CONTACTS',
  current_usage: 1.0,
  tier: 1,
  tier_min: 0,
  tier_max: 500,
  price: 20.0,
  currency_code: 'USD',
  ...over,
});

/** The vendor's own example plan. */
const vendorPlan = (over: Record<string, unknown> = {}) => ({
  plan_type: 'GOOD',
  current_tiers: [contacts()],
  billing_status: 'Open',
  billing_day_of_month: 29,
  ...over,
});

function card(raw: unknown, over: Partial<PlanCardInput> = {}): SlackMessage {
  return planCard({
    accountId,
    plan: parseBillingPlan(raw),
    fetchedAt,
    now,
    sample: false,
    audience: { kind: 'private' },
    ...over,
  });
}

const summaryFields = (m: SlackMessage) =>
  (m.blocks.find((b): b is SectionBlock => b.type === 'section' && !!b.fields)?.fields ?? []).map((f) => f.text);

/** The value under a bold label in the summary fields ("*Plan*\nEmail (GOOD)" → "Email (GOOD)"). */
function field(m: SlackMessage, label: string): string | undefined {
  const prefix = `*${label}*\n`;
  return summaryFields(m)
    .find((t) => t.startsWith(prefix))
    ?.slice(prefix.length);
}

const sectionTexts = (m: SlackMessage) =>
  m.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
const contextTexts = (m: SlackMessage) =>
  m.blocks.flatMap((b) => (b.type === 'context' ? b.elements.flatMap((e) => ('text' in e ? [e.text] : [])) : []));
const actions = (m: SlackMessage) => m.blocks.filter((b: KnownBlock): b is ActionsBlock => b.type === 'actions');

describe('planCard: plan type', () => {
  it.each([
    { code: 'TRIAL', want: 'Trial (TRIAL)', summary: 'Trial' },
    { code: 'GOOD', want: 'Email (GOOD)', summary: 'Email' },
    { code: 'BETTER', want: 'Email Plus (BETTER)', summary: 'Email Plus' },
    { code: 'BEST', want: 'Personal Marketer (BEST)', summary: 'Personal Marketer' },
    { code: 'LITE', want: 'Website Builder (LITE)', summary: 'Website Builder' },
    { code: 'BRONZE', want: 'Bronze (BRONZE)', summary: 'Bronze' },
    { code: 'SILVER', want: 'Silver (SILVER)', summary: 'Silver' },
    { code: 'GOLD', want: 'Gold (GOLD)', summary: 'Gold' },
    { code: 'PLATINUM_2025', want: 'PLATINUM_2025', summary: 'PLATINUM_2025' },
    { code: 'Mystery Plan 7', want: 'Mystery Plan 7', summary: 'Mystery Plan 7' },
  ])('plan code $code is shown as "$want"', ({ code, want, summary }) => {
    const m = card(vendorPlan({ plan_type: code }));
    expect(field(m, 'Plan')).toBe(want);
    expect(m.text).toBe(`Billing plan for ${accountId}: ${summary}, Open, next billing Sun, Mar 29, 2026`);
  });

  it.each([
    { name: 'a missing plan type', raw: vendorPlan({ plan_type: undefined }) },
    { name: 'a blank plan type', raw: vendorPlan({ plan_type: '   ' }) },
    { name: 'a numeric plan type', raw: vendorPlan({ plan_type: 3 }) },
  ])('$name is shown as not shown', ({ raw }) => {
    const m = card(raw);
    expect(field(m, 'Plan')).toBe('_not shown_');
    expect(m.text).toContain('plan not shown');
  });
});

describe('planCard: billing status, billing day and next billing date', () => {
  it.each([
    {
      name: 'an open account is billed on its day',
      status: 'Open',
      day: 29,
      wantStatus: 'Open',
      wantDay: '29th of each month',
      wantNext: 'Sun, Mar 29, 2026 (in 19 days)',
    },
    {
      name: 'a status in capitals is still Open',
      status: 'OPEN',
      day: 29,
      wantStatus: 'Open',
      wantDay: '29th of each month',
      wantNext: 'Sun, Mar 29, 2026 (in 19 days)',
    },
    {
      name: 'a trial has no billing day and no next billing date',
      status: 'Trial',
      day: null,
      wantStatus: 'Trial',
      wantDay: 'None (trial)',
      wantNext: 'None (trial)',
    },
    {
      name: 'a trial with a billing day still has no next billing date',
      status: 'Trial',
      day: 12,
      wantStatus: 'Trial',
      wantDay: '12th of each month',
      wantNext: 'None (trial)',
    },
    {
      name: 'a canceled account keeps its billing day but is not billed again',
      status: 'Canceled',
      day: 29,
      wantStatus: 'Canceled',
      wantDay: '29th of each month',
      wantNext: 'None (canceled)',
    },
    {
      name: 'the British spelling Cancelled is Canceled',
      status: 'Cancelled',
      day: 29,
      wantStatus: 'Canceled',
      wantDay: '29th of each month',
      wantNext: 'None (canceled)',
    },
    {
      name: 'an ended trial is not billed',
      status: 'Trial End',
      day: null,
      wantStatus: 'Trial End',
      wantDay: '_not set_',
      wantNext: 'None (trial ended)',
    },
    {
      name: 'TRIAL_END reads as Trial End',
      status: 'TRIAL_END',
      day: null,
      wantStatus: 'Trial End',
      wantDay: '_not set_',
      wantNext: 'None (trial ended)',
    },
    {
      name: 'an unknown status is shown as it came and still gets a next billing date',
      status: 'Suspended',
      day: 29,
      wantStatus: 'Suspended',
      wantDay: '29th of each month',
      wantNext: 'Sun, Mar 29, 2026 (in 19 days)',
    },
    {
      name: 'a missing status is not shown and still gets a next billing date',
      status: null,
      day: 29,
      wantStatus: '_not shown_',
      wantDay: '29th of each month',
      wantNext: 'Sun, Mar 29, 2026 (in 19 days)',
    },
    {
      name: 'an open account without a billing day says the next date is unknown',
      status: 'Open',
      day: null,
      wantStatus: 'Open',
      wantDay: '_not set_',
      wantNext: '_unknown (no billing day)_',
    },
    {
      name: 'a billing day of today says today',
      status: 'Open',
      day: 10,
      wantStatus: 'Open',
      wantDay: '10th of each month',
      wantNext: 'Tue, Mar 10, 2026 (today)',
    },
    {
      name: 'a billing day of tomorrow says tomorrow',
      status: 'Open',
      day: 11,
      wantStatus: 'Open',
      wantDay: '11th of each month',
      wantNext: 'Wed, Mar 11, 2026 (tomorrow)',
    },
    {
      name: 'a billing day just passed is next month',
      status: 'Open',
      day: 9,
      wantStatus: 'Open',
      wantDay: '9th of each month',
      wantNext: 'Thu, Apr 9, 2026 (in 30 days)',
    },
    {
      name: 'a 1st billing day reads 1st',
      status: 'Open',
      day: 1,
      wantStatus: 'Open',
      wantDay: '1st of each month',
      wantNext: 'Wed, Apr 1, 2026 (in 22 days)',
    },
  ])('$name', ({ status, day, wantStatus, wantDay, wantNext }) => {
    const m = card(vendorPlan({ billing_status: status, billing_day_of_month: day }));
    expect(field(m, 'Billing status')).toBe(wantStatus);
    expect(field(m, 'Billing day')).toBe(wantDay);
    expect(field(m, 'Next billing date')).toBe(wantNext);
  });

  it.each([
    {
      name: 'a billing day of 31 falls on 30 April',
      today: '2026-04-10T09:00:00Z',
      day: 31,
      want: 'Thu, Apr 30, 2026 (in 20 days)',
    },
    {
      name: 'a billing day of 31 falls on 28 February in 2027',
      today: '2027-02-01T09:00:00Z',
      day: 31,
      want: 'Sun, Feb 28, 2027 (in 27 days)',
    },
    {
      name: 'a billing day of 30 falls on 29 February in 2028',
      today: '2028-02-01T09:00:00Z',
      day: 30,
      want: 'Tue, Feb 29, 2028 (in 28 days)',
    },
    {
      name: 'a billing day of 29 falls on 28 February in 2027',
      today: '2027-02-28T23:00:00Z',
      day: 29,
      want: 'Sun, Feb 28, 2027 (today)',
    },
    {
      name: 'a billing day passed in December falls in January of next year',
      today: '2026-12-20T09:00:00Z',
      day: 5,
      want: 'Tue, Jan 5, 2027 (in 16 days)',
    },
  ])('$name', ({ today, day, want }) => {
    const m = card(vendorPlan({ billing_day_of_month: day }), { now: new Date(today) });
    expect(field(m, 'Next billing date')).toBe(want);
    expect(m.text).toContain(`next billing ${want.replace(/ \(.*\)$/, '')}`);
  });

  it('a trial with no tiers and no billing day says it is a trial and gives no price or next billing date', () => {
    const m = card({ plan_type: 'TRIAL', current_tiers: [], billing_status: 'Trial', billing_day_of_month: null });
    expect(field(m, 'Plan')).toBe('Trial (TRIAL)');
    expect(field(m, 'Billing day')).toBe('None (trial)');
    expect(field(m, 'Next billing date')).toBe('None (trial)');
    expect(field(m, 'Monthly price')).toBeUndefined();
    expect(sectionTexts(m)).toContain('_No usage tiers: trial accounts are not billed by tier._');
    expect(m.text).toBe(`Billing plan for ${accountId}: Trial, Trial`);
    expect(limitViolations(m)).toEqual([]);
  });

  it('an open account with no tiers says none were returned', () => {
    const m = card(vendorPlan({ current_tiers: [] }));
    expect(sectionTexts(m)).toContain('_No usage tiers were returned for this account._');
    expect(field(m, 'Monthly price')).toBeUndefined();
  });
});

describe('planCard: tiers', () => {
  it.each([
    {
      name: 'the vendor example shows usage, a bar and the price',
      tier: contacts(),
      want: '*Contacts · tier 1* (0–500)\n`▱▱▱▱▱▱▱▱▱▱` 1 of 500 used (&lt;1%)\n*$20.00* a month',
    },
    {
      name: 'a tier at 92% is flagged',
      tier: contacts({ current_usage: 460 }),
      want: '*Contacts · tier 1* (0–500)\n`▰▰▰▰▰▰▰▰▰▱` 460 of 500 used (92%) ⚠️\n*$20.00* a month',
    },
    {
      name: 'a tier over its maximum shows above 100% and a full bar',
      tier: contacts({ current_usage: 600 }),
      want: '*Contacts · tier 1* (0–500)\n`▰▰▰▰▰▰▰▰▰▰` 600 of 500 used (120%) ⚠️\n*$20.00* a month',
    },
    {
      name: 'large counts and an open-ended range get separators',
      tier: contacts({
        usage_type: 'EMAIL_SENDS',
        tier: 3,
        tier_min: 10001,
        tier_max: null,
        current_usage: 12500,
        price: 95,
        currency_code: 'EUR',
      }),
      want: '*Email sends · tier 3* (10,001+)\n12,500 used\n*€95.00* a month',
    },
    {
      name: 'a tier with nothing but its existence says what is missing',
      tier: {},
      want: '*Usage* (range not shown)\nUsage not shown\nPrice not shown',
    },
  ])('$name', ({ tier, want }) => {
    const m = card(vendorPlan({ current_tiers: [tier] }));
    expect(sectionTexts(m)).toContain(want);
  });

  it('shows 40 tiers and says how many more there are', () => {
    const tiers = Array.from({ length: 45 }, (_, i) => contacts({ tier: i + 1 }));
    const m = card(vendorPlan({ current_tiers: tiers }));
    const tierSections = sectionTexts(m).filter((t) => t.startsWith('*Contacts'));
    expect(tierSections).toHaveLength(40);
    expect(tierSections.at(-1)).toContain('tier 40*');
    expect(sectionTexts(m)).toContain('_…and 5 more tiers not shown._');
  });

  it('stops listing long tiers before the card is more than Slack accepts, and counts the rest', () => {
    const tiers = Array.from({ length: 45 }, (_, i) =>
      contacts({
        tier: i + 1,
        usage_type: `CONTACTS_${'X'.repeat(90)}`,
        tier_min: 1e60,
        tier_max: 9e60,
        current_usage: 5e20,
      }),
    );
    const m = card(vendorPlan({ current_tiers: tiers }));
    expect(limitViolations(m)).toEqual([]);
    const tierSections = sectionTexts(m).filter((t) => t.startsWith('*Contacts'));
    expect(tierSections.length).toBeGreaterThan(20);
    expect(tierSections.length).toBeLessThan(40);
    expect(sectionTexts(m)).toContain(`_…and ${45 - tierSections.length} more tiers not shown._`);
    expect(m.blocks.at(-1)?.type).toBe('actions');
  });
});

describe('planCard: monthly price', () => {
  it.each([
    { name: 'one tier is its own price', tiers: [contacts()], want: '$20.00' },
    {
      name: 'several tiers in one currency are summed',
      tiers: [contacts({ price: 20 }), contacts({ price: 15.5 }), contacts({ price: 4.5 })],
      want: '$40.00',
    },
    {
      name: 'tiers in two currencies are summed per currency',
      tiers: [contacts({ price: 20 }), contacts({ price: 5, currency_code: 'EUR' }), contacts({ price: 10 })],
      want: '$30.00 + €5.00',
    },
    {
      name: 'Canadian dollars are told apart',
      tiers: [contacts({ price: 9.99, currency_code: 'CAD' })],
      want: 'CA$9.99',
    },
    { name: 'pounds', tiers: [contacts({ price: 12, currency_code: 'GBP' })], want: '£12.00' },
    {
      name: 'yen are summed without decimals',
      tiers: [contacts({ price: 1200, currency_code: 'JPY' }), contacts({ price: 800, currency_code: 'JPY' })],
      want: '¥2,000',
    },
    {
      name: 'a lowercase code is the same currency as its capitals',
      tiers: [contacts({ price: 20, currency_code: 'usd' }), contacts({ price: 5, currency_code: 'USD' })],
      want: '$25.00',
    },
    {
      name: 'a code with a trailing space is the same currency',
      tiers: [contacts({ price: 20, currency_code: 'USD' }), contacts({ price: 5, currency_code: 'USD ' })],
      want: '$25.00',
    },
    {
      name: 'a tier without a price is left out of the total',
      tiers: [contacts({ price: 20 }), contacts({ price: null }), contacts({ price: '5.00' })],
      want: '$20.00',
    },
    {
      name: 'a price without a currency is the bare amount',
      tiers: [contacts({ currency_code: null })],
      want: '20.00',
    },
    { name: 'a free tier is $0.00, not hidden', tiers: [contacts({ price: 0 })], want: '$0.00' },
  ])('$name', ({ tiers, want }) => {
    expect(field(card(vendorPlan({ current_tiers: tiers })), 'Monthly price')).toBe(want);
  });

  it('is left out when no tier has a price', () => {
    const m = card(vendorPlan({ current_tiers: [contacts({ price: null }), contacts({ price: undefined })] }));
    expect(field(m, 'Monthly price')).toBeUndefined();
    expect(summaryFields(m)).toHaveLength(4);
  });
});

describe('planCard: who sees it', () => {
  it('the asker’s private copy has a Share in channel button carrying the account id', () => {
    const m = card(vendorPlan());
    const [bar, ...more] = actions(m);
    expect(more).toEqual([]);
    const button = bar?.elements[0];
    expect(button).toMatchObject({
      type: 'button',
      action_id: shareActionId,
      value: accountId,
      text: { text: 'Share in channel' },
    });
    expect(contextTexts(m).join('\n')).toContain('Only you can see this.');
    expect(allTexts(m).join('\n')).not.toContain('Shared by');
  });

  it('the channel’s copy has no button and says who shared it', () => {
    const m = card(vendorPlan(), { audience: { kind: 'shared', sharedBy: 'U0123ABCD' } });
    expect(actions(m)).toEqual([]);
    expect(contextTexts(m).join('\n')).toContain('Shared by <@U0123ABCD> · Read from Constant Contact');
    expect(allTexts(m).join('\n')).not.toContain('Only you can see this');
  });

  it.each(['U1> <!channel', '<!channel>', '<@U123>', 'U123|evil', '', 'u0123abcd', 'U'])(
    'a malformed sharer id %j is not rendered as a mention',
    (sharedBy) => {
      const m = card(vendorPlan(), { audience: { kind: 'shared', sharedBy } });
      expect(contextTexts(m).join('\n')).toContain('Shared by someone · ');
      for (const t of allTexts(m)) expect(liveMarkup(t)).toEqual([]);
    },
  );

  it('says when Constant Contact was read, in the reader’s time zone', () => {
    const m = card(vendorPlan());
    expect(contextTexts(m).join('\n')).toContain(
      'Read from Constant Contact <!date^1773154770^{date_short_pretty} at {time}|2026-03-10T14:59:30.000Z>',
    );
  });

  it.each([
    { name: 'demo mode marks the card and the notification as sample data', sample: true, want: true },
    { name: 'a real lookup does not say sample data', sample: false, want: false },
  ])('$name', ({ sample, want }) => {
    const m = card(vendorPlan(), { sample });
    expect(contextTexts(m).some((t) => t.includes('*Sample data*'))).toBe(want);
    expect(m.text.startsWith('[Sample data] ')).toBe(want);
  });
});

describe('planCard: hostile text from the API', () => {
  const hostile = [
    '<!channel>',
    '<@U123>',
    '<https://evil.example|click>',
    'Tom & Jerry',
    '<!here> & <#C123> <!subteam^S1>',
    '&lt;!channel&gt;',
  ];
  const places = [
    { place: 'plan_type', raw: (v: string) => vendorPlan({ plan_type: v }) },
    { place: 'usage_type', raw: (v: string) => vendorPlan({ current_tiers: [contacts({ usage_type: v })] }) },
    { place: 'billing_status', raw: (v: string) => vendorPlan({ billing_status: v }) },
    { place: 'currency_code', raw: (v: string) => vendorPlan({ current_tiers: [contacts({ currency_code: v })] }) },
  ];
  const audiences: PlanCardInput['audience'][] = [{ kind: 'private' }, { kind: 'shared', sharedBy: 'U0SHARER' }];
  const cases = places.flatMap(({ place, raw }) =>
    hostile.flatMap((value) =>
      audiences.map((audience) => ({ place, value, audience: audience.kind, raw: raw(value), input: audience })),
    ),
  );

  it.each(cases)(
    '$value in $place is shown as text, never as a mention or link ($audience copy)',
    ({ value, raw, input }) => {
      const m = card(raw, { audience: input });
      const texts = allTexts(m);
      const allowed = input.kind === 'shared' ? [`<@${input.sharedBy}>`] : [];
      for (const t of texts) {
        expect(liveMarkup(t, allowed), t).toEqual([]);
        expect(bareAmpersands(t), t).toEqual([]);
      }
      // The value is still there for people to read, escaped.
      expect(texts.join('\n').toLowerCase()).toContain(escapeMrkdwn(value).toLowerCase());
      expect(limitViolations(m)).toEqual([]);
    },
  );
});

describe('planCard: stays within Block Kit limits', () => {
  const long = (seed: string) => `${seed}${'<!channel> & x'.repeat(800)}`.slice(0, 10_000);
  const threeLetters = (i: number) =>
    String.fromCharCode(65 + (i % 26), 65 + (Math.floor(i / 26) % 26), 65 + Math.floor(i / 676));
  const cases = [
    {
      name: 'one tier with 10,000-character values everywhere',
      raw: {
        plan_type: long('P'),
        billing_status: long('S'),
        billing_day_of_month: 31,
        current_tiers: [contacts({ usage_type: long('U'), currency_code: long('C') })],
      },
    },
    {
      name: '200 tiers in one currency',
      raw: vendorPlan({ current_tiers: Array.from({ length: 200 }, (_, i) => contacts({ tier: i + 1 })) }),
    },
    {
      name: '200 tiers with 10,000-character text and huge numbers',
      raw: {
        plan_type: long('P'),
        billing_status: long('S'),
        billing_day_of_month: 31,
        current_tiers: Array.from({ length: 200 }, () =>
          contacts({
            usage_type: long('U'),
            currency_code: long('C'),
            tier: 1e300,
            tier_min: 1e300,
            tier_max: 1e301,
            current_usage: 1e302,
            price: 1e300,
          }),
        ),
      },
    },
    {
      name: '200 tiers each in a different currency',
      raw: vendorPlan({
        current_tiers: Array.from({ length: 200 }, (_, i) => contacts({ tier: i + 1, currency_code: threeLetters(i) })),
      }),
    },
    {
      name: '200 tiers each with a different 10,000-character currency',
      raw: vendorPlan({
        current_tiers: Array.from({ length: 200 }, (_, i) =>
          contacts({ tier: i + 1, currency_code: `${i} ${long('C')}` }),
        ),
      }),
    },
  ];
  const variants = [
    { who: 'private', over: { audience: { kind: 'private' } } as const },
    {
      who: 'shared sample',
      over: { sample: true, audience: { kind: 'shared', sharedBy: 'U0123456789ABCDEFGHIJKLMNOPQRS' } } as const,
    },
  ];

  it.each(cases.flatMap((c) => variants.map((v) => ({ ...c, ...v }))))('$name ($who copy)', ({ raw, over }) => {
    const m = card(raw, { ...over, accountId: 'a'.repeat(64) });
    expect(limitViolations(m)).toEqual([]);
    for (const t of allTexts(m)) expect(liveMarkup(t, ['<@U0123456789ABCDEFGHIJKLMNOPQRS>'])).toEqual([]);
  });
});

describe('planCard: the notification text', () => {
  it.each([
    {
      name: 'a short plan reads as one line',
      raw: vendorPlan(),
      sample: false,
      want: `Billing plan for ${accountId}: Email, Open, next billing Sun, Mar 29, 2026`,
    },
    {
      name: 'a sample plan says so first',
      raw: vendorPlan(),
      sample: true,
      want: `[Sample data] Billing plan for ${accountId}: Email, Open, next billing Sun, Mar 29, 2026`,
    },
    {
      name: 'a canceled plan has no next billing',
      raw: vendorPlan({ billing_status: 'Canceled' }),
      sample: false,
      want: `Billing plan for ${accountId}: Email, Canceled`,
    },
    {
      name: 'nothing known says so',
      raw: {},
      sample: false,
      want: `Billing plan for ${accountId}: plan not shown, status not shown`,
    },
    {
      name: 'hostile names are escaped',
      raw: vendorPlan({ plan_type: '<!channel>', billing_status: 'A & B' }),
      sample: false,
      want: `Billing plan for ${accountId}: &lt;!channel&gt;, A &amp; B, next billing Sun, Mar 29, 2026`,
    },
  ])('$name', ({ raw, sample, want }) => {
    expect(card(raw, { sample }).text).toBe(want);
  });

  // The cut lands at a different place in the escaped text for each padding length.
  it.each([0, 1, 2, 3, 4])('cut short at 3000 characters never ends in half an escaped & (padding %i)', (pad) => {
    const m = card(vendorPlan({ plan_type: `${'x'.repeat(pad)}${'&'.repeat(4000)}` }));
    expect(m.text.length).toBeLessThanOrEqual(3000);
    expect(m.text.endsWith('…')).toBe(true);
    expect(bareAmpersands(m.text)).toEqual([]);
  });
});
