/**
 * The account index benchmark (run by `npm run bench` after the digest one; `npm run bench:index`
 * alone): 5,000 accounts with varied organization and owner names, listed 50 a page (100 pages)
 * by a fake Constant Contact that answers 429 `throttled` past CC_RATE_LIMIT=10 a second.
 *
 * 1. The walk: `node dist/main.js` builds its index at start. Measures the time from its `started`
 *    line (and from spawn) to its `account_index_refresh` line (ideal: 100 pages ÷ 10/s ≈ 10 s),
 *    list requests, token fetches, the most requests in any one second, and the bot's peak RSS.
 * 2. Name search in this process: `searchAccounts` over the same index for 20,000 queries (exact
 *    names, lower-case without accents, beginnings, one-typo words, owner names, words that match
 *    nothing); the first call, which prepares the search structure, is reported apart ("cold").
 * 3. Name search end to end, after the walk: signed `/plan <name>` commands at concurrency 10, each
 *    worker waiting for its answer at the response_url before sending the next. Only names the
 *    index answers alone (several candidates, or no match) are timed together; names that mean one
 *    account also fetch its plan (at the rate gate's 10/s), so they are sent one at a time, spaced
 *    past the gate's interval, and reported apart.
 *
 * It measures; it does not judge: exit 0 when it ran, non-zero only when the walk did not finish
 * or the index does not hold every account (or the bench could not run at all).
 *
 * Knobs (environment): BENCH_INDEX_ACCOUNTS (5000), BENCH_INDEX_RATE (10), BENCH_INDEX_QUERIES
 * (20000, in process), BENCH_INDEX_E2E (300, end to end), BENCH_INDEX_CARDS (40, one-match names),
 * BENCH_INDEX_CONCURRENCY (10), BENCH_API_DELAY_MS (20, the fake's latency), BENCH_NODE_ARGS,
 * BENCH_LOG_DIR (keep planbot's output there), BENCH_PLANBOT_MAIN (another build's main.js).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'undici';
import type { AccountIndex } from '../../src/accounts/accountIndex.ts';
import { type AccountSearchResult, searchAccounts } from '../../src/accounts/search.ts';
import { parsePlanCommand } from '../../src/grammar/planCommand.ts';
import { gateIntervalMs } from '../../src/partner/rateGate.ts';
import { type PartnerAccount } from '../../src/billing/account.ts';
import { parseAccountsPage } from '../../src/partner/parse.ts';
import { delay, json, serve } from '../helpers/http.ts';
import { signedHeaders, slashCommandBody } from '../helpers/slack.ts';
import { envNumber, fmt, log, planbotMain, printTable, runBench, signingSecret } from './common.ts';
import { makeNameQueries, makePartnerAccounts, type NameQuery, searchInProcess } from './names.ts';
import { realisticPlan, startFakeSlackApi } from './fakes.ts';
import { connectionPool, percentile } from './load.ts';
import { type Child, freePort, memoryOf, waitHealthy } from './proc.ts';
import { awaitWalk, pageSize, serveAccountList, startWalkingPlanbot, watchLog } from './walk.ts';

const knobs = {
  accounts: Math.floor(envNumber('BENCH_INDEX_ACCOUNTS', 5000)),
  rate: envNumber('BENCH_INDEX_RATE', 10),
  queries: Math.floor(envNumber('BENCH_INDEX_QUERIES', 20_000)),
  e2e: Math.floor(envNumber('BENCH_INDEX_E2E', 300)),
  cards: Math.floor(envNumber('BENCH_INDEX_CARDS', 40)),
  concurrency: Math.floor(envNumber('BENCH_INDEX_CONCURRENCY', 10)),
  apiDelayMs: envNumber('BENCH_API_DELAY_MS', 20),
};
const pages = Math.ceil(knobs.accounts / pageSize);
const idealWalkS = pages / knobs.rate;
/** A walk this late has failed: several times the ideal, and never under two minutes. */
const walkTimeoutMs = Math.max(120_000, idealWalkS * 6_000);
/** Slack's limit for an answer at a response_url; an answer later than this counts as missing. */
const answerTimeoutMs = 15_000;

// ---------------------------------------------------------------------------------------------
// End to end.

interface Posted {
  at: number;
  text: string;
}

