/**
 * Property tests over planbot's Block Kit renderers. Hostile API data (huge and non-finite numbers,
 * missing and unknown fields, 10,000-character names full of `<!channel>`, `<@U…>`, links, `&`,
 * markdown and control characters) goes through the same parse functions the app uses, then
 * through the renderer. For every input: nothing throws, the message is within Block Kit's limits
 * (checked both by src's limitViolations and by an independent check here), and no mrkdwn text
 * carries a `<` or `>` that came from data, so nothing in an API answer or a command can ping a
 * channel, mention someone, or make a link.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  candidatesMessage,
  indexNotReady,
  noMatchMessage,
  reindexMessage,
  withIndexNote,
  withNoIndexNote,
} from '../../../src/blocks/accountMatches.ts';
import { type DigestAccount } from '../../../src/digests/digestReport.ts';
import { stateOf } from '../../../src/alerts/accountState.ts';
import { alertDetails, alertSummary, singleAlert } from '../../../src/blocks/alertMessages.ts';
import { accountLine, changeText, digestDetails, digestSummary } from '../../../src/blocks/digestMessages.ts';
import { limitViolations } from '../../../src/blocks/limits.ts';
import { type SlackMessage } from '../../../src/slackApi/message.ts';
import {
  catalogFailure,
  conversationUsage,
  exampleAccountId,
  invalidAccountId,
  lookupFailure,
  planNotConfigured,
  plansNotConfigured,
  plansUsage,
  planUsage,
  untilUtcMidnight,
} from '../../../src/blocks/messages.ts';
import { code, escapeMrkdwn, safeText, truncate, truncateEscaped } from '../../../src/text/mrkdwn.ts';
import { type Audience, planCard, shareActionId } from '../../../src/blocks/planCard.ts';
import { plansActionIds, plansPage } from '../../../src/blocks/plansPage.ts';
import { decodePlansQuery, type PlansQuery, parsePlansCommand } from '../../../src/grammar/plansCommand.ts';
import { catalogPageSize } from '../../../src/billing/catalog.ts';
import { billingSoon, detectChanges, snapshotOf, tiersNearLimit } from '../../../src/digests/changes.ts';
import { parseCatalogPlan } from '../../../src/partner/catalogPlan.ts';
import type { UpstreamFailure } from '../../../src/partner/errors.ts';
import type { HttpClient } from '../../../src/partner/httpClient.ts';
import { createRebillyClient, problemDetail } from '../../../src/partner/rebilly.ts';
import { maxOffset, type PlanSearchPage } from '../../../src/billing/catalog.ts';
import { defaultRetryPolicy } from '../../../src/partner/retryPolicy.ts';
import { parseBillingPlan } from '../../../src/partner/parse.ts';
import { bareAmpersands } from '../../helpers/slackText.ts';
import {
  accountId,
  askerId,
  fewerRuns,
  hostileNumber,
  hostileString,
  plansQuery,
  rawBillingPlan,
  rawCatalogPlan,
  rawHeader,
  rawProblem,
  runs,
  wellFormedString,
} from './arbitraries.ts';
import { blockKitProblems, buttonValues, markupLeaks, mrkdwnTexts, unescapedMarkup } from './slackChecks.ts';

const asker = `<@${askerId}>`;

/** The three checks every rendered message must pass. */
function expectSafe(message: SlackMessage, deliberate: string[] = [asker]): void {
  expect(limitViolations(message)).toEqual([]);
  expect(blockKitProblems(message)).toEqual([]);
  expect(markupLeaks(message, deliberate)).toEqual([]);
}

/**
 * Also no `&` that is not one of the three entities escaping writes: a cut that leaves `&am…`
 * behind shows as literal text.
 */
function expectWholeEntities(message: SlackMessage): void {
  for (const t of mrkdwnTexts(message)) expect(bareAmpersands(t)).toEqual([]);
}

const audience: fc.Arbitrary<Audience> = fc.oneof(
  fc.constant({ kind: 'private' as const }),
  fc.constant({ kind: 'thread' as const }),
  fc.constant({ kind: 'shared' as const, sharedBy: askerId }),
);

