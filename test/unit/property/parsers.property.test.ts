/**
 * Property tests over planbot's parsers: the command grammars (/plan, /plans, mentions and DMs,
 * digest schedules), account ids, the paging buttons' value, and the defensive readers of
 * Constant Contact and Rebilly answers. Every one of them takes text or JSON planbot does not
 * control, so for any input they must return one of their documented results and never throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidPlansSearch } from '../../../src/blocks/messages.ts';
import { parseConversationText } from '../../../src/grammar/conversationText.ts';
import {
  cleanCommandText,
  unescapeSlackText,
  maxIdsPerWatch,
  type PlanCommand,
  parsePlanCommand,
} from '../../../src/grammar/planCommand.ts';
import {
  decodePlansQuery,
  encodePlansQuery,
  filterProblem,
  type PlansCommand,
  type PlansQuery,
  parsePlansCommand,
  sortProblem,
  tokenize,
} from '../../../src/grammar/plansCommand.ts';
import { digestSettingsReply } from '../../../src/blocks/digestReplies.ts';
import { createDigestSettingsUseCase, digestSettingsOutcomeName } from '../../../src/usecases/digestSettings.ts';
import {
  cronPattern,
  type DigestSchedule,
  describeSchedule,
  isTimeZone,
  nextRunAt,
  parseDigestCommand,
  weekdays,
} from '../../../src/digests/schedule.ts';
import { isAccountId } from '../../../src/billing/account.ts';
import { planPath } from '../../../src/partner/accountId.ts';
import { parseCatalogPlan } from '../../../src/partner/catalogPlan.ts';
import { errorKey } from '../../../src/partner/constantContact.ts';
import { maxOffset } from '../../../src/billing/catalog.ts';
import { problemDetail } from '../../../src/partner/rebilly.ts';
import { parseBillingPlan } from '../../../src/partner/parse.ts';
import {
  accountId,
  fewerRuns,
  hostileString,
  mixedText,
  plansQuery,
  rawBillingPlan,
  rawCatalogPlan,
  rawCcError,
  rawProblem,
  runs,
  strayValue,
  timeZones,
  wellFormedString,
  worstCaseQuery,
} from './arbitraries.ts';
import { blockKitProblems, markupLeaks } from './slackChecks.ts';

/** Slack's limit on a button's value. */
const buttonValueLimit = 2000;
const controlChars = /[\u0000-\u001f\u007f-\u009f]/;
const nonEmpty = (s: unknown) => typeof s === 'string' && s.trim().length > 0;

/** What the documented PlanCommand shapes promise, whatever the input was. */
function checkPlanCommand(c: PlanCommand): void {
  switch (c.kind) {
    case 'help':
    case 'watchlist':
    case 'reindex':
      expect(Object.keys(c)).toEqual(['kind']);
      return;
    case 'lookup':
      expect(isAccountId(c.accountId)).toBe(true);
      return;
    case 'find':
      // A name to search for: never empty, bounded, and never a path, escape or Slack markup.
      expect(nonEmpty(c.words)).toBe(true);
      expect(c.words.length).toBeLessThanOrEqual(200);
      expect(c.words).not.toMatch(controlChars);
      expect(c.words).not.toMatch(/[/\\<>]|%[0-9a-f]{2}/i);
      expect(isAccountId(c.words)).toBe(false);
      return;
    case 'invalid':
      expect(nonEmpty(c.input)).toBe(true);
      expect(c.input.length).toBeLessThanOrEqual(1000);
      expect(c.input).not.toMatch(controlChars);
      return;
    case 'watch':
    case 'unwatch':
      expect(c.ids.every(isAccountId)).toBe(true);
      expect(new Set(c.ids).size).toBe(c.ids.length);
      expect(c.invalid.every((w) => nonEmpty(w) && !isAccountId(w))).toBe(true);
      expect(c.words).not.toMatch(controlChars);
      return;
    case 'digest':
      expect(c.args.every((a) => typeof a === 'string' && a.length > 0 && !/\s/.test(a))).toBe(true);
      return;
    default:
      throw new Error(`undocumented kind ${JSON.stringify(c)}`);
  }
}

