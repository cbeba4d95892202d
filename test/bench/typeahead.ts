/**
 * The lookup modal's typeahead benchmark (`npm run bench:typeahead`; `npm run bench` runs it last):
 * `block_suggestion` requests for the account field (action `account`) over a 100,000-account
 * index, answered in the ack (`{"options":[…]}`), at 20 concurrent, over HTTP and over Socket Mode.
 * Target: p99 request → options under 100 ms (Slack gives 3 s).
 *
 * Setup: 100,000 accounts named by the account index bench's generator (organizations and owners
 * with accents, `&`, apostrophes, legal forms; Open/Trial/Trial End/Canceled), stored straight into
 * the data directory with planbot's own index store (`createAccountIndexStore(…).save`: key `index`
 * of the `accounts` namespace), so no walk of 2,000 pages is needed. The bot runs with
 * ACCOUNT_INDEX_REFRESH_MINUTES=0: it never walks (the fake Constant Contact must see no request),
 * and its first suggestion reads the stored index and prepares the search structure in the request
 * (reported apart as the cold first request). planbot logs nothing when it takes a stored index, so
 * every answer is checked against the search of that index instead.
 *
 * 1. The search alone, in a process of its own started with the bot's node flags (the `npm start`
 *    ones; BENCH_TYPEAHEAD_SEARCH_FLAGS=default for node's defaults), before any bot runs: the
 *    stored index read back (`load`: SQLite read, keyv's JSON parse, decode), `prepareSearch`, and
 *    `suggestAccounts(index, words, 100)` for the queries the bots get; it also draws the queries
 *    (from the accounts it read) and hashes the options each must be answered with.
 * 2. For each mode (BENCH_TYPEAHEAD_MODES, `http,socket`), one `node <npm start flags> dist/main.js`
 *    on the same data directory, one after the other: one request alone (cold), a warm-up, then
 *    the measured requests from BENCH_TYPEAHEAD_CONCURRENCY workers, each sending its next request
 *    as soon as the previous one is answered (a closed loop: the bot is kept busy). HTTP: signed
 *    form posts to /slack/events over keep-alive connections, timed from the send to the whole
 *    response body. Socket Mode: envelopes from the fake Socket Mode (test/helpers/fakeSocketMode.ts,
 *    reached through the fake Web API's apps.connections.open), timed from the send to the ack with
 *    its payload. Besides percentiles: the run in 10 s windows (latency and the bot's RSS), as the
 *    index store reads the whole index again once a minute on a request's path.
 *
 * Every answer is checked: HTTP 200 (or an ack), an `options` array of at most 100, each option
 * plain_text of at most 75 characters with a value of at most 150, the same options the search
 * alone gives for the words, a full account id offered first, words that match nothing answered
 * with no options. Queries are a mix of what people type: 2–4 letter beginnings of an organization
 * name, a whole word, two words, an owner's first name and the beginning of the surname, a word
 * with a typo, a full account id, and words that match nothing (nonsense, companies that are not
 * clients; kept only when the search agrees they match nothing).
 *
 * It measures; it does not judge the target: exit 0 when it ran (requests never answered are
 * errors in the report), non-zero when it could not run, when the bot did not answer from the
 * stored index (it walked, or said the list isn't built), or when an answer was wrong (after the
 * report).
 *
 * Knobs (environment): BENCH_TYPEAHEAD_ACCOUNTS (100000), BENCH_TYPEAHEAD_REQUESTS (5000 measured,
 * per mode), BENCH_TYPEAHEAD_WARMUP (1000, per mode), BENCH_TYPEAHEAD_CONCURRENCY (20),
 * BENCH_TYPEAHEAD_USERS (200 people asking), BENCH_TYPEAHEAD_MODES (`http,socket`; `none`: the
 * search alone), BENCH_TYPEAHEAD_SEARCH_FLAGS (`default`: the search alone without the bot's node
 * flags), BENCH_TYPEAHEAD_LOG_LEVEL (`info`; `debug` also collects the bot's own `suggestions`
 * lines, its listener's ms and outcome, at the cost of Bolt's debug lines), BENCH_TYPEAHEAD_DATA_DIR
 * (seed there and keep it, to start a bot on it by hand), BENCH_NODE_ARGS (extra node flags for the
 * bot, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_LOG_DIR (keep the bot's output there),
 * BENCH_PLANBOT_MAIN (another build's main.js).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import type { Pool } from 'undici';
import type { WebSocket } from 'ws';
import type { AccountIndex } from '../../src/accounts/accountIndex.ts';
import { createAccountIndexStore } from '../../src/accounts/indexStore.ts';
import { prepareSearch, suggestAccounts } from '../../src/accounts/search.ts';
import type { PartnerAccount } from '../../src/billing/account.ts';
import { accountOptions, lookupIds, modalLimits } from '../../src/blocks/lookupModal.ts';
import { parseAccountsPage } from '../../src/partner/parse.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { maxSuggestions, typedAccountId } from '../../src/usecases/suggest.ts';
import { startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { type FakeSocketMode, startFakeSocketMode } from '../helpers/fakeSocketMode.ts';
import { delay } from '../helpers/http.ts';
import { blockSuggestion, interactiveBody, signedHeaders } from '../helpers/slack.ts';
import {
  ccCredentials,
  envNumber,
  fmt,
  log,
  nodeArgs,
  planbotMain,
  printTable,
  root,
  runBench,
  signingSecret,
  startFlags,
} from './common.ts';
import { makePartnerAccounts, makeTypeaheadQueries, type Query, type QueryKind, queryKinds } from './names.ts';
import { connectionPool, percentile, primeConnections } from './load.ts';
import { type Child, cpuSecondsOf, freePort, memoryOf, startChild, waitHealthy } from './proc.ts';

const knobs = {
  accounts: Math.floor(envNumber('BENCH_TYPEAHEAD_ACCOUNTS', 100_000)),
  requests: Math.floor(envNumber('BENCH_TYPEAHEAD_REQUESTS', 5000)),
  warmup: Math.floor(envNumber('BENCH_TYPEAHEAD_WARMUP', 1000)),
  concurrency: Math.floor(envNumber('BENCH_TYPEAHEAD_CONCURRENCY', 20)),
  users: Math.floor(envNumber('BENCH_TYPEAHEAD_USERS', 200)),
  logLevel: process.env.BENCH_TYPEAHEAD_LOG_LEVEL || 'info',
};
const modeNames = ['http', 'socket'] as const;
type Mode = (typeof modeNames)[number];
const modes = (process.env.BENCH_TYPEAHEAD_MODES ?? 'http,socket')
  .split(',')
  .map((m) => m.trim())
  .filter((m): m is Mode => (modeNames as readonly string[]).includes(m));
/** The target in the spec: p99 request → options. */
const targetP99Ms = 100;
/** A request not answered in this long counts as an error (Slack gives up at 3 s). */
const requestTimeoutMs = 10_000;
const appToken = 'xapp-bench-typeahead';