/** Dates planbot runs at: any day between 1990 and 2200 (the billing math is calendar math). */
const date = fc.date({
  min: new Date('1990-01-01T00:00:00Z'),
  max: new Date('2200-01-01T00:00:00Z'),
  noInvalidDate: true,
});

const failures: Array<UpstreamFailure | 'internal'> = [
  'not_found',
  'unauthorized',
  'forbidden',
  'throttled',
  'quota_exceeded',
  'timeout',
  'busy',
  'bad_request',
  'upstream',
  'internal',
];

describe('mrkdwn escaping', () => {
  it('escapeMrkdwn leaves no < or >, and only the three entities it writes', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const e = escapeMrkdwn(s);
        expect(e).not.toMatch(/[<>]/);
        expect(bareAmpersands(e)).toEqual([]);
        expect(e.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(s);
      }),
      runs,
    );
  });

  it('safeText and code keep to their length, leave no < or >, and never cut an entity in half', () => {
    fc.assert(
      fc.property(hostileString, fc.integer({ min: 1, max: 3000 }), (s, max) => {
        const t = safeText(s, max);
        expect(t.length).toBeLessThanOrEqual(max);
        expect(t).not.toMatch(/[<>]/);
        expect(bareAmpersands(t)).toEqual([]);
        const c = code(s, max);
        expect(c.length).toBeLessThanOrEqual(max + 2);
        expect(c.startsWith('`') && c.endsWith('`')).toBe(true);
        expect(c.slice(1, -1)).not.toMatch(/[`<>]/);
        expect(truncate(s, max).length).toBeLessThanOrEqual(max);
      }),
      runs,
    );
  });

  it('truncateEscaped cuts escaped mrkdwn to its length without leaving half an entity, and leaves short text alone', () => {
    // Escaped data between planbot's own words, as the renderers build it, cut at any length.
    const escaped = fc
      .array(
        fc.oneof(hostileString.map(escapeMrkdwn), fc.constantFrom(' · ', '*', '\n', '`x`', '&amp;', '&lt;', '&gt;')),
        { maxLength: 12 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(escaped, fc.integer({ min: 1, max: 3000 }), (text, max) => {
        const t = truncateEscaped(text, max);
        expect(t.length).toBeLessThanOrEqual(max);
        expect(bareAmpersands(t)).toEqual([]);
        if (text.length <= max) expect(t).toBe(text);
        else expect(t.endsWith('…') && text.startsWith(t.slice(0, -1))).toBe(true);
      }),
      {
        ...runs,
        examples: [
          ['2.00 &gt;', 8],
          ['2.00 &gt;', 7],
          ['&amp;&lt;&gt;', 2],
          ['a&amp;', 5],
        ],
      },
    );
  });
});

describe('planCard', () => {
  const card = fc.record({
    raw: rawBillingPlan,
    accountId,
    fetchedAt: fc.integer({ min: 0, max: Date.parse('2200-01-01T00:00:00Z') }),
    now: date,
    sample: fc.boolean(),
    audience,
  });

  it('any Constant Contact answer renders within limits, with nothing from the data Slack would act on', () => {
    fc.assert(
      fc.property(card, ({ raw, ...input }) => {
        const message = planCard({ ...input, plan: parseBillingPlan(raw) });
        expectSafe(message);
        expectWholeEntities(message);
        const buttons = buttonValues(message);
        if (input.audience.kind === 'private')
          expect(buttons).toEqual([{ actionId: shareActionId, value: input.accountId }]);
        else expect(buttons).toEqual([]);
      }),
      runs,
    );
  });

  it('an unknown plan type, status or usage type is shown, escaped', () => {
    const word = hostileString.filter(
      (w) =>
        w.trim() !== '' &&
        !/^\s*(good|better|best|trial|lite|bronze|silver|gold|open|canceled|cancelled|trial[ _]?end)\s*$/i.test(w),
    );
    fc.assert(
      fc.property(word, word, (planType, status) => {
        const message = planCard({
          accountId: 'a07e1lxtnhz0',
          plan: parseBillingPlan({
            plan_type: planType,
            billing_status: status,
            current_tiers: [{ usage_type: planType }],
          }),
          fetchedAt: 0,
          now: new Date('2026-03-10T15:00:00Z'),
          sample: false,
          audience: { kind: 'thread' },
        });
        const texts = mrkdwnTexts(message).join('\n');
        expect(texts).toContain(`*Plan*\n${safeText(planType, 200)}`);
        expect(texts).toContain(`*Billing status*\n${safeText(status, 200)}`);
        expectSafe(message);
      }),
      fewerRuns,
    );
  });

  it('"Shared by" mentions only a well-formed user id, whatever id it is given', () => {
    fc.assert(
      fc.property(
        card,
        fc.oneof(hostileString, fc.stringMatching(/^[A-Z0-9]{2,30}$/)),
        ({ raw, ...input }, sharedBy) => {
          const message = planCard({ ...input, plan: parseBillingPlan(raw), audience: { kind: 'shared', sharedBy } });
          expectSafe(message, /^[A-Z0-9]{2,30}$/.test(sharedBy) ? [`<@${sharedBy}>`] : []);
        },
      ),
      fewerRuns,
    );
  });
});

/** A Rebilly client whose one answer is `items` with these pagination headers. */
function rebillyAnswering(items: unknown, headers: Record<string, string | string[] | undefined>) {
  const http: HttpClient = async () => ({ status: 200, headers, body: items });
  return createRebillyClient({ http, apiUrl: 'https://api.rebilly.test', apiKey: 'key', policy: defaultRetryPolicy });
}

/** A page as the real client builds it from a hostile answer. */
async function pageFrom(
  items: unknown,
  headers: Record<string, string | string[] | undefined>,
  query: PlansQuery,
): Promise<PlanSearchPage> {
  return rebillyAnswering(items, headers).searchPlans(
    {
      q: query.words || undefined,
      filter: query.filter,
      sort: query.sort,
      limit: catalogPageSize,
      offset: query.offset,
    },
    Date.now() + 60_000,
  );
}

/** Queries as planbot gets them: parsed from a /plans command (any text), or generated valid ones. */
const query: fc.Arbitrary<PlansQuery> = fc.oneof(
  plansQuery,
  fc.tuple(wellFormedString, fc.integer({ min: 0, max: maxOffset })).map(([raw, offset]) => {
    const c = parsePlansCommand(raw);
    return c.kind === 'search' ? { ...c.query, offset } : { words: '', filter: undefined, sort: undefined, offset };
  }),
);

/** Pagination headers: usually integers, sometimes anything. */
const headers = fc.record({
  'pagination-total': rawHeader,
  'pagination-limit': rawHeader,
  'pagination-offset': rawHeader,
});
const integerHeaders = fc.record({
  'pagination-total': fc.option(fc.integer({ min: 0, max: 100_000 }).map(String), { nil: undefined }),
  'pagination-limit': fc.constant(String(catalogPageSize)),
  'pagination-offset': fc.option(fc.integer({ min: 0, max: maxOffset }).map(String), { nil: undefined }),
});

describe('plansPage', () => {
  it('a page of at most `limit` hostile catalog plans renders within limits, with nothing Slack would act on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.array(rawCatalogPlan, { maxLength: catalogPageSize })),
        headers,
        query,
        fc.boolean(),
        audience,
        async (items, h, q, sample, aud) => {
          const page = await pageFrom(items, h, q);
          const message = plansPage({ page, query: q, sample, audience: aud });
          expectSafe(message);
          expectWholeEntities(message);
        },
      ),
      runs,
    );
  });

  it('every paging button carries the query, with the offset of the page it goes to, and decodes back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rawCatalogPlan, { maxLength: catalogPageSize }),
        integerHeaders,
        query,
        audience,
        async (items, h, q, aud) => {
          const page = await pageFrom(items, h, q);
          const message = plansPage({ page, query: q, sample: false, audience: aud });
          for (const { actionId, value } of buttonValues(message)) {
            const back = decodePlansQuery(value);
            expect(back).toBeDefined();
            expect({ ...back, offset: 0 }).toEqual({ ...q, offset: 0 });
            if (actionId === plansActionIds.next) expect(back?.offset).toBe(q.offset + page.limit);
            if (actionId === plansActionIds.prev) expect(back?.offset).toBe(Math.max(0, q.offset - page.limit));
            if (actionId === plansActionIds.share) expect(back?.offset).toBe(q.offset);
          }
        },
      ),
      runs,
    );
  });

  it('however many plans Rebilly answers, a page shows at most catalogPageSize of them and stays within 50 blocks', async () => {
    // 25 plans once made 1 section + 25 plans + 24 dividers + 1 actions = 51 blocks: invalid_blocks, no answer at all.
    const twentyFive = Array.from({ length: 25 }, (_, i) => ({ id: `p${i}` }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(rawCatalogPlan, { minLength: 11, maxLength: 60, size: 'max' }),
        fc.option(integerHeaders, { nil: {} }),
        query,
        audience,
        async (items, h, q, aud) => {
          const page = await pageFrom(items, h, q);
          expect(page.plans.length).toBeLessThanOrEqual(catalogPageSize);
          const message = plansPage({ page, query: q, sample: false, audience: aud });
          expectSafe(message);
          // plansPage holds to catalogPageSize on its own too, whatever page it is handed.
          const handed = plansPage({
            page: { ...page, plans: items.map(parseCatalogPlan).filter((p) => p !== null) },
            query: q,
            sample: true,
            audience: aud,
          });
          expectSafe(handed);
          expect(handed.blocks.filter((b) => b.type === 'section').length).toBeLessThanOrEqual(catalogPageSize + 1);
        },
      ),
      {
        ...fewerRuns,
        examples: [[twentyFive, {}, { words: '', filter: undefined, sort: undefined, offset: 0 }, { kind: 'private' }]],
      },
    );
  });

  it('whatever Pagination-Limit says, every paging button decodes, and pages step by a whole page size', async () => {
    // `Pagination-Limit: 2.5` once made Prev carry offset 0.5, which decodePlansQuery (rightly) refuses.
    const examples: Array<[unknown[], Record<string, string | string[] | undefined>, PlansQuery, Audience]> = [
      [
        [],
        { 'pagination-total': '0', 'pagination-limit': '2.5' },
        { words: '', filter: undefined, sort: undefined, offset: 3 },
        { kind: 'private' },
      ],
      [
        [{ id: 'p1' }],
        { 'pagination-total': '5000', 'pagination-limit': '1e9' },
        { words: 'gold', filter: undefined, sort: undefined, offset: 995 },
        { kind: 'private' },
      ],
      [
        [{ id: 'p1' }],
        { 'pagination-total': '5000', 'pagination-limit': '-7' },
        { words: '', filter: undefined, sort: undefined, offset: 20 },
        { kind: 'thread' },
      ],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(rawCatalogPlan, { maxLength: catalogPageSize }),
        headers,
        query,
        audience,
        async (items, h, q, aud) => {
          const page = await pageFrom(items, h, q);
          expect(Number.isInteger(page.limit) && page.limit >= 1 && page.limit <= catalogPageSize).toBe(true);
          for (const { value } of buttonValues(plansPage({ page, query: q, sample: false, audience: aud })))
            expect(decodePlansQuery(value)).toBeDefined();
        },
      ),
      { ...runs, examples },
    );
  });

  it('the fallback text names the search without any markup from it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawCatalogPlan, { maxLength: 3 }), query, async (items, q) => {
        const page = await pageFrom(items, {}, q);
        const message = plansPage({ page, query: q, sample: true, audience: { kind: 'thread' } });
        expect(message.text.startsWith('[Sample data] ')).toBe(true);
        expect(unescapedMarkup(message.text)).toEqual([]);
      }),
      fewerRuns,
    );
  });
});

describe('messages', () => {
  it('failure messages for any account id, status and time stay within limits and escape the id', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...failures),
        hostileString,
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        date,
        (failure, id, status, now) => {
          for (const message of [lookupFailure(failure, { accountId: id, status, now }), invalidAccountId(id)]) {
            expectSafe(message);
            expectWholeEntities(message);
          }
          expect(untilUtcMidnight(now)).toMatch(/^(\d{1,2}h )?\d{1,2}m$/);
        },
      ),
      runs,
    );
  });

  it('catalog failures show Rebilly’s own detail only escaped', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...failures),
        rawProblem,
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        fc.option(hostileNumber, { nil: undefined }),
        (failure, body, status, retryAfterMs) => {
          const message = catalogFailure(failure, { status, detail: problemDetail(body), retryAfterMs });
          expectSafe(message);
          expectWholeEntities(message);
        },
      ),
      runs,
    );
  });

  it('usage texts stay within limits, and an unknown word is shown escaped', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('mention' as const, 'dm' as const),
        fc.option(hostileString, { nil: undefined }),
        fc.array(accountId, { maxLength: 5 }),
        fc.boolean(),
        (via, word, demo, isDemo) => {
          expectSafe(conversationUsage(via, word));
          expectSafe(planUsage(demo.length ? demo : undefined));
          expectSafe(plansUsage(isDemo));
          expectSafe(planNotConfigured());
          expectSafe(plansNotConfigured());
          expect(planUsage().text).toContain(exampleAccountId);
        },
      ),
      fewerRuns,
    );
  });
});

/** A watched account as the digest runner sees it: parsed now, compared with a parsed earlier answer. */
const digestAccount = (now: Date): fc.Arbitrary<DigestAccount> =>
  fc
    .record({
      id: accountId,
      current: rawBillingPlan,
      previous: fc.option(rawBillingPlan, { nil: undefined }),
      failure: fc.option(fc.constantFrom(...failures), { nil: undefined }),
    })
    .map(({ id, current, previous, failure }) => {
      if (failure) return { accountId: id, failure, changes: [], nearLimit: [] };
      const plan = parseBillingPlan(current);
      return {
        accountId: id,
        plan,
        changes: detectChanges(
          previous === undefined ? undefined : snapshotOf(parseBillingPlan(previous)),
          snapshotOf(plan),
        ),
        billingSoon: billingSoon(plan, now),
        nearLimit: tiersNearLimit(plan),
      };
    });

/** Up to ten accounts usually; sometimes enough for several thread replies (long lines fill one early). */
const digestInput = date.chain((now) =>
  fc.record({
    accounts: fc.oneof(
      { weight: 3, arbitrary: fc.array(digestAccount(now), { maxLength: 10 }) },
      { weight: 1, arbitrary: fc.array(digestAccount(now), { minLength: 35, maxLength: 200, size: 'max' }) },
    ),
    first: fc.boolean(),
    now: fc.constant(now),
    sample: fc.boolean(),
  }),
);

describe('digest messages', () => {
  it('the summary and every thread reply stay within limits, with nothing from the data Slack would act on', () => {
    fc.assert(
      fc.property(digestInput, (input) => {
        const summary = digestSummary(input);
        expectSafe(summary);
        expectWholeEntities(summary);
        const replies = digestDetails(input);
        expect(replies.length).toBeGreaterThanOrEqual(Math.ceil(input.accounts.length / 150));
        for (const reply of replies) {
          expectSafe(reply);
          expectWholeEntities(reply);
        }
        // Every account appears in the thread, by its id.
        const thread = replies.flatMap(mrkdwnTexts).join('\n');
        for (const a of input.accounts) expect(thread).toContain(`\`${a.accountId}\``);
      }),
      fewerRuns,
    );
  });

  it('a line or list cut to its length never cuts an entity in half (`&g…`)', () => {
    // Tiers whose currency is all `<>&` and whose usage is huge make lines of 900 and more characters
    // full of entities, so the cut lands on one. Ids of 1 to 3 characters once left `&gt…`, `&g…`, `&…`.
    const account = fc
      .record({
        id: accountId,
        currency: fc.stringMatching(/^[<>&]{1,4}$/),
        usage: fc.constantFrom(1e308, 1e200, 1e100, 1e50, 123_456_789),
        tiers: fc.integer({ min: 1, max: 3 }),
      })
      .map(({ id, currency, usage, tiers }): DigestAccount => {
        const plan = parseBillingPlan({
          current_tiers: [
            { price: 1, currency_code: currency },
            ...Array.from({ length: tiers }, () => ({
              price: 1,
              currency_code: currency,
              current_usage: usage,
              tier_max: usage,
            })),
          ],
        });
        return { accountId: id, plan, changes: [], nearLimit: tiersNearLimit(plan) };
      });
    const counterexample = (id: string): DigestAccount => {
      const plan = parseBillingPlan({
        current_tiers: [
          { price: 1, currency_code: '>' },
          { price: 1, currency_code: '>', current_usage: 1e308, tier_max: 1e308 },
        ],
      });
      return { accountId: id, plan, changes: [], nearLimit: tiersNearLimit(plan) };
    };
    fc.assert(
      fc.property(fc.array(account, { minLength: 1, maxLength: 45 }), date, (accounts, now) => {
        for (const a of accounts) {
          const line = accountLine(a);
          expect(line.length).toBeLessThanOrEqual(900);
          expect(bareAmpersands(line)).toEqual([]);
        }
        const input = { accounts, first: false, now, sample: false };
        for (const message of [digestSummary(input), ...digestDetails(input)]) {
          expectSafe(message);
          expectWholeEntities(message);
        }
      }),
      { ...fewerRuns, examples: [[['a', 'aa', 'aaa'].map(counterexample), new Date('2026-03-10T15:00:00Z')]] },
    );
  });

  it('one account line and one change are short and escaped', () => {
    fc.assert(
      fc.property(
        date.chain((now) => digestAccount(now)),
        (a) => {
          const line = accountLine(a);
          expect(line.length).toBeLessThanOrEqual(900);
          expect(unescapedMarkup(line)).toEqual([]);
          for (const c of a.changes) expect(unescapedMarkup(changeText(c))).toEqual([]);
        },
      ),
      runs,
    );
  });
});