/** What the documented PlansCommand shapes promise. */
function checkPlansCommand(c: PlansCommand): void {
  switch (c.kind) {
    case 'help':
      return;
    case 'invalid':
      expect(nonEmpty(c.problem)).toBe(true);
      return;
    case 'search': {
      const q = c.query;
      expect(q.offset).toBe(0);
      expect(typeof q.words).toBe('string');
      expect(q.words.length).toBeLessThanOrEqual(200);
      expect(q.words).not.toMatch(controlChars);
      if (q.filter !== undefined) expect(filterProblem(q.filter)).toBeUndefined();
      if (q.sort !== undefined) expect(sortProblem(q.sort)).toBeUndefined();
      return;
    }
    default:
      throw new Error(`undocumented kind ${JSON.stringify(c)}`);
  }
}

describe('cleanCommandText', () => {
  it('never throws, and leaves at most 1000 characters with no control characters or runs of spaces', () => {
    fc.assert(
      fc.property(hostileString, (raw) => {
        const text = cleanCommandText(raw);
        expect(text.length).toBeLessThanOrEqual(1000);
        expect(text).not.toMatch(controlChars);
        expect(text).not.toMatch(/\s\s|^\s|\s$/);
        expect(cleanCommandText(text)).toBe(text);
      }),
      runs,
    );
  });
});

describe('parsePlanCommand', () => {
  it('never throws and always answers one of the documented kinds', () => {
    fc.assert(
      fc.property(hostileString, (raw) => checkPlanCommand(parsePlanCommand(raw))),
      runs,
    );
  });

  it('reads subcommands followed by any text', () => {
    const sub = fc.constantFrom('watch', 'UNWATCH', 'watchlist', 'digest', 'help', 'Watch', '');
    fc.assert(
      fc.property(sub, hostileString, (s, rest) => checkPlanCommand(parsePlanCommand(`${s} ${rest}`))),
      runs,
    );
  });

  it('looks up any valid account id, bare, padded, or wrapped in quotes or backticks', () => {
    const wrap = fc.constantFrom(['', ''], ['`', '`'], ['"', '"'], ["'", "'"], ['“', '”'], ['```', '```']);
    const pad = fc.constantFrom('', ' ', '\n', '\t ', '\u200b', '\u0000');
    fc.assert(
      fc.property(
        accountId.filter((id) => !/^(help|watchlist|digest|-h|--help|watch|unwatch|reindex)$/i.test(id)),
        wrap,
        pad,
        pad,
        (id, [open, close], before, after) => {
          expect(parsePlanCommand(`${before}${open}${id}${close}${after}`)).toEqual({ kind: 'lookup', accountId: id });
        },
      ),
      runs,
    );
  });

  it('watch and unwatch keep every valid id once, in order, and report the rest', () => {
    const word = fc.oneof(
      accountId,
      mixedText.filter((w) => w.trim() !== ''),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('watch', 'unwatch'),
        fc.array(accountId, { maxLength: maxIdsPerWatch }),
        fc.array(word, { maxLength: 5 }),
        (sub, ids, others) => {
          const c = parsePlanCommand(`${sub} ${[...ids, ...others].join(' ')}`);
          checkPlanCommand(c);
          if (c.kind !== 'watch' && c.kind !== 'unwatch') throw new Error(`expected ${sub}, got ${c.kind}`);
          expect(c.kind).toBe(sub);
          // Every id given as its own word is kept, first occurrence first.
          const kept = c.ids.filter((id) => ids.includes(id));
          expect(kept).toEqual([...new Set(ids)]);
        },
      ),
      runs,
    );
  });
});