// ---------------------------------------------------------------------------------------------
// Seeding, and the search alone in a process of its own.

/** The index stored in the data directory as a walk would have left it, with planbot's own store classes. */
async function seed(dataDir: string, index: AccountIndex): Promise<void> {
  const store = createEmbeddedStore(dataDir);
  try {
    const indexStore = createAccountIndexStore({
      store,
      build: () => Promise.reject(new Error('the bench seeds the index; it never walks')),
    });
    await indexStore.save(index);
  } finally {
    await store.close();
  }
}

/** What a bot must answer: the options' JSON, hashed (the full text would weigh on the generator's heap). */
const digest = (options: unknown) => createHash('sha1').update(JSON.stringify(options)).digest('base64');

interface Expected {
  hash: string;
  count: number;
}

/** What the search process hands back (as JSON). */
interface SearchRun {
  flags: string[];
  /** `load({reread: true})` on the seeded store: SQLite read, JSON parse, decode; the first, then 3 more. */
  readMs: number;
  rereadMs: number[];
  readAccounts: number;
  prepareMs: number;
  /** The first suggestAccounts on the prepared index (the first query), before anything else ran on it. */
  firstSearchMs: number;
  heapMb: number;
  rssMb: number;
  cold: Query;
  warmup: Query[];
  measured: Query[];
  /** suggestAccounts(index, words, 100) of each measured query, ms. */
  times: number[];
  expected: Array<[string, Expected]>;
  /** Queries whose source account was among the options, by kind. */
  sourceOffered: Array<[QueryKind, { offered: number; of: number }]>;
  /** Candidate words for `nomatch` dropped because the search found something for them (typo tolerance). */
  nomatchDropped: number;
}

/**
 * The search process (BENCH_TYPEAHEAD_ROLE=search, started by main with the bot's node flags): reads
 * the seeded index back as the bot does, prepares its search, draws the queries from its accounts
 * (words meant to match nothing are kept only if they do), then times suggestAccounts over them,
 * and writes what the bots must answer to BENCH_TYPEAHEAD_SEARCH_OUT.
 */