/** Slack's response_urls: `/hooks/<n>`; each request waits for its own answer. */
async function startAnswers() {
  const waiters = new Map<number, (p: Posted) => void>();
  const early = new Map<number, Posted>();
  let extra = 0;
  const server = await serve((req, res, body) => {
    const at = performance.now();
    const n = Number(/^\/hooks\/(\d+)$/.exec(req.url ?? '')?.[1] ?? Number.NaN);
    let text: string;
    try {
      text = (JSON.parse(body) as { text?: string }).text ?? '';
    } catch {
      text = body.slice(0, 200);
    }
    const waiter = waiters.get(n);
    if (waiter) {
      waiters.delete(n);
      waiter({ at, text });
    } else if (!early.has(n)) early.set(n, { at, text });
    else extra++;
    json(res, 200, { ok: true });
  });
  let next = 0;
  return {
    url: (n: number) => `${server.url}/hooks/${n}`,
    newId: () => ++next,
    /** The first post to `/hooks/<n>`, or undefined after the timeout. */
    wait(n: number, timeoutMs: number): Promise<Posted | undefined> {
      const got = early.get(n);
      if (got) return Promise.resolve(got);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(n);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(n, (p) => {
          clearTimeout(timer);
          resolve(p);
        });
      });
    },
    extra: () => extra,
    close: server.close,
  };
}

type AnswerKind = 'candidates' | 'no_match' | 'card' | 'other';
const answerKind = (text: string): AnswerKind =>
  /^(More than )?\d+ accounts match/.test(text)
    ? 'candidates'
    : /^No account matches/.test(text)
      ? 'no_match'
      : text.startsWith('Billing plan for')
        ? 'card'
        : 'other';
const expectedAnswer: Record<AccountSearchResult['kind'], AnswerKind> = {
  several: 'candidates',
  none: 'no_match',
  one: 'card',
  id: 'card',
};

interface E2eResult {
  ms: number[];
  ackMs: number[];
  kinds: Record<AnswerKind, number>;
  otherTexts: Map<string, number>;
  mismatches: number;
  missing: number;
  failed: number;
  wallMs: number;
}

/** `texts` as `/plan <text>` from `concurrency` workers, each waiting for its answer; `gapMs` spaces one worker's sends. */
async function sendCommands(
  pool: Pool,
  answers: Awaited<ReturnType<typeof startAnswers>>,
  texts: { text: string; expect: AnswerKind }[],
  o: { concurrency: number; gapMs?: number },
): Promise<E2eResult> {
  const result: E2eResult = {
    ms: [],
    ackMs: [],
    kinds: { candidates: 0, no_match: 0, card: 0, other: 0 },
    otherTexts: new Map(),
    mismatches: 0,
    missing: 0,
    failed: 0,
    wallMs: 0,
  };
  let next = 0;
  const started = performance.now();
  const worker = async (w: number) => {
    for (;;) {
      const i = next++;
      if (i >= texts.length) return;
      const { text, expect } = texts[i] as { text: string; expect: AnswerKind };
      const n = answers.newId();
      // 400 people in 25 channels, as in the /plan bench.
      const body = slashCommandBody({
        text,
        responseUrl: answers.url(n),
        userId: `U${1000 + ((i * 7 + w) % 400)}`,
        channelId: `C${100 + (i % 25)}`,
      });
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path: '/slack/events',
          method: 'POST',
          headers: signedHeaders(body, signingSecret),
          body,
        });
        await res.body.dump();
        if (res.statusCode !== 200) {
          result.failed++;
          continue;
        }
        result.ackMs.push(performance.now() - t0);
      } catch {
        result.failed++;
        continue;
      }
      const posted = await answers.wait(n, answerTimeoutMs);
      if (!posted) {
        result.missing++;
        continue;
      }
      result.ms.push(posted.at - t0);
      const kind = answerKind(posted.text);
      result.kinds[kind]++;
      if (kind === 'other')
        result.otherTexts.set(posted.text.slice(0, 100), (result.otherTexts.get(posted.text.slice(0, 100)) ?? 0) + 1);
      if (kind !== expect) result.mismatches++;
      if (o.gapMs) await delay(Math.max(0, o.gapMs - (performance.now() - t0)));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  result.wallMs = performance.now() - started;
  return result;
}