describe('isAccountId and planPath', () => {
  it('never throw on any text; planPath refuses (TypeError) exactly what isAccountId refuses', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const ok = isAccountId(s);
        expect(ok).toBe(/^[A-Za-z0-9_-]{1,64}$/.test(s));
        if (ok) expect(() => planPath(s)).not.toThrow();
        else expect(() => planPath(s)).toThrow(TypeError);
      }),
      runs,
    );
  });

  it('a valid id round-trips through the plan path as exactly one segment', () => {
    fc.assert(
      fc.property(accountId, (id) => {
        const path = planPath(id);
        const segments = path.split('/');
        expect(segments).toHaveLength(5);
        expect(segments.slice(0, 3)).toEqual(['', 'partner', 'accounts']);
        expect(segments[4]).toBe('plan');
        expect(decodeURIComponent(segments[3]!)).toBe(id);
        expect(new URL(path, 'https://api.example').pathname).toBe(path);
      }),
      runs,
    );
  });
});

describe('parsePlansCommand', () => {
  it('never throws and always answers help, a valid search, or a problem to show', () => {
    fc.assert(
      fc.property(hostileString, (raw) => checkPlansCommand(parsePlansCommand(raw))),
      runs,
    );
  });

  it('handles --filter and --sort followed by anything', () => {
    const option = fc.constantFrom('--filter', '--sort', '--FILTER=', '--sort=', '--filter=a:1', '--sort=-name');
    fc.assert(
      fc.property(fc.array(fc.oneof(option, mixedText), { maxLength: 6 }), (parts) =>
        checkPlansCommand(parsePlansCommand(parts.join(' '))),
      ),
      runs,
    );
  });

  it('reads back any valid words, filter and sort', () => {
    fc.assert(
      fc.property(plansQuery, (q) => {
        // Words that are themselves an option or a quote would change the command; leave those out.
        fc.pre(
          !/--|["“”]/.test(q.words) &&
            !/^(help|\?|-h)$/i.test(q.words) &&
            !/["“”]/.test(`${q.filter ?? ''}${q.sort ?? ''}`),
        );
        const raw = [q.words, q.filter ? `--filter ${q.filter}` : '', q.sort ? `--sort=${q.sort}` : ''].join(' ');
        const c = parsePlansCommand(raw);
        expect(c).toEqual({ kind: 'search', query: { words: q.words, filter: q.filter, sort: q.sort, offset: 0 } });
      }),
      runs,
    );
  });

  it('tokenize never throws and never returns more tokens than there are non-space runs and quotes', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const tokens = tokenize(s);
        expect(tokens.every((t) => typeof t === 'string')).toBe(true);
        expect(tokens.length).toBeLessThanOrEqual(s.length);
      }),
      runs,
    );
  });
});