async function searchRole(): Promise<void> {
  const dataDir = process.env.BENCH_TYPEAHEAD_SEARCH_DATA as string;
  const out = process.env.BENCH_TYPEAHEAD_SEARCH_OUT as string;
  const store = createEmbeddedStore(dataDir);
  let index: AccountIndex | undefined;
  let readMs: number;
  const rereadMs: number[] = [];
  try {
    const indexStore = createAccountIndexStore({ store, build: () => Promise.reject(new Error('no walk here')) });
    let t0 = performance.now();
    index = await indexStore.load({ reread: true });
    readMs = performance.now() - t0;
    for (let k = 0; k < 3; k++) {
      t0 = performance.now();
      await indexStore.load({ reread: true });
      rereadMs.push(performance.now() - t0);
    }
  } finally {
    await store.close();
  }
  if (!index) throw new Error('the seeded index could not be read back');
  const ready = index;

  let t0 = performance.now();
  prepareSearch(ready);
  const prepareMs = performance.now() - t0;
  let nomatchDropped = 0;
  const queries = makeTypeaheadQueries(ready.accounts, 1 + knobs.warmup + knobs.requests, (words) => {
    const matches = suggestAccounts(ready, words, 1).length > 0;
    if (matches) nomatchDropped++;
    return !matches;
  });
  const cold = queries[0] as Query;
  const warmup = queries.slice(1, 1 + knobs.warmup);
  const measured = queries.slice(1 + knobs.warmup);
  // The first real search, on a structure nothing has searched yet (the `nomatch` filter above ran
  // a few; the bot's cold request is the same query on a structure fresh from prepare).
  t0 = performance.now();
  suggestAccounts(ready, cold.text, maxSuggestions);
  const firstSearchMs = performance.now() - t0;

  const expected = new Map<string, Expected>();
  const sourceOffered = new Map<QueryKind, { offered: number; of: number }>();
  const facts = { builtAt: ready.builtAt, accounts: ready.accounts.length, now: Date.now() };
  const remember = (q: Query, accounts: PartnerAccount[]) => {
    if (expected.has(q.text)) return;
    const typedId = typedAccountId(q.text);
    const options = accountOptions({ kind: 'suggestions', accounts, index: facts, ...(typedId ? { typedId } : {}) });
    expected.set(q.text, { hash: digest(options), count: options.length });
  };
  for (const q of [cold, ...warmup]) remember(q, suggestAccounts(ready, q.text, maxSuggestions));
  const times: number[] = [];
  for (const q of measured) {
    t0 = performance.now();
    const accounts = suggestAccounts(ready, q.text, maxSuggestions);
    times.push(performance.now() - t0);
    remember(q, accounts);
    if (q.source) {
      const s = sourceOffered.get(q.kind) ?? { offered: 0, of: 0 };
      s.of++;
      if (accounts.some((a) => a.id === q.source)) s.offered++;
      sourceOffered.set(q.kind, s);
    }
  }
  const memory = process.memoryUsage();
  const run: SearchRun = {
    flags: process.execArgv,
    readMs,
    rereadMs,
    readAccounts: ready.accounts.length,
    prepareMs,
    firstSearchMs,
    heapMb: memory.heapUsed / 1e6,
    rssMb: memory.rss / 1e6,
    cold,
    warmup,
    measured,
    times,
    expected: [...expected],
    sourceOffered: [...sourceOffered],
    nomatchDropped,
  };
  writeFileSync(out, JSON.stringify(run));
}

/** Runs the search process with `flags` and reads back what it found. */
async function searchInChild(dataDir: string, flags: string[]): Promise<SearchRun> {
  const out = join(tmpdir(), `planbot-bench-typeahead-search-${process.pid}.json`);
  process.on('exit', () => rmSync(out, { force: true }));
  const child = startChild(
    'typeahead-search',
    [...flags, fileURLToPath(import.meta.url)],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      BENCH_TYPEAHEAD_ROLE: 'search',
      BENCH_TYPEAHEAD_SEARCH_DATA: dataDir,
      BENCH_TYPEAHEAD_SEARCH_OUT: out,
      BENCH_TYPEAHEAD_REQUESTS: String(knobs.requests),
      BENCH_TYPEAHEAD_WARMUP: String(knobs.warmup),
    },
    root,
  );
  const exit = await child.exited;
  if (exit.code !== 0)
    throw new Error(`the search process exited (code ${exit.code}, signal ${exit.signal}):\n${child.tail()}`);
  return JSON.parse(readFileSync(out, 'utf8')) as SearchRun;
}

// ---------------------------------------------------------------------------------------------
// The bots.

interface Answer {
  ms: number;
  /** The options as received (undefined: no answer, or not JSON with an options array). */
  options?: unknown;
  error?: string;
}

/** One request of a mode: the words typed, by the person `i` maps to; resolves when answered. */
type Send = (q: Query, i: number) => Promise<Answer>;

interface Checked {
  errors: Map<string, number>;
  firstErrors: string[];
  notReady: number;
  /** Answers that came but were wrong (shape, limits, not the search's options): a bug, not slowness. */
  wrong: number;
}

const newChecked = (): Checked => ({ errors: new Map(), firstErrors: [], notReady: 0, wrong: 0 });
const userFor = (i: number) => `U${String(1000 + (i % knobs.users))}`;

/** Whether an answer came, well formed and the one the search alone gives; problems counted in `c`. */
function check(q: Query, a: Answer, expected: Map<string, Expected>, c: Checked): boolean {
  const fail = (why: string, detail = '') => {
    c.errors.set(why, (c.errors.get(why) ?? 0) + 1);
    if (c.firstErrors.length < 5) c.firstErrors.push(`${why} for ${q.kind} “${q.text}”${detail ? `: ${detail}` : ''}`);
    return false;
  };
  // No answer (no ack, an HTTP error): slow or failing, counted apart from wrong answers.
  if (a.error) return fail(a.error);
  const wrong = (why: string, detail = '') => {
    c.wrong++;
    return fail(why, detail);
  };
  if (!Array.isArray(a.options)) return wrong('no options array');
  const options = a.options as Array<{ text?: { type?: unknown; text?: unknown }; value?: unknown }>;
  if (options.length > modalLimits.options) return wrong('more than 100 options');
  for (const o of options) {
    if (o.text?.type !== 'plain_text' || typeof o.text.text !== 'string') return wrong('option text not plain_text');
    if (o.text.text.length > modalLimits.optionText) return wrong('option text over 75', o.text.text);
    if (typeof o.value !== 'string' || o.value === '' || o.value.length > modalLimits.optionValue)
      return wrong('option value empty or over 150');
  }
  if (options.length === 1 && /isn.t built|being built/.test(String(options[0]?.text?.text))) {
    c.notReady++;
    return wrong('index not ready', String(options[0]?.text?.text));
  }
  if (q.kind === 'id' && options[0]?.value !== q.text) return wrong('full id not offered first');
  if (q.kind === 'nomatch' && options.length > 0) return wrong('options for words that match nothing');
  const want = expected.get(q.text);
  if (!want) return wrong('no in-process answer to compare with');
  if (digest(options) !== want.hash)
    return wrong('not the in-process options', `${options.length} options, expected ${want.count}`);
  return true;
}