/**
 * Queries for the end-to-end run, with the answer the index gives them: `indexOnly` are answered
 * from the index alone (several candidates; no match, for words that are not id-shaped, since an
 * id-shaped word that names nothing is looked up as an id), `cards` name one account.
 */
function endToEndQueries(accounts: PartnerAccount[], queries: NameQuery[]) {
  const index: AccountIndex = { builtAt: Date.now(), accounts };
  const several: { text: string; expect: AnswerKind }[] = [];
  const none: { text: string; expect: AnswerKind }[] = [];
  const cards: { text: string; expect: AnswerKind }[] = [];
  const seen = new Set<string>();
  for (const q of queries) {
    if (seen.has(q.text)) continue;
    seen.add(q.text);
    const parsed = parsePlanCommand(q.text);
    if (parsed.kind !== 'find' && parsed.kind !== 'lookup') continue;
    const found = searchAccounts(index, parsed.kind === 'find' ? parsed.words : parsed.accountId);
    const item = { text: q.text, expect: expectedAnswer[found.kind] };
    if (found.kind === 'several') several.push(item);
    else if (found.kind === 'none' && parsed.kind === 'find') none.push(item);
    else if (found.kind === 'one') cards.push(item);
  }
  const indexOnly: typeof several = [];
  for (let i = 0; indexOnly.length < knobs.e2e && (i < several.length || i < none.length); i++) {
    if (several[i]) indexOnly.push(several[i] as (typeof several)[number]);
    if (none[i] && indexOnly.length < knobs.e2e) indexOnly.push(none[i] as (typeof none)[number]);
  }
  return {
    indexOnly,
    cards: cards.slice(0, knobs.cards),
    severalAvailable: several.length,
    noneAvailable: none.length,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const mainJs = planbotMain();
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-bench-index-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const closers: (() => Promise<unknown>)[] = [];
  let bot: Child | undefined;

  try {
    // The accounts, and the same index the bot will build from them (pages parsed as it parses them).
    const raw = makePartnerAccounts(knobs.accounts, {
      ids: 'numbered',
      status: (draw) => (draw < 0.8 ? 'Open' : draw < 0.9 ? 'Trial' : 'Canceled'),
    });
    const accounts: PartnerAccount[] = [];
    for (let p = 0; p < raw.length; p += pageSize)
      accounts.push(...parseAccountsPage({ site_owner_list: raw.slice(p, p + pageSize) }).accounts);
    const queries = makeNameQueries(accounts, knobs.queries);

    log('## account index');
    log();
    log(
      `node ${process.version}; ${knobs.accounts} accounts (${new Set(accounts.map((a) => a.organizationName)).size} distinct organization names, ` +
        `${new Set(accounts.map((a) => a.siteOwnerName)).size} distinct owners), ${pageSize} a page; CC_RATE_LIMIT=${knobs.rate} ` +
        `(the fake answers 429 past it); fake latency ${knobs.apiDelayMs} ms`,
    );
    log(
      `sample names: ${raw
        .slice(0, 6)
        .map((a) => `“${String(a.organization_name)}” (${String(a.site_owner_name)})`)
        .join(', ')}`,
    );

    // In process first, while nothing else runs here (the fake answers the walk from this process).
    const inProcess = searchInProcess(accounts, queries);
    const e2eQueries = endToEndQueries(accounts, queries);

    const cc = await serveAccountList(raw, { rate: knobs.rate, apiDelayMs: knobs.apiDelayMs });
    closers.push(cc.close);
    raw.forEach((a, i) => cc.state.accounts.set(a.encoded_account_id as string, realisticPlan(i + 1)));
    const slackApi = await startFakeSlackApi();
    closers.push(slackApi.close);
    const answers = await startAnswers();
    closers.push(answers.close);

    const port = await freePort();
    const spawnedAt = Date.now();
    bot = startWalkingPlanbot('planbot-index', {
      mainJs,
      port,
      dataDir,
      cc,
      slackApiUrl: slackApi.url,
      rate: knobs.rate,
      // The end-to-end run comes from 400 simulated people; the per-person limit has its own tests.
      env: { USER_LOOKUPS_PER_MINUTE: '100000' },
    });
    const botLog = watchLog(bot);

    // 1. The walk.
    const walk = await awaitWalk({ bot, botLog, cc, spawnedAt, timeoutMs: walkTimeoutMs });
    const { rssAtStartedMb, peakRssMb: walkPeakRssMb, sampledPeakRssMb, hwmMb, rssAfterMb } = walk;
    log(
      `walk: ${walk.listRequests} list requests, ${walk.accounts} accounts indexed; started → account_index_refresh ${fmt(walk.fromStartedS, 2)} s ` +
        `(spawn → refresh ${fmt(walk.fromSpawnS, 2)} s; spawn → first list request ${fmt(walk.spawnToFirstRequestS, 2)} s; ` +
        `first → last list request ${fmt(walk.firstToLastRequestS, 2)} s, gap between pages p50 ${fmt(walk.gapP50, 0)} ms, max ${fmt(walk.gapMax, 0)} ms; ` +
        `the rate gate spaces requests ${fmt(gateIntervalMs(knobs.rate), 0)} ms apart)`,
    );
    log(
      `planbot RSS: ${fmt(rssAtStartedMb)} MB at its started line, peak ${fmt(walkPeakRssMb)} MB by the end of the walk ` +
        `(VmHWM ${fmt(hwmMb)}, highest VmRSS sampled every 50 ms ${fmt(sampledPeakRssMb)}), ${fmt(rssAfterMb)} MB just after`,
    );
    if (walk.accounts !== knobs.accounts)
      throw new Error(`the index holds ${walk.accounts} accounts, not ${knobs.accounts}`);

    // 3. End to end, over the index the bot just built.
    const origin = `http://127.0.0.1:${port}`;
    await waitHealthy(bot, `${origin}/healthz`);
    const pool = connectionPool(origin, knobs.concurrency);
    closers.push(() => pool.close());
    const firstIndexOnly = e2eQueries.indexOnly[0];
    // The bot's first name search prepares its search structure: timed alone.
    const cold = firstIndexOnly ? await sendCommands(pool, answers, [firstIndexOnly], { concurrency: 1 }) : undefined;
    const indexOnly = await sendCommands(pool, answers, e2eQueries.indexOnly.slice(1), {
      concurrency: knobs.concurrency,
    });
    const cards = await sendCommands(pool, answers, e2eQueries.cards, {
      concurrency: 1,
      gapMs: Math.ceil(gateIntervalMs(knobs.rate) * 1.5),
    });
    const finalMemory = await memoryOf(bot.pid);
    const upstream = {
      requests: cc.state.requests.length,
      planRequests: cc.planRequests().length,
      peakPerSecond: cc.peakPerSecond(),
      throttled: cc.state.throttledAnswers,
      tokenFetches: cc.state.tokenFetches,
    };
    const botExit = await bot.stop();

    // Report.
    const all = inProcess.times;
    log(
      `in-process name search: ${queries.length} queries; cold first call ${fmt(inProcess.coldMs, 1)} ms (prepares the search structure); ` +
        `a new index object, JIT warm ${fmt(inProcess.reprepareMs, 1)} ms; then p50 ${fmt(percentile(all, 50), 3)} ms, ` +
        `p99 ${fmt(percentile(all, 99), 3)} ms, max ${fmt(Math.max(...all), 2)} ms`,
    );
    for (const [kind, k] of inProcess.kinds) {
      log(
        `  ${kind.padEnd(8)} ×${String(k.times.length).padStart(5)}: p50 ${fmt(percentile(k.times, 50), 3)} ms, p99 ${fmt(percentile(k.times, 99), 3)} ms; ` +
          `one ${k.results.one}, several ${k.results.several}, none ${k.results.none}, id ${k.results.id}`,
      );
    }
    const describe = (name: string, r: E2eResult) =>
      log(
        `${name}: ${r.ms.length} answered (${r.kinds.candidates} candidate lists, ${r.kinds.no_match} no match, ${r.kinds.card} cards, ${r.kinds.other} other), ` +
          `${r.missing} missing after ${answerTimeoutMs / 1000} s, ${r.failed} not acknowledged, ${r.mismatches} not the answer the index gives in process; ` +
          `command → response_url p50 ${fmt(percentile(r.ms, 50), 1)} ms, p99 ${fmt(percentile(r.ms, 99), 1)} ms, max ${fmt(Math.max(...r.ms), 1)} ms ` +
          `(ack p50 ${fmt(percentile(r.ackMs, 50), 1)} ms); ${fmt(r.ms.length / (r.wallMs / 1000), 0)} answers/s`,
      );
    log(
      `end to end: ${e2eQueries.severalAvailable} distinct queries with several candidates and ${e2eQueries.noneAvailable} not id-shaped with no match ` +
        `to draw from; index-only names at concurrency ${knobs.concurrency}, one-match names one at a time ≥ ${Math.ceil(gateIntervalMs(knobs.rate) * 1.5)} ms apart`,
    );
    if (cold) describe('  first name search (cold)', cold);
    describe('  index-only names', indexOnly);
    describe('  one-match names (plan card)', cards);
    for (const r of [cold, indexOnly, cards])
      for (const [text, n] of r?.otherTexts ?? []) log(`  other answer ×${n}: ${text}`);
    log(
      `planbot's own timing (audit durationMs, cold search included): ` +
        [...botLog.auditMs]
          .map(
            ([outcome, ms]) =>
              `${outcome} ×${ms.length} p50 ${fmt(percentile(ms, 50), 0)} ms, p99 ${fmt(percentile(ms, 99), 0)} ms, max ${fmt(Math.max(...ms), 0)} ms`,
          )
          .join('; '),
    );
    log(
      `fake Constant Contact (whole run): ${upstream.requests} requests (${walk.listRequests} list, ${upstream.planRequests} plan), peak ${upstream.peakPerSecond} in any 1 s, ` +
        `${upstream.throttled} answered 429, token fetches ${upstream.tokenFetches}; planbot peak RSS over the run ${fmt(finalMemory.hwmMb)} MB`,
    );
    log(
      `planbot log lines: ${[...botLog.levels].map(([level, n]) => `${level} ${n}`).join(', ') || 'none'}; ` +
        `events: ${[...botLog.events]
          .filter(([e]) => e !== 'audit')
          .map(([e, n]) => `${e} ${n}`)
          .join(', ')}; exit on SIGTERM: ${botExit.code ?? botExit.signal}`,
    );
    log();
    printTable([
      ['Metric', 'Value', 'Ideal'],
      [
        'Walk: started → index built (s)',
        fmt(walk.fromStartedS, 2),
        `≈ ${fmt(idealWalkS, 0)} (${pages} pages ÷ ${knobs.rate}/s)`,
      ],
      ['Walk: spawn → index built (s)', fmt(walk.fromSpawnS, 2), ''],
      ['Accounts indexed', String(walk.accounts), String(knobs.accounts)],
      ['List requests', String(walk.listRequests), String(pages)],
      ['Token fetches (whole run)', String(upstream.tokenFetches), '1'],
      [
        'Peak requests in any 1 s (walk; whole run)',
        `${walk.peakPerSecond}; ${upstream.peakPerSecond}`,
        `≤ ${knobs.rate}`,
      ],
      ['429s from Constant Contact', String(upstream.throttled), '0'],
      ['planbot peak RSS during the walk (MB)', fmt(walkPeakRssMb), ''],
      ['Search in process: cold first call (ms)', fmt(inProcess.coldMs, 1), ''],
      [
        'Search in process: p50 / p99 / max (ms)',
        `${fmt(percentile(all, 50), 3)} / ${fmt(percentile(all, 99), 3)} / ${fmt(Math.max(...all), 2)}`,
        '',
      ],
      ['/plan <name> from the index: cold (ms)', fmt(cold?.ms[0] ?? Number.NaN, 1), ''],
      [
        '/plan <name> from the index: p50 / p99 (ms)',
        `${fmt(percentile(indexOnly.ms, 50), 1)} / ${fmt(percentile(indexOnly.ms, 99), 1)}`,
        '',
      ],
      [
        '/plan <name> → plan card: p50 / p99 (ms)',
        `${fmt(percentile(cards.ms, 50), 1)} / ${fmt(percentile(cards.ms, 99), 1)}`,
        '',
      ],
      [
        'End-to-end answers missing / wrong kind',
        `${indexOnly.missing + cards.missing + (cold?.missing ?? 0)} / ${indexOnly.mismatches + cards.mismatches + (cold?.mismatches ?? 0)}`,
        '0 / 0',
      ],
    ]);
    log();
    log(`the run took ${fmt((performance.now() - started) / 1000, 0)} s (plus the build).`);
  } finally {
    await bot?.stop(2_000).catch(() => undefined);
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

runBench('account index bench', main);