describe('paging button values (encodePlansQuery / decodePlansQuery)', () => {
  it('any query /plans accepts fits in a button value and decodes back to itself, at any page', () => {
    // Lone surrogates too: JSON writes each as a six-character escape, so 498 of them in a filter
    // once made a 3,020-character value (Slack allows 2,000) that decodePlansQuery then refused.
    const surrogateFilter = `--filter a:${'\ud800'.repeat(498)}`;
    fc.assert(
      fc.property(fc.oneof(wellFormedString, hostileString), fc.integer({ min: 0, max: maxOffset }), (raw, offset) => {
        const c = parsePlansCommand(raw);
        if (c.kind !== 'search') return;
        const q = { ...c.query, offset };
        const value = encodePlansQuery(q);
        expect(value.length).toBeLessThanOrEqual(buttonValueLimit);
        expect(decodePlansQuery(value)).toEqual(q);
      }),
      {
        ...runs,
        examples: [
          [surrogateFilter, 0],
          [surrogateFilter, maxOffset],
        ],
      },
    );
  });

  it('generated valid queries round-trip and fit', () => {
    fc.assert(
      fc.property(plansQuery, (q) => {
        const value = encodePlansQuery(q);
        expect(value.length).toBeLessThanOrEqual(buttonValueLimit);
        expect(decodePlansQuery(value)).toEqual(q);
      }),
      runs,
    );
  });

  it('the longest query the grammar allows, made of characters JSON escapes, still fits', () => {
    fc.assert(
      fc.property(worstCaseQuery, (q) => {
        expect(filterProblem(q.filter!)).toBeUndefined();
        expect(sortProblem(q.sort!)).toBeUndefined();
        const value = encodePlansQuery(q);
        expect(value.length).toBeLessThanOrEqual(buttonValueLimit);
        expect(decodePlansQuery(value)).toEqual(q);
      }),
      fewerRuns,
    );
  });

  it('decodePlansQuery never throws on any string, and accepts only valid queries', () => {
    const jsonish = fc.oneof(
      hostileString,
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            w: strayValue,
            f: strayValue,
            s: strayValue,
            o: fc.oneof(fc.integer({ min: -5, max: maxOffset + 5 }), strayValue),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      plansQuery.map((q) => encodePlansQuery(q)).map((v) => v.slice(0, Math.max(0, v.length - 1))),
      fc.constantFrom(
        'null',
        '[]',
        '"x"',
        '1',
        '{"__proto__":{"w":"x"},"o":0}',
        '{"o":1e999}',
        '{"o":-0}',
        '{"o":0.5}',
        'NaN',
      ),
    );
    fc.assert(
      fc.property(jsonish, (value) => {
        const q = decodePlansQuery(value);
        if (q === undefined) return;
        expect(typeof q.words).toBe('string');
        expect(q.words.length).toBeLessThanOrEqual(200);
        expect(Number.isInteger(q.offset) && q.offset >= 0 && q.offset <= maxOffset).toBe(true);
        if (q.filter !== undefined) expect(filterProblem(q.filter)).toBeUndefined();
        if (q.sort !== undefined) expect(sortProblem(q.sort)).toBeUndefined();
        // What it accepted encodes and decodes to the same query (an offset of -0 comes back as 0).
        expect(decodePlansQuery(encodePlansQuery(q))).toEqual({ ...q, offset: q.offset + 0 });
      }),
      runs,
    );
  });

  it('decodePlansQuery accepts only text planbot could have written, and only values that still fit one page on', () => {
    // What cleanCommandText would have removed (control, zero-width, bidi), lone surrogates, and
    // characters JSON escapes, repeated up to the grammar's lengths: trim() keeps \u0001, so a
    // filter of `a:` and 498 of them passed filterProblem and re-encoded to 3,021 characters.
    const char = fc.constantFrom(
      '\u0001',
      '\u0000',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u2028',
      '\u202e',
      '\ufeff',
      '\ud800',
      '\udc00',
      '"',
      '\\',
      'é',
      'x',
    );
    const run = (max: number) => fc.tuple(char, fc.integer({ min: 0, max })).map(([c, n]) => c.repeat(n));
    const value = fc
      .record({
        w: fc.oneof(run(200), hostileString),
        f: fc.oneof(
          run(498).map((v) => `a:${v}x`),
          fc.constant(null),
        ),
        s: fc.oneof(
          run(198).map((v) => `a${v}`),
          fc.constant(null),
        ),
        o: fc.integer({ min: 0, max: maxOffset }),
      })
      .map((o) => JSON.stringify(o));
    const counterexample = JSON.stringify({ w: '', f: `a:${'\u0001'.repeat(498)}`, s: null, o: 0 });
    fc.assert(
      fc.property(fc.oneof(value, plansQuery.map(encodePlansQuery)), (v) => {
        const q = decodePlansQuery(v);
        if (q === undefined) return;
        for (const text of [q.words, q.filter ?? '', q.sort ?? '']) {
          expect(text.isWellFormed()).toBe(true);
          expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/);
        }
        // The Next button re-encodes the query with a later offset: that value must fit too.
        expect(encodePlansQuery({ ...q, offset: Math.min(maxOffset, q.offset + 10) }).length).toBeLessThanOrEqual(
          buttonValueLimit,
        );
        expect(encodePlansQuery({ ...q, offset: maxOffset }).length).toBeLessThanOrEqual(buttonValueLimit);
      }),
      { ...runs, examples: [[counterexample]] },
    );
  });
});