interface Load {
  ms: number[];
  /** When each answered request was sent, ms after `origin`, in the order of `ms`. */
  sentAt: number[];
  kinds: QueryKind[];
  optionCounts: number[];
  checked: Checked;
  wallMs: number;
  botCpuSeconds: number;
  generatorLoopP99Ms: number;
  generatorCpuSeconds: number;
}

/** `queries` from `concurrency` workers, each sending the next as soon as the last is answered. */
async function runLoad(
  send: Send,
  queries: Query[],
  o: { expected: Map<string, Expected>; pid: number; offset: number; origin: number },
): Promise<Load> {
  const result: Load = {
    ms: [],
    sentAt: [],
    kinds: [],
    optionCounts: [],
    checked: newChecked(),
    wallMs: 0,
    botCpuSeconds: 0,
    generatorLoopP99Ms: 0,
    generatorCpuSeconds: 0,
  };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const cpuBefore = process.cpuUsage();
  const botCpuBefore = await cpuSecondsOf(o.pid);
  loop.enable();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= queries.length) return;
      const q = queries[i] as Query;
      const sentAt = performance.now() - o.origin;
      const a = await send(q, o.offset + i);
      if (!check(q, a, o.expected, result.checked)) continue;
      result.ms.push(a.ms);
      result.sentAt.push(sentAt);
      result.kinds.push(q.kind);
      result.optionCounts.push((a.options as unknown[]).length);
    }
  };
  await Promise.all(Array.from({ length: knobs.concurrency }, worker));
  result.wallMs = performance.now() - started;
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  result.botCpuSeconds = (await cpuSecondsOf(o.pid)) - botCpuBefore;
  result.generatorLoopP99Ms = loop.percentile(99) / 1e6;
  result.generatorCpuSeconds = (cpu.user + cpu.system) / 1e6;
  return result;
}

/** HTTP: signed form posts of the block_suggestion payload to /slack/events, timed to the whole body. */
function httpSender(pool: Pool): Send {
  return async (q, i) => {
    const body = interactiveBody(blockSuggestion(lookupIds.account, q.text, { userId: userFor(i) }));
    const headers = signedHeaders(body, signingSecret);
    const t0 = performance.now();
    try {
      const res = await pool.request({ path: '/slack/events', method: 'POST', headers, body });
      const text = await res.body.text();
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) return { ms, error: `HTTP ${res.statusCode}` };
      try {
        return { ms, options: (JSON.parse(text) as { options?: unknown }).options };
      } catch {
        return { ms, error: 'body not JSON' };
      }
    } catch (error) {
      return { ms: performance.now() - t0, error: (error as { code?: string }).code ?? String(error) };
    }
  };
}

/**
 * Socket Mode: envelopes from the fake, each timed from its (first) send to its ack by a listener
 * of this bench's own on every connection the bot opens (the fake's own ack times are whole ms).
 */
function socketSender(socket: FakeSocketMode) {
  const waiters = new Map<string, (a: { at: number; payload: unknown }) => void>();
  const listening = new WeakSet<WebSocket>();
  const listen = () => {
    for (const c of socket.connections) {
      if (listening.has(c.ws)) continue;
      listening.add(c.ws);
      c.ws.on('message', (data) => {
        const at = performance.now();
        let message: { envelope_id?: unknown; payload?: unknown };
        try {
          message = JSON.parse(String(data)) as typeof message;
        } catch {
          return;
        }
        const id = typeof message.envelope_id === 'string' ? message.envelope_id : undefined;
        const waiter = id ? waiters.get(id) : undefined;
        if (!id || !waiter) return;
        waiters.delete(id);
        // The fake keeps every delivery; this bench needs none of them once answered.
        socket.deliveries.delete(id);
        waiter({ at, payload: message.payload });
      });
    }
  };
  // A connection opened while every worker waits (a reconnection) must be listened to as well:
  // the fake sends what was not acknowledged again on it.
  const timer = setInterval(listen, 20);
  timer.unref();
  const send: Send = (q, i) => {
    listen();
    const payload = blockSuggestion(lookupIds.account, q.text, { userId: userFor(i) });
    const t0 = performance.now();
    const id = socket.sendInteractive(payload);
    return new Promise<Answer>((resolve) => {
      const timeout = setTimeout(() => {
        waiters.delete(id);
        resolve({ ms: performance.now() - t0, error: 'no ack' });
      }, requestTimeoutMs);
      waiters.set(id, ({ at, payload: acked }) => {
        clearTimeout(timeout);
        const options = acked && typeof acked === 'object' ? (acked as { options?: unknown }).options : undefined;
        resolve({ ms: at - t0, options });
      });
    });
  };
  return { send, stop: () => clearInterval(timer) };
}

interface BotLog {
  events: Map<string, number>;
  levels: Map<string, number>;
  mode?: string;
  /** The listener's own `suggestions` lines (LOG_LEVEL=debug): ms (whole, Date.now) and outcome. */
  suggestionMs: number[];
  outcomes: Map<string, number>;
  problems: string[];
}