describe('numbers', () => {
  /** What a number that is no number shows as when it reaches text. */
  const notANumber = /\b(NaN|Infinity|undefined)\b/;
  const expectNoNonNumbers = (message: SlackMessage) => {
    for (const t of mrkdwnTexts(message)) expect(t).not.toMatch(notANumber);
  };

  it('no card, digest or plans page ever shows NaN, Infinity or undefined', async () => {
    // Both valid JSON: 1e308 used of 5e-324 overflowed to "Infinity%", and JSON.parse reads an id of 1e999 as Infinity.
    const overflowingTier = {
      current_tiers: [
        { usage_type: 'CONTACTS', current_usage: 1e308, tier_max: 5e-324, tier_min: 0, price: 1, currency_code: 'USD' },
      ],
    };
    const infiniteId = JSON.parse('[{"id":1e999,"name":"Gold"},{"id":1e21},{"id":-0},{"id":1.5}]') as unknown[];
    await fc.assert(
      fc.asyncProperty(
        rawBillingPlan,
        fc.array(rawCatalogPlan, { maxLength: catalogPageSize }),
        query,
        date,
        audience,
        async (raw, items, q, now, aud) => {
          const plan = parseBillingPlan(raw);
          expectNoNonNumbers(
            planCard({ accountId: 'a07e1lxtnhz0', plan, fetchedAt: now.getTime(), now, sample: false, audience: aud }),
          );
          const account: DigestAccount = {
            accountId: 'a07e1lxtnhz0',
            plan,
            changes: [],
            billingSoon: billingSoon(plan, now),
            nearLimit: tiersNearLimit(plan),
          };
          const input = { accounts: [account], first: false, now, sample: false };
          for (const message of [digestSummary(input), ...digestDetails(input)]) expectNoNonNumbers(message);
          expectNoNonNumbers(plansPage({ page: await pageFrom(items, {}, q), query: q, sample: false, audience: aud }));
        },
      ),
      {
        ...fewerRuns,
        examples: [
          [
            overflowingTier,
            infiniteId,
            { words: '', filter: undefined, sort: undefined, offset: 0 },
            new Date('2026-03-10T15:00:00Z'),
            { kind: 'private' },
          ],
        ],
      },
    );
  });
});