describe('parseConversationText', () => {
  it('never throws and answers one of the documented kinds, with valid commands inside', () => {
    const leading = fc.constantFrom('', '<@U0BOT> ', '<@U0BOT|planbot>: ', '<@U0BOT>, <@U0OTHER> ', ' <@UABC123>\n');
    fc.assert(
      fc.property(leading, hostileString, (lead, raw) => {
        const r = parseConversationText(`${lead}${raw}`);
        switch (r.kind) {
          case 'help':
            return;
          case 'unknown':
            expect(nonEmpty(r.word)).toBe(true);
            expect(r.word).not.toMatch(controlChars);
            return;
          case 'plan':
            return checkPlanCommand(r.command);
          case 'plans':
            return checkPlansCommand(r.command);
          default:
            throw new Error(`undocumented kind ${JSON.stringify(r)}`);
        }
      }),
      runs,
    );
  });

  it('after any leading mentions, `plan <id>` is a lookup of that id', () => {
    const mention = fc.stringMatching(/^<@[A-Z0-9]{2,12}(\|[a-z]{1,8})?>[ ,:]{0,2}$/);
    fc.assert(
      fc.property(
        fc.array(mention, { maxLength: 3 }),
        fc.constantFrom('plan', 'PLAN', '/plan'),
        accountId,
        (mentions, word, id) => {
          fc.pre(!/^(help|watchlist|digest|-h|--help|watch|unwatch|reindex)$/i.test(id));
          expect(parseConversationText(`${mentions.join(' ')} ${word} ${id}`)).toEqual({
            kind: 'plan',
            command: { kind: 'lookup', accountId: id },
          });
        },
      ),
      runs,
    );
  });
});

describe('parseDigestCommand (the digest schedule grammar)', () => {
  const args = fc.array(
    fc.oneof(
      mixedText,
      fc.constantFrom(
        'daily',
        'weekdays',
        'weekly',
        'mon',
        'Sunday',
        'off',
        'now',
        '08:30',
        '24:00',
        '7:05',
        'UTC',
        'Mars/Olympus',
      ),
    ),
    {
      maxLength: 6,
    },
  );

  it('never throws, and a schedule it sets is one croner can run', () => {
    fc.assert(
      fc.property(fc.oneof(args, fc.array(hostileString, { maxLength: 4 })), (a) => {
        const c = parseDigestCommand(a);
        switch (c.kind) {
          case 'show':
          case 'off':
          case 'now':
            return;
          case 'invalid':
            expect(nonEmpty(c.problem)).toBe(true);
            return;
          case 'set': {
            expect(['daily', 'weekdays', 'weekly']).toContain(c.cadence);
            expect(Number.isInteger(c.hour) && c.hour >= 0 && c.hour <= 23).toBe(true);
            expect(Number.isInteger(c.minute) && c.minute >= 0 && c.minute <= 59).toBe(true);
            if (c.cadence === 'weekly') expect(weekdays).toContain(c.day);
            if (c.timeZone !== undefined) expect(isTimeZone(c.timeZone)).toBe(true);
            const s: DigestSchedule = {
              cadence: c.cadence,
              ...(c.day ? { day: c.day } : {}),
              hour: c.hour,
              minute: c.minute,
              timeZone: c.timeZone ?? 'UTC',
            };
            const after = new Date('2026-03-08T06:30:00Z');
            expect(nextRunAt(s, after).getTime()).toBeGreaterThan(after.getTime());
            return;
          }
          default:
            throw new Error(`undocumented kind ${JSON.stringify(c)}`);
        }
      }),
      runs,
    );
  });

  it('every schedule written out in the grammar parses back to itself, through /plan digest too', () => {
    const schedule = fc.record({
      cadence: fc.constantFrom('daily', 'weekdays', 'weekly'),
      day: fc.constantFrom(...weekdays),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      timeZone: fc.option(fc.constantFrom(...timeZones), { nil: undefined }),
      padHour: fc.boolean(),
      longDay: fc.boolean(),
      upper: fc.boolean(),
    });
    const longNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
    fc.assert(
      fc.property(schedule, (s) => {
        const day = s.longDay ? longNames[weekdays.indexOf(s.day)]! : s.day;
        const time = `${s.padHour ? String(s.hour).padStart(2, '0') : String(s.hour)}:${String(s.minute).padStart(2, '0')}`;
        const words = [s.cadence, ...(s.cadence === 'weekly' ? [day] : []), time, ...(s.timeZone ? [s.timeZone] : [])];
        const typed = words.map((w, i) => (s.upper && i < 2 ? w.toUpperCase() : w));
        const want = {
          kind: 'set',
          cadence: s.cadence,
          day: s.cadence === 'weekly' ? s.day : undefined,
          hour: s.hour,
          minute: s.minute,
          timeZone: s.timeZone,
        };
        expect(parseDigestCommand(typed)).toEqual(want);
        const viaPlan = parsePlanCommand(`digest ${typed.join(' ')}`);
        expect(viaPlan.kind).toBe('digest');
        if (viaPlan.kind === 'digest') expect(parseDigestCommand(viaPlan.args)).toEqual(want);
        const full: DigestSchedule = {
          cadence: s.cadence,
          ...(s.cadence === 'weekly' ? { day: s.day } : {}),
          hour: s.hour,
          minute: s.minute,
          timeZone: s.timeZone ?? 'UTC',
        };
        expect(cronPattern(full)).toMatch(/^\d{1,2} \d{1,2} \* \* (\*|1-5|[0-6])$/);
        expect(describeSchedule(full)).toContain(
          `${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')}`,
        );
      }),
      runs,
    );
  });

  it('isTimeZone never throws, and knows every IANA name Intl lists', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.constantFrom(...timeZones)), (name) => {
        const ok = isTimeZone(name);
        if (timeZones.includes(name)) expect(ok).toBe(true);
        if (ok) expect(() => new Intl.DateTimeFormat('en-US', { timeZone: name })).not.toThrow();
      }),
      runs,
    );
  });
});

const finiteOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const textOrNull = (v: unknown) => v === null || nonEmpty(v);

describe('parseBillingPlan (Constant Contact answers)', () => {
  it('never throws, and whatever came back is a BillingPlan with finite numbers and non-blank texts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          rawBillingPlan,
          fc.anything({
            withNullPrototype: true,
            withMap: true,
            withSet: true,
            withBigInt: true,
            withDate: true,
            withTypedArray: true,
          }),
        ),
        (body) => {
          const p = parseBillingPlan(body);
          expect(textOrNull(p.planType)).toBe(true);
          expect(textOrNull(p.billingStatus)).toBe(true);
          expect(
            p.billingDayOfMonth === null ||
              (Number.isInteger(p.billingDayOfMonth) && p.billingDayOfMonth >= 1 && p.billingDayOfMonth <= 31),
          ).toBe(true);
          expect(Array.isArray(p.tiers)).toBe(true);
          for (const t of p.tiers) {
            expect(Object.keys(t).sort()).toEqual(['currency', 'level', 'max', 'min', 'price', 'usage', 'usageType']);
            expect([t.level, t.min, t.max, t.usage, t.price].every(finiteOrNull)).toBe(true);
            expect(textOrNull(t.usageType) && textOrNull(t.currency)).toBe(true);
          }
        },
      ),
      runs,
    );
  });

  it('keeps every well-typed value exactly', () => {
    const num = fc.double({ noNaN: true, noDefaultInfinity: true });
    const txt = fc.string({ minLength: 1 }).filter((s) => s.trim() !== '');
    const tier = fc.record({
      usage_type: txt,
      current_usage: num,
      tier: num,
      tier_min: num,
      tier_max: num,
      price: num,
      currency_code: txt,
    });
    fc.assert(
      fc.property(
        txt,
        txt,
        fc.integer({ min: 1, max: 31 }),
        fc.array(tier, { maxLength: 5 }),
        (planType, status, day, tiers) => {
          const p = parseBillingPlan({
            plan_type: planType,
            billing_status: status,
            billing_day_of_month: day,
            current_tiers: tiers,
          });
          expect(p).toStrictEqual({
            planType,
            billingStatus: status,
            billingDayOfMonth: day,
            tiers: tiers.map((t) => ({
              usageType: t.usage_type,
              level: t.tier,
              min: t.tier_min,
              max: t.tier_max,
              usage: t.current_usage,
              price: t.price,
              currency: t.currency_code,
            })),
          });
        },
      ),
      runs,
    );
  });

  it('errorKey never throws on any error body', () => {
    fc.assert(
      fc.property(rawCcError, (body) => {
        const { key, message } = errorKey(body);
        expect(key === undefined || typeof key === 'string').toBe(true);
        expect(message === undefined || typeof message === 'string').toBe(true);
      }),
      runs,
    );
  });
});