function watchLog(child: Child): BotLog {
  const seen: BotLog = { events: new Map(), levels: new Map(), suggestionMs: [], outcomes: new Map(), problems: [] };
  let partial = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let entry: { event?: string; level?: string; mode?: string; outcome?: string; ms?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (entry.level) seen.levels.set(entry.level, (seen.levels.get(entry.level) ?? 0) + 1);
      if ((entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal') && seen.problems.length < 5)
        seen.problems.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
      if (!entry.event) continue;
      seen.events.set(entry.event, (seen.events.get(entry.event) ?? 0) + 1);
      if (entry.event === 'started') seen.mode = entry.mode;
      if (entry.event === 'suggestions') {
        if (typeof entry.ms === 'number') seen.suggestionMs.push(entry.ms);
        const outcome = entry.outcome ?? '?';
        seen.outcomes.set(outcome, (seen.outcomes.get(outcome) ?? 0) + 1);
      }
    }
  });
  return seen;
}

/** The bot's RSS every 250 ms, with when (ms after `origin`). */
function rssTimeline(pid: number, origin: () => number) {
  const samples: Array<{ at: number; mb: number }> = [];
  const timer = setInterval(() => {
    memoryOf(pid)
      .then((m) => samples.push({ at: performance.now() - origin(), mb: m.rssMb }))
      .catch(() => {});
  }, 250);
  timer.unref();
  return { samples, stop: () => clearInterval(timer) };
}

interface ModeResult {
  mode: Mode;
  spawnToReadyMs: number;
  rssReadyMb: number;
  cold: Answer;
  rssAfterColdMb: number;
  warmup: Load;
  load: Load;
  hwmMb: number;
  rssEndMb: number;
  rss: Array<{ at: number; mb: number }>;
  botLog: BotLog;
  ccRequests: number;
  connections: number;
  exit: string;
}