describe('account matches', () => {
  const account = fc.record({
    id: accountId,
    organizationName: fc.option(hostileString, { nil: null }),
    siteOwnerName: fc.option(hostileString, { nil: null }),
    billingStatus: fc.option(hostileString, { nil: null }),
    subscriberCount: fc.option(fc.nat(), { nil: null }),
    lastLoginDate: fc.constant(null),
  });
  const facts = fc.record({
    builtAt: fc.nat({ max: 2 ** 40 }),
    accounts: fc.nat({ max: 10 ** 6 }),
    now: fc.nat({ max: 2 ** 40 }),
  });

  it('candidate lists of any names stay within limits, escape every name, and carry each id in its button', () => {
    fc.assert(
      fc.property(
        hostileString,
        fc.array(account, { maxLength: 15 }),
        facts,
        fc.constantFrom('plan' as const, 'watch' as const, 'unwatch' as const),
        (words, accounts, f, purpose) => {
          const message = candidatesMessage({ kind: 'candidates', words, candidates: accounts, index: f }, purpose);
          expectSafe(message);
          expectWholeEntities(message);
          const buttons = message.blocks.flatMap((b) =>
            'accessory' in b && b.accessory && b.accessory.type === 'button' ? [b.accessory] : [],
          );
          expect(buttons.map((b) => b.value)).toEqual(accounts.slice(0, 10).map((a) => a.id));
          // Labels name the account in plain text: never empty, never markup-shaped, never a cut emoji.
          for (const { text } of buttons) {
            expect(text.text.trim().length).toBeGreaterThan(0);
            expect(text.text.length).toBeLessThanOrEqual(75);
            expect(text.text).not.toMatch(/[<>]/);
            expect(text.text.isWellFormed()).toBe(true);
          }
        },
      ),
      fewerRuns,
    );
  });

  it('"no match", "not ready" and index notes stay within limits and escape the words', () => {
    fc.assert(
      fc.property(hostileString, facts, fc.boolean(), (words, f, building) => {
        expectSafe(noMatchMessage({ kind: 'no_match', words, index: f }));
        expectSafe(indexNotReady(building));
        expectSafe(reindexMessage(building ? 'busy' : 'started', f));
        expectSafe(withNoIndexNote(invalidAccountId(words), building));
        expectSafe(withIndexNote(invalidAccountId(words), f));
      }),
      fewerRuns,
    );
  });
});