describe('parseCatalogPlan (Rebilly answers)', () => {
  it('never throws; null only without an id, otherwise a consistent CatalogPlan', () => {
    const units = ['day', 'week', 'month', 'year'];
    fc.assert(
      fc.property(
        fc.oneof(
          rawCatalogPlan,
          fc.anything({ withNullPrototype: true, withMap: true, withBigInt: true, withDate: true }),
        ),
        (raw) => {
          const p = parseCatalogPlan(raw);
          if (p === null) return;
          expect(nonEmpty(p.id)).toBe(true);
          expect([p.name, p.productId, p.currency, p.description].every(textOrNull)).toBe(true);
          expect(typeof p.isActive).toBe('boolean');
          expect(['one-time', 'subscription', 'trial-only']).toContain(p.kind);
          if (p.kind === 'trial-only') expect(p.pricing).toBeNull();
          if (p.interval) {
            expect(units).toContain(p.interval.unit);
            expect([p.interval.length, p.interval.limit].every(finiteOrNull)).toBe(true);
            expect(p.interval.length).not.toBeNull();
          }
          if (p.trial) {
            expect(units).toContain(p.trial.unit);
            expect(Number.isFinite(p.trial.length) && Number.isFinite(p.trial.price)).toBe(true);
          }
          if (p.setup) expect(Number.isFinite(p.setup.price)).toBe(true);
          const pr = p.pricing;
          if (pr === null) return;
          switch (pr.formula) {
            case 'fixed-fee':
              expect(Number.isFinite(pr.price)).toBe(true);
              break;
            case 'flat-rate':
              expect([pr.price, pr.minQuantity, pr.maxQuantity].every(finiteOrNull) && pr.price !== null).toBe(true);
              break;
            case 'stairstep':
            case 'tiered':
            case 'volume':
              expect(pr.brackets.length).toBeGreaterThan(0);
              expect(pr.brackets.every((b) => Number.isFinite(b.price) && finiteOrNull(b.maxQuantity))).toBe(true);
              expect(finiteOrNull(pr.minQuantity)).toBe(true);
              break;
            case 'unknown':
              expect(textOrNull(pr.name)).toBe(true);
              break;
            default:
              throw new Error(`undocumented formula ${JSON.stringify(pr)}`);
          }
        },
      ),
      runs,
    );
  });

  it('a plan with a usable id is never dropped', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string().filter((s) => s.trim() !== ''),
          fc.integer(),
        ),
        rawCatalogPlan,
        (id, rest) => {
          const raw = rest && typeof rest === 'object' && !Array.isArray(rest) ? { ...rest, id } : { id };
          expect(parseCatalogPlan(raw)?.id).toBe(String(id));
        },
      ),
      runs,
    );
  });

  it('problemDetail never throws and keeps to 300 characters', () => {
    fc.assert(
      fc.property(rawProblem, (body) => {
        const d = problemDetail(body);
        expect(d === undefined || (typeof d === 'string' && d.length <= 300)).toBe(true);
      }),
      runs,
    );
  });
});

/** Stands in for every dependency the invalid path of a digest command must not touch. */
const untouchable = new Proxy(
  {},
  {
    get: (_target, name) => {
      throw new Error(`an invalid digest command used ${String(name)}`);
    },
  },
) as never;

const digestSettings = createDigestSettingsUseCase({
  store: untouchable,
  scheduler: untouchable,
  runner: untouchable,
  lookup: { configured: true } as never,
  userTimeZone: untouchable,
  logger: untouchable,
  now: () => Date.now(),
  storeAvailable: async () => true,
});