async function runMode(
  mode: Mode,
  o: { mainJs: string; dataDir: string; search: SearchRun; expected: Map<string, Expected> },
): Promise<ModeResult> {
  const closers: (() => Promise<unknown>)[] = [];
  let bot: Child | undefined;
  try {
    // Partner credentials make the index feature exist; with ACCOUNT_INDEX_REFRESH_MINUTES=0 it never walks.
    const cc = await startFakeConstantContact(ccCredentials);
    closers.push(cc.close);
    const slackApi = await startFakeSlackApi();
    closers.push(slackApi.close);
    const socket = mode === 'socket' ? await startFakeSocketMode(slackApi, { appToken }) : undefined;
    if (socket) closers.push(socket.close);
    const port = await freePort();
    const spawnedAt = performance.now();
    bot = startChild(
      `planbot-typeahead-${mode}`,
      [...startFlags, ...nodeArgs, o.mainJs],
      {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SLACK_BOT_TOKEN: 'xoxb-bench',
        ...(mode === 'socket'
          ? { SLACK_APP_TOKEN: appToken, SLACK_SIGNING_SECRET: '' }
          : { SLACK_SIGNING_SECRET: signingSecret }),
        PORT: String(port),
        HOST: '127.0.0.1',
        SLACK_API_URL: slackApi.url,
        CC_CLIENT_ID: ccCredentials.clientId,
        CC_CLIENT_SECRET: ccCredentials.clientSecret,
        CC_TOKEN_URL: cc.tokenUrl,
        CC_API_URL: cc.apiUrl,
        ACCOUNT_INDEX_REFRESH_MINUTES: '0',
        // 200 people typing; the per-person limit has its own tests (and suggestions do not spend it).
        USER_LOOKUPS_PER_MINUTE: '100000',
        DATA_DIR: o.dataDir,
        LOG_LEVEL: knobs.logLevel,
      },
      root,
    );
    const botLog = watchLog(bot);
    // Times in the timeline count from the cold request.
    let origin = Number.NaN;
    const rss = rssTimeline(bot.pid, () => origin);
    const httpOrigin = `http://127.0.0.1:${port}`;
    await waitHealthy(bot, `${httpOrigin}/healthz`, 30_000);
    let send: Send;
    if (socket) {
      await socket.waitForConnection(1, 30_000);
      const sender = socketSender(socket);
      closers.push(async () => sender.stop());
      send = sender.send;
    } else {
      const pool = connectionPool(httpOrigin, knobs.concurrency, requestTimeoutMs);
      closers.push(() => pool.close());
      await primeConnections(pool, knobs.concurrency);
      send = httpSender(pool);
    }
    const spawnToReadyMs = performance.now() - spawnedAt;
    const rssReadyMb = (await memoryOf(bot.pid)).rssMb;

    // The first suggestion reads the stored index and prepares its search, in the request.
    origin = performance.now();
    const cold = await send(o.search.cold, 0);
    const coldChecked = newChecked();
    if (!check(o.search.cold, cold, o.expected, coldChecked))
      throw new Error(
        `${mode}: the first suggestion was not answered from the stored index (${coldChecked.firstErrors.join('; ')}):\n${bot.tail()}`,
      );
    const rssAfterColdMb = (await memoryOf(bot.pid)).rssMb;

    const warmup = await runLoad(send, o.search.warmup, { expected: o.expected, pid: bot.pid, offset: 1, origin });
    const load = await runLoad(send, o.search.measured, {
      expected: o.expected,
      pid: bot.pid,
      offset: 1 + o.search.warmup.length,
      origin,
    });
    rss.stop();
    const end = await memoryOf(bot.pid);
    const stopped = await bot.stop();
    // Let the last log lines arrive.
    await delay(50);
    return {
      mode,
      spawnToReadyMs,
      rssReadyMb,
      cold,
      rssAfterColdMb,
      warmup,
      load,
      hwmMb: end.hwmMb,
      rssEndMb: end.rssMb,
      rss: rss.samples,
      botLog,
      ccRequests: cc.state.requests.length,
      connections: socket?.connectionCount ?? 0,
      exit: String(stopped.code ?? stopped.signal),
    };
  } finally {
    await bot?.stop(2_000).catch(() => undefined);
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------

const pct = (values: ArrayLike<number>, q: number, digits = 1) => fmt(percentile(values, q), digits);
const errorCount = (c: Checked) => [...c.errors.values()].reduce((a, b) => a + b, 0);
const describeErrors = (c: Checked) => [...c.errors].map(([why, n]) => `${n}× ${why}`).join(', ') || 'none';
const byKind = (values: number[], kinds: QueryKind[]) => {
  const out = new Map<QueryKind, number[]>(queryKinds.map((k) => [k, []]));
  values.forEach((v, i) => out.get(kinds[i] as QueryKind)?.push(v));
  return out;
};
const modeName = (mode: Mode) => (mode === 'http' ? 'HTTP' : 'Socket Mode');

/** The run in windows of `windowS` seconds (from the cold request): latency p50/max and the bot's highest RSS. */
function timeline(r: ModeResult, windowS: number): string {
  const windows = new Map<number, { ms: number[]; rss: number }>();
  const at = (t: number) => {
    const w = Math.floor(t / 1000 / windowS);
    let entry = windows.get(w);
    if (!entry) windows.set(w, (entry = { ms: [], rss: 0 }));
    return entry;
  };
  for (const l of [r.warmup, r.load]) l.ms.forEach((ms, i) => at(l.sentAt[i] as number).ms.push(ms));
  for (const s of r.rss) if (Number.isFinite(s.at)) at(s.at).rss = Math.max(at(s.at).rss, s.mb);
  return [...windows]
    .sort(([a], [b]) => a - b)
    .map(
      ([w, e]) =>
        `${w * windowS}–${(w + 1) * windowS} s: ${e.ms.length} answered, p50 ${pct(e.ms, 50, 0)}, max ${fmt(Math.max(...e.ms), 0)} ms, RSS ≤ ${fmt(e.rss, 0)} MB`,
    )
    .join('\n  ');
}

async function main(): Promise<void> {
  const started = performance.now();
  const mainJs = planbotMain();
  if (modes.length === 0 && process.env.BENCH_TYPEAHEAD_MODES !== 'none')
    throw new Error('BENCH_TYPEAHEAD_MODES names no mode (http, socket; or none: the search alone)');
  // BENCH_TYPEAHEAD_DATA_DIR: seed there and keep it (to start a bot on it by hand, e.g. to profile).
  const keptDir = process.env.BENCH_TYPEAHEAD_DATA_DIR;
  const dataDir = keptDir || mkdtempSync(join(tmpdir(), 'planbot-bench-typeahead-'));
  if (!keptDir) process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

  log('## typeahead (block_suggestion)');
  log();
  // The accounts, parsed as the bot parses the pages of a walk, stored as a walk would store them.
  {
    let t0 = performance.now();
    const raw = makePartnerAccounts(knobs.accounts);
    const accounts: PartnerAccount[] = [];
    for (let i = 0; i < raw.length; i += 50)
      accounts.push(...parseAccountsPage({ site_owner_list: raw.slice(i, i + 50) }).accounts);
    const generateMs = performance.now() - t0;
    t0 = performance.now();
    await seed(dataDir, { builtAt: Date.now(), accounts });
    const seedMs = performance.now() - t0;
    const db = new DatabaseSync(join(dataDir, 'planbot.sqlite'), { readOnly: true });
    const stored = db.prepare("SELECT key, length(value) AS bytes FROM kv WHERE key LIKE 'accounts:%'").all() as Array<{
      key: string;
      bytes: number;
    }>;
    db.close();
    const statuses = new Map<string, number>();
    for (const a of accounts) statuses.set(String(a.billingStatus), (statuses.get(String(a.billingStatus)) ?? 0) + 1);
    log(
      `node ${process.version}, ${availableParallelism()} CPUs (load average ${loadavg()
        .map((l) => fmt(l, 2))
        .join(
          ' ',
        )}); ${accounts.length} accounts (${new Set(accounts.map((a) => a.organizationName)).size} distinct organization names, ` +
        `${new Set(accounts.map((a) => a.siteOwnerName)).size} distinct owners; ${[...statuses].map(([k, n]) => `${k} ${n}`).join(', ')}); ` +
        `generated in ${fmt(generateMs / 1000, 1)} s, stored with createAccountIndexStore(…).save in ${fmt(seedMs / 1000, 1)} s ` +
        `as ${stored.map((s) => `${s.key} (${fmt(s.bytes / 1e6, 1)} MB)`).join(', ')}`,
    );
    log(
      `sample names: ${raw
        .slice(0, 6)
        .map((a) => `“${String(a.organization_name)}” (${String(a.site_owner_name)}, ${String(a.billing_status)})`)
        .join(', ')}`,
    );
  }

  // 1. The search alone, in a process of its own with the bot's node flags, while nothing else runs.
  const searchFlags = process.env.BENCH_TYPEAHEAD_SEARCH_FLAGS === 'default' ? [] : startFlags;
  const search = await searchInChild(dataDir, searchFlags);
  const expected = new Map(search.expected);
  const measured = search.measured;
  const mix = new Map<QueryKind, number>();
  for (const q of measured) mix.set(q.kind, (mix.get(q.kind) ?? 0) + 1);
  log(
    `queries: ${measured.length} measured per mode (+ ${search.warmup.length} warm-up, + 1 cold “${search.cold.text}”), ` +
      `${expected.size} distinct; mix ${[...mix].map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
      `e.g. ${queryKinds.map((k) => `${k} “${measured.find((q) => q.kind === k)?.text ?? ''}”`).join(', ')} ` +
      `(${search.nomatchDropped} words meant to match nothing dropped: the search found something for them)`,
  );
  log(
    `load: ${knobs.concurrency} concurrent (each worker sends its next request when the last is answered), ${knobs.users} people; ` +
      `bot: node ${[...startFlags, ...nodeArgs].join(' ')} dist/main.js, ACCOUNT_INDEX_REFRESH_MINUTES=0, LOG_LEVEL=${knobs.logLevel}`,
  );
  log();
  log(`### The search alone (node ${search.flags.join(' ') || '(default flags)'})`);
  log(
    `stored index read back (indexStore.load: SQLite read, keyv's JSON parse, decode) ${fmt(search.readMs, 0)} ms, then ` +
      `${search.rereadMs.map((ms) => fmt(ms, 0)).join(', ')} ms again (the re-read a request pays once a minute); ${search.readAccounts} accounts; ` +
      `prepareSearch ${fmt(search.prepareMs, 0)} ms; first suggestAccounts (“${search.cold.text}”) ${fmt(search.firstSearchMs, 1)} ms; ` +
      `heap ${fmt(search.heapMb, 0)} MB, RSS ${fmt(search.rssMb, 0)} MB`,
  );
  log(
    `suggestAccounts(index, words, 100), ${search.times.length} queries after ${search.warmup.length + 1} warm-up: ` +
      `p50 ${pct(search.times, 50, 2)} ms, p90 ${pct(search.times, 90, 2)} ms, p99 ${pct(search.times, 99, 2)} ms, ` +
      `max ${fmt(Math.max(...search.times), 1)} ms, mean ${fmt(search.times.reduce((a, b) => a + b, 0) / search.times.length, 2)} ms`,
  );
  const sourceOffered = new Map(search.sourceOffered);
  for (const [kind, times] of byKind(
    search.times,
    measured.map((q) => q.kind),
  )) {
    const s = sourceOffered.get(kind);
    log(
      `  ${kind.padEnd(9)} ×${String(times.length).padStart(5)}: p50 ${pct(times, 50, 2)} ms, p99 ${pct(times, 99, 2)} ms, max ${fmt(Math.max(...times), 1)} ms` +
        (s ? `; the account the words came from among the options ${s.offered}/${s.of}` : ''),
    );
  }
  const prefixByLength = new Map<number, number[]>();
  measured.forEach((q, i) => {
    if (q.kind !== 'prefix') return;
    const list = prefixByLength.get(q.text.length) ?? [];
    list.push(search.times[i] as number);
    prefixByLength.set(q.text.length, list);
  });
  log(
    `  prefix by letters typed: ${[...prefixByLength]
      .sort(([a], [b]) => a - b)
      .map(
        ([n, times]) =>
          `${n}: ×${times.length} p50 ${pct(times, 50, 2)} ms, p99 ${pct(times, 99, 2)} ms, mean ${fmt(times.reduce((a, b) => a + b, 0) / times.length, 2)} ms`,
      )
      .join('; ')}`,
  );

  // 2. Each mode, one bot after the other on the same data directory.
  const results: ModeResult[] = [];
  for (const mode of modes) {
    const r = await runMode(mode, { mainJs, dataDir, search, expected });
    results.push(r);
    const l = r.load;
    const seconds = l.wallMs / 1000;
    log();
    log(`### ${modeName(mode)}`);
    log(
      `bot: spawn → ready ${fmt(r.spawnToReadyMs, 0)} ms (RSS ${fmt(r.rssReadyMb, 0)} MB); cold first request “${search.cold.text}” ${fmt(r.cold.ms, 0)} ms ` +
        `(reads the stored index and prepares the search in the request; RSS after it ${fmt(r.rssAfterColdMb, 0)} MB)`,
    );
    log(
      `warm-up: ${r.warmup.ms.length}/${search.warmup.length} answered and checked, p50 ${pct(r.warmup.ms, 50)} ms, p99 ${pct(r.warmup.ms, 99)} ms; ` +
        `errors ${describeErrors(r.warmup.checked)}`,
    );
    log(
      `measured: ${l.ms.length}/${measured.length} answered and checked in ${fmt(seconds, 1)} s (${fmt(l.ms.length / seconds, 0)} requests/s); ` +
        `request → options p50 ${pct(l.ms, 50)} ms, p90 ${pct(l.ms, 90)} ms, p99 ${pct(l.ms, 99)} ms, max ${fmt(Math.max(...l.ms), 1)} ms; ` +
        `errors ${describeErrors(l.checked)}`,
    );
    for (const e of [...r.warmup.checked.firstErrors, ...l.checked.firstErrors].slice(0, 5)) log(`  error: ${e}`);
    for (const [kind, times] of byKind(l.ms, l.kinds))
      log(
        `  ${kind.padEnd(9)} ×${String(times.length).padStart(5)}: p50 ${pct(times, 50)} ms, p99 ${pct(times, 99)} ms, max ${fmt(Math.max(...times), 1)} ms`,
      );
    log(
      `options per answer: p50 ${pct(l.optionCounts, 50, 0)}, max ${fmt(Math.max(...l.optionCounts), 0)}; ` +
        `bot CPU ${fmt(l.botCpuSeconds / seconds, 2)} cores over the measured run, ${fmt((l.botCpuSeconds * 1000) / l.ms.length, 1)} ms CPU a request ` +
        `(Little's law: ${knobs.concurrency} in flight ÷ ${fmt(l.ms.length / seconds, 0)}/s = ${fmt((knobs.concurrency * 1000) / (l.ms.length / seconds), 0)} ms mean); ` +
        `load generator ${fmt(l.generatorCpuSeconds / seconds, 2)} cores, its event-loop delay p99 ${fmt(l.generatorLoopP99Ms, 1)} ms`,
    );
    log(`bot memory: peak RSS (VmHWM) ${fmt(r.hwmMb, 0)} MB, ${fmt(r.rssEndMb, 0)} MB at the end`);
    log(`over time (from the cold request):\n  ${timeline(r, 10)}`);
    if (r.botLog.outcomes.size > 0)
      log(
        `bot's own suggestions lines: ${[...r.botLog.outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}; listener ms p50 ${pct(r.botLog.suggestionMs, 50, 0)}, ` +
          `p99 ${pct(r.botLog.suggestionMs, 99, 0)}, max ${fmt(Math.max(...r.botLog.suggestionMs), 0)} (cold included; whole ms)`,
      );
    log(
      `bot log: mode ${r.botLog.mode ?? '?'}; ${[...r.botLog.levels].map(([k, n]) => `${k} ${n}`).join(', ') || 'no lines'}; ` +
        `events ${[...r.botLog.events].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; ` +
        `Constant Contact requests ${r.ccRequests} (0: no walk)${mode === 'socket' ? `; Socket Mode connections ${r.connections}` : ''}; exit on SIGTERM ${r.exit}`,
    );
    for (const line of r.botLog.problems) log(`  bot said: ${line}`);
  }

  log();
  const meanSearch = search.times.reduce((a, b) => a + b, 0) / search.times.length;
  printTable([
    [
      '',
      'Cold first (ms)',
      'p50 (ms)',
      'p90 (ms)',
      'p99 (ms)',
      'max (ms)',
      'req/s',
      'Errors',
      'Peak RSS (MB)',
      'p99 < 100 ms',
    ],
    ...results.map((r) => [
      modeName(r.mode),
      fmt(r.cold.ms, 0),
      pct(r.load.ms, 50),
      pct(r.load.ms, 90),
      pct(r.load.ms, 99),
      fmt(Math.max(...r.load.ms), 1),
      fmt(r.load.ms.length / (r.load.wallMs / 1000), 0),
      `${errorCount(r.load.checked)}/${measured.length}${r.load.checked.wrong > 0 ? ` (${r.load.checked.wrong} wrong)` : ''}`,
      fmt(r.hwmMb, 0),
      percentile(r.load.ms, 99) < targetP99Ms ? 'yes' : 'NO',
    ]),
    [
      'suggestAccounts alone',
      `${fmt(search.readMs + search.prepareMs + search.firstSearchMs, 0)} (read + prepare + 1st)`,
      pct(search.times, 50, 2),
      pct(search.times, 90, 2),
      pct(search.times, 99, 2),
      fmt(Math.max(...search.times), 1),
      `${fmt(1000 / meanSearch, 0)} (1 core)`,
      '',
      fmt(search.rssMb, 0),
      '',
    ],
  ]);
  log();
  log(
    `the run took ${fmt((performance.now() - started) / 1000, 0)} s (plus the build); load average at the end ` +
      `${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')} (the bench itself keeps about 1.2 cores busy: more means something else ran too).`,
  );

  // Requests not answered (no ack, an HTTP error) are measurements, reported above; wrong answers
  // mean a bug, or a bench that did not measure what it says.
  if (results.some((r) => r.load.checked.notReady + r.warmup.checked.notReady > 0 || r.ccRequests > 0))
    throw new Error('the bot did not answer from the stored index (see above)');
  const wrong = results.filter((r) => r.load.checked.wrong + r.warmup.checked.wrong > 0);
  if (wrong.length > 0)
    throw new Error(`wrong answers in ${wrong.map((r) => modeName(r.mode)).join(', ')} (see above)`);
}

if (process.env.BENCH_TYPEAHEAD_ROLE === 'search') runBench('typeahead search process', searchRole, 900_000);
// Seeding and preparing 100,000 accounts, then two bots: more than the default 5 minutes.
else runBench('typeahead bench', main, 1_200_000);