describe('alert messages', () => {
  const kinds = ['upgrade', 'downgrade', 'cancellation', 'disabled', 'change'] as const;
  const alert = fc.record({
    accountId,
    kind: fc.constantFrom(...kinds),
    eventType: hostileString,
    previous: fc.option(
      rawBillingPlan.map((raw) => stateOf(parseBillingPlan(raw))),
      { nil: undefined },
    ),
    current: rawBillingPlan.map((raw) => stateOf(parseBillingPlan(raw))),
    name: fc.option(hostileString, { nil: null }),
    at: fc.constant(0),
    key: fc.constant('k'),
  });

  it('a single alert, a summary and a reply of 20 stay within limits, with nothing from the data Slack would act on', () => {
    fc.assert(
      fc.property(fc.array(alert, { minLength: 1, maxLength: 20 }), (alerts) => {
        for (const a of alerts) {
          const single = singleAlert(a);
          expectSafe(single, []);
          expectWholeEntities(single);
          expect(single.blocks[0]).toMatchObject({ accessory: { action_id: 'alert_show_plan', value: a.accountId } });
        }
        const details = alertDetails(alerts);
        expectSafe(details, []);
        expectWholeEntities(details);
        const counts: Partial<Record<(typeof kinds)[number], number>> = {};
        for (const a of alerts) counts[a.kind] = (counts[a.kind] ?? 0) + 1;
        expectSafe(alertSummary(counts), []);
      }),
      fewerRuns,
    );
  });
});