/** A problem message, with planbot's own words around the user's quoted text, stays this short. */
const problemLimit = 300;

// Parse results planbot puts straight into mrkdwn (`I couldn't search: ${problem}`) must not carry
// Slack markup from the input. A mention posts them in a thread everyone sees: `@planbot plans
// --filter @channel` arrives as `--filter <!channel>`, and used to ping the channel.
describe('parse problems that are safe by construction', () => {
  it('a /plans problem quotes the filter or sort escaped, in a code span it cannot close, and is short', () => {
    const option = fc.constantFrom(
      '--filter ',
      '--filter=',
      '--sort ',
      '--sort=',
      'gold --filter ',
      '--filter a:1 --sort ',
    );
    const raw = fc.oneof(
      hostileString,
      fc.tuple(option, hostileString).map(([o, v]) => `${o}${v}`),
    );
    const examples = [
      '--filter=<!channel>',
      '--filter <!channel>',
      '--sort <@U0123>',
      '--filter <https://evil.example|click>',
      '--filter x`<!channel>`:1',
      '--sort a,`<!here>`',
      `--filter ${'<!channel>'.repeat(40)}`,
    ];
    fc.assert(
      fc.property(raw, (text) => {
        const c = parsePlansCommand(text);
        if (c.kind !== 'invalid') return;
        expect(c.problem.length).toBeLessThanOrEqual(problemLimit);
        const message = invalidPlansSearch(c.problem);
        expect(markupLeaks(message)).toEqual([]);
        expect(blockKitProblems(message)).toEqual([]);
      }),
      { ...runs, examples: examples.map((e) => [e]) },
    );
  });

  it('a digest schedule problem quotes the words escaped and is short, through the real digest command', async () => {
    const prefix = fc.constantFrom(
      '',
      'daily 08:30 ',
      'weekdays 7:05 ',
      'weekly mon 09:00 ',
      'weekly mon 09:00 UTC ',
      'daily 08:30 UTC extra ',
    );
    const raw = fc.oneof(
      hostileString,
      fc.tuple(prefix, hostileString).map(([p, v]) => `${p}${v}`),
    );
    const examples = [
      '<!channel>',
      'daily 08:30 <!here>',
      'weekly mon 09:00 UTC <@U0123>',
      'x`<!channel>`',
      `daily 08:30 UTC ${'<!everyone> '.repeat(50)}`,
    ];
    await fc.assert(
      fc.asyncProperty(raw, async (text) => {
        const c = parsePlanCommand(`digest ${text}`);
        if (c.kind !== 'digest' || parseDigestCommand(c.args).kind !== 'invalid') return;
        const problem = (parseDigestCommand(c.args) as { problem: string }).problem;
        expect(problem.length).toBeLessThanOrEqual(problemLimit);
        const outcome = await digestSettings.run(c.args, { channelId: 'C1', userId: 'U1' });
        expect(digestSettingsOutcomeName(outcome)).toBe('invalid_input');
        const message = digestSettingsReply(outcome);
        expect(markupLeaks(message)).toEqual([]);
        expect(blockKitProblems(message)).toEqual([]);
      }),
      { ...runs, examples: examples.map((e) => [e]) },
    );
  });

  it("an invalid /plan input is reported as the cleaned text (with Slack's entities undone), never longer than 1000 characters", () => {
    fc.assert(
      fc.property(hostileString, (raw) => {
        const c = parsePlanCommand(raw);
        if (c.kind === 'invalid') expect(c.input).toBe(unescapeSlackText(cleanCommandText(raw)));
      }),
      runs,
    );
  });

  it('a query decoded from a button is the query encoded into it, whatever the offset', () => {
    fc.assert(
      fc.property(plansQuery, (q: PlansQuery) => {
        for (const offset of [0, q.offset, maxOffset])
          expect(decodePlansQuery(encodePlansQuery({ ...q, offset }))?.offset).toBe(offset);
      }),
      runs,
    );
  });
});
