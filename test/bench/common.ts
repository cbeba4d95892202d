/**
 * What the /plan benchmarks share (`run.ts`: one planbot against a bare Bolt app; `replicas.ts`:
 * two planbot replicas on one Redis): the knobs, the loopback fakes, starting planbot the way
 * `npm start` does, one measured round of signed `/plan` commands, and the arithmetic on answers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool } from 'undici';
import { startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { delay } from '../helpers/http.ts';
import { type Answer, accountId, realisticPlan, startAnswerReceiver, startFakeSlackApi } from './fakes.ts';
import { type LoadResult, percentile, prepareCommands, primeConnections, runLoad } from './load.ts';
import { type Child, cpuSecondsOf, killAllChildrenNow, startChild } from './proc.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const log = (line = '') => process.stdout.write(`${line}\n`);
export const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const median = (values: number[]) => percentile(values, 50);

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number above 0 (got ${raw})`);
  return value;
}

/** The /plan load, the same for every scenario (see run.ts for what each knob means). */
export const settings = {
  requests: Math.floor(envNumber('BENCH_REQUESTS', 5000)),
  rounds: Math.floor(envNumber('BENCH_ROUNDS', 5)),
  warmup: Math.floor(envNumber('BENCH_WARMUP', 5000)),
  concurrency: Math.floor(envNumber('BENCH_CONCURRENCY', 50)),
  ccRateLimit: envNumber('BENCH_CC_RATE_LIMIT', 50),
  apiDelayMs: envNumber('BENCH_API_DELAY_MS', 20),
  /** A round stops sending, and stops waiting for answers, this long after its first send. */
  roundCapMs: 60_000,
};

/** Extra node flags for every target (BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
export const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
/** planbot runs with the V8 flags its start script and Dockerfile use (read from package.json). */
export const startFlags = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

export const signingSecret = 'bench-signing-secret';
export const ccCredentials = { clientId: 'bench-client', clientSecret: 'bench-secret' };

/** The planbot build under test: dist/main.js, or BENCH_PLANBOT_MAIN (another build, for A/B runs). */
export function planbotMain(): string {
  const mainJs = process.env.BENCH_PLANBOT_MAIN ?? join(root, 'dist', 'main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npm run build\` first (npm run bench does)`);
  return mainJs;
}

/**
 * Loopback fakes, in this process: Constant Contact with `accounts` accounts (every request of
 * every round asks for an account of its own), Slack's Web API and the response_urls.
 */
export async function startBenchFakes(accounts: number) {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const cc = await startFakeConstantContact(ccCredentials);
    closers.push(cc.close);
    for (let n = 1; n <= accounts; n++) cc.state.accounts.set(accountId(n), realisticPlan(n));
    cc.state.apiDelayMs = settings.apiDelayMs;
    const slackApi = await startFakeSlackApi();
    closers.push(slackApi.close);
    const hooks = await startAnswerReceiver();
    closers.push(hooks.close);
    return { cc, slackApi, hooks, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export type BenchFakes = Awaited<ReturnType<typeof startBenchFakes>>;
export type Hooks = BenchFakes['hooks'];

/** The settings every benchmark starts planbot with: the fakes, the port, the data directory, the rate. */
export function planbotEnv(o: {
  port: number;
  dataDir: string;
  slackApiUrl: string;
  cc: { tokenUrl: string; apiUrl: string };
  rate: number;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: signingSecret,
    PORT: String(o.port),
    HOST: '127.0.0.1',
    SLACK_API_URL: o.slackApiUrl,
    CC_CLIENT_ID: ccCredentials.clientId,
    CC_CLIENT_SECRET: ccCredentials.clientSecret,
    CC_TOKEN_URL: o.cc.tokenUrl,
    CC_API_URL: o.cc.apiUrl,
    CC_RATE_LIMIT: String(o.rate),
    DATA_DIR: o.dataDir,
  };
}

/** `node <start flags> dist/main.js` against the fakes, on 127.0.0.1:`port`; `env` adds or overrides. */
export function startPlanbot(
  name: string,
  o: { mainJs: string; port: number; dataDir: string; fakes: BenchFakes; env?: Record<string, string> },
): Child {
  return startChild(
    name,
    [...startFlags, ...nodeArgs, o.mainJs],
    {
      ...planbotEnv({
        port: o.port,
        dataDir: o.dataDir,
        slackApiUrl: o.fakes.slackApi.url,
        cc: o.fakes.cc,
        rate: settings.ccRateLimit,
      }),
      // The load comes from 400 simulated people at ~40 lookups each a run: the bench measures
      // throughput, not the per-person limit (which has its own tests).
      USER_LOOKUPS_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    root,
  );
}

/** The baseline: test/bench/bareBolt.ts (a Bolt app that only acks) on 127.0.0.1:`port`, node's default flags. */
export function startBareBolt(name: string, o: { port: number; fakes: BenchFakes }): Child {
  return startChild(
    name,
    [...nodeArgs, ...bareBoltArgs()],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: o.fakes.slackApi.url,
      PORT: String(o.port),
      HOST: '127.0.0.1',
    },
    root,
  );
}

/**
 * The floor of an answer: test/bench/bareAnswer.ts (a Bolt app that acks, reads the plan and posts a
 * card, nothing else) on 127.0.0.1:`port`, against the fakes, with planbot's V8 flags.
 */
export function startBareAnswer(name: string, o: { port: number; fakes: BenchFakes }): Child {
  return startChild(
    name,
    [...startFlags, ...nodeArgs, ...evalArgs('bareAnswer.ts')],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SLACK_SIGNING_SECRET: signingSecret,
      PORT: String(o.port),
      HOST: '127.0.0.1',
      CC_CLIENT_ID: ccCredentials.clientId,
      CC_CLIENT_SECRET: ccCredentials.clientSecret,
      CC_TOKEN_URL: o.fakes.cc.tokenUrl,
      CC_API_URL: o.fakes.cc.apiUrl,
    },
    root,
  );
}

const bareBoltArgs = () => evalArgs('bareBolt.ts');

/**
 * `node --input-type=module --eval <test/bench/<file> without its types>`, run from the project
 * root so its packages resolve. planbot runs compiled JS; loading the .ts file itself would also
 * load Node's type stripper (about 15 MB more RSS) and tilt the comparison against the baseline.
 */
function evalArgs(file: string): string[] {
  const source = readFileSync(join(root, 'test', 'bench', file), 'utf8');
  // stripTypeScriptTypes is still flagged experimental; its one-off warning is noise here.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return ['--input-type=module', '--eval', stripTypeScriptTypes(source)];
  } finally {
    process.emitWarning = emitWarning;
  }
}

export interface AnswerStats {
  received: number;
  byKind: Record<Answer['kind'], number>;
  otherTexts: Map<string, number>;
  missing: number;
  completion: number[];
  cardCompletion: number[];
  /** First send to last answer. */
  wallMs: number;
}

export interface Round {
  load: LoadResult;
  ackP50: number;
  ackP99: number;
  /** The answers posted to this round's response_urls, by request index (planbot targets only). */
  answerMap?: Map<number, Answer>;
  answers?: AnswerStats;
  /** Cores the targets kept busy while the round's requests were sent (CPU seconds ÷ wall seconds), together. */
  targetCores: number;
  /** The same, per target (in the order of `pids`). */
  coresByTarget: number[];
  /** The same for this process: the load generator, plus the fakes. */
  generatorCores: number;
}

/**
 * One batch of `count` signed `/plan` commands, alternating over `pools` (request i to pool
 * i % pools.length); with `hooks` (planbot), also waits for every acknowledged request's answer.
 */
export async function runRound(o: {
  name: string;
  pools: readonly Pool[];
  /** The targets' processes, for their CPU time. */
  pids: readonly number[];
  hooks?: Hooks;
  tag: string;
  count: number;
  accountFor: (i: number) => string;
}): Promise<Round> {
  const run = o.hooks?.run(o.tag);
  const requests = prepareCommands(o.count, {
    secret: signingSecret,
    accountFor: o.accountFor,
    // The bare app never posts; its bodies still carry a response_url of the same length.
    responseUrlFor: (i) => run?.url(i) ?? `http://127.0.0.1:9/hooks/${o.tag}/${i}`,
  });
  for (const pool of o.pools) await primeConnections(pool, settings.concurrency);
  const cpuBefore = await Promise.all(o.pids.map(cpuSecondsOf));
  const t0 = performance.now();
  const load = await runLoad(o.pools, requests, {
    concurrency: settings.concurrency,
    stopAt: t0 + settings.roundCapMs,
  });
  const sendSeconds = (performance.now() - t0) / 1000;
  const cpuAfter = await Promise.all(o.pids.map(cpuSecondsOf));
  const coresByTarget = cpuAfter.map((after, k) => (after - (cpuBefore[k] as number)) / sendSeconds);
  if (load.acked === 0)
    throw new Error(`${o.name} (${o.tag}): no request was acknowledged (${describeFailures(load)})`);
  let answers: AnswerStats | undefined;
  if (run) {
    // Every request acknowledged with an empty 200 is owed an answer; wait for them, up to the round's cap.
    const until = load.firstSend + settings.roundCapMs;
    while (run.answers.size < load.acked - load.inAck && performance.now() < until) await delay(20);
    answers = answerStats(run.answers, load);
  }
  return {
    load,
    ackP50: percentile(load.ackMs, 50),
    ackP99: percentile(load.ackMs, 99),
    answerMap: run?.answers,
    answers,
    targetCores: coresByTarget.reduce((a, b) => a + b, 0),
    coresByTarget,
    generatorCores: load.generatorCpuSeconds / sendSeconds,
  };
}

/** The answers to one round's requests; `only` keeps the requests it accepts (e.g. one replica's). */
export function answerStats(
  answers: Map<number, Answer>,
  load: LoadResult,
  only: (i: number) => boolean = () => true,
): AnswerStats {
  const byKind = { card: 0, busy: 0, other: 0 };
  const otherTexts = new Map<string, number>();
  const completion: number[] = [];
  const cardCompletion: number[] = [];
  let lastAnswer = load.firstSend;
  // A command turned away gets its "busy" as the ack itself.
  const inAck: [number, Answer][] = [];
  for (let i = 0; i < load.answeredInAck.length; i++) {
    if (load.answeredInAck[i] === 1)
      inAck.push([i, { at: (load.sentAt[i] as number) + (load.ackMs[i] as number), kind: 'busy', text: '' }]);
  }
  for (const [i, a] of [...answers, ...inAck]) {
    if (!only(i)) continue;
    byKind[a.kind]++;
    if (a.kind === 'other') otherTexts.set(a.text.slice(0, 100), (otherTexts.get(a.text.slice(0, 100)) ?? 0) + 1);
    const ms = a.at - (load.sentAt[i] as number);
    completion.push(ms);
    if (a.kind === 'card') cardCompletion.push(ms);
    lastAnswer = Math.max(lastAnswer, a.at);
  }
  let acked = 0;
  for (let i = 0; i < load.ackMs.length; i++) if (only(i) && Number.isFinite(load.ackMs[i])) acked++;
  return {
    received: completion.length,
    byKind,
    otherTexts,
    missing: Math.max(0, acked - completion.length),
    completion,
    cardCompletion,
    wallMs: lastAnswer - load.firstSend,
  };
}

/** Answers over several rounds; the wall time is the sum of each round's first send → last answer. */
export function combineAnswers(all: (AnswerStats | undefined)[]) {
  const kinds = { card: 0, busy: 0, other: 0 };
  const otherTexts = new Map<string, number>();
  const completion: number[] = [];
  const cardCompletion: number[] = [];
  let received = 0;
  let missing = 0;
  let wallMs = 0;
  for (const a of all) {
    if (!a) continue;
    received += a.received;
    missing += a.missing;
    wallMs += a.wallMs;
    for (const k of ['card', 'busy', 'other'] as const) kinds[k] += a.byKind[k];
    for (const [text, n] of a.otherTexts) otherTexts.set(text, (otherTexts.get(text) ?? 0) + n);
    for (const v of a.completion) completion.push(v);
    for (const v of a.cardCompletion) cardCompletion.push(v);
  }
  return {
    kinds,
    otherTexts,
    completion,
    cardCompletion,
    received,
    missing,
    wallMs,
    perSecond: received / (wallMs / 1000),
  };
}

export function describeFailures(load: LoadResult): string {
  const parts = [
    ...[...load.badStatus].map(([status, n]) => `${n}× HTTP ${status}`),
    ...[...load.failures].map(([code, n]) => `${n}× ${code}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export const acksPerSecond = (load: LoadResult) => load.acked / ((load.lastAck - load.firstSend) / 1000);

export interface Summary {
  ackP50: number;
  ackP99: number;
  pooledP99: number;
  roundP99s: number[];
  sent: number;
  ackErrors: number;
  failures: string;
  acksPerSecond: number;
  targetCores: number;
  generatorCores: number;
  generatorLoopDelayP99: number;
  capped: boolean;
}

/** Latencies and throughput over the measured rounds: the median of the rounds, and all rounds pooled. */
export function summarize(rounds: Round[]): Summary {
  const failures = new Map<string, number>();
  for (const r of rounds) {
    for (const [status, n] of r.load.badStatus)
      failures.set(`HTTP ${status}`, (failures.get(`HTTP ${status}`) ?? 0) + n);
    for (const [code, n] of r.load.failures) failures.set(code, (failures.get(code) ?? 0) + n);
  }
  const pooled: number[] = [];
  for (const r of rounds) for (const v of r.load.ackMs) pooled.push(v);
  return {
    ackP50: median(rounds.map((r) => r.ackP50)),
    ackP99: median(rounds.map((r) => r.ackP99)),
    pooledP99: percentile(pooled, 99),
    roundP99s: rounds.map((r) => r.ackP99),
    sent: rounds.reduce((n, r) => n + r.load.sent, 0),
    ackErrors: rounds.reduce((n, r) => n + r.load.sent - r.load.acked, 0),
    failures: [...failures].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none',
    acksPerSecond: median(rounds.map((r) => acksPerSecond(r.load))),
    targetCores: median(rounds.map((r) => r.targetCores)),
    generatorCores: median(rounds.map((r) => r.generatorCores)),
    generatorLoopDelayP99: Math.max(...rounds.map((r) => r.load.generatorLoopDelayP99Ms)),
    capped: rounds.some((r) => r.load.cappedByTime),
  };
}

/** A Markdown table, columns padded to line up in a terminal. */
export function printTable(rows: string[][]): void {
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  log(line(rows[0] as string[]));
  log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) log(line(r));
}

const abortHooks = new Set<() => Promise<unknown>>();

/**
 * Cleanup that must happen even when the run is cut short by a signal or the watchdog (after the
 * children are killed), such as deleting the run's keys from a shared Redis. Returns the remover.
 */
export function onAbort(cleanup: () => Promise<unknown>): () => void {
  abortHooks.add(cleanup);
  return () => abortHooks.delete(cleanup);
}

async function abort(code: number): Promise<never> {
  killAllChildrenNow();
  const pending = Promise.allSettled([...abortHooks].map((cleanup) => cleanup()));
  await Promise.race([pending, delay(3_000)]);
  process.exit(code);
}

/**
 * Runs a benchmark's main: exit 0 when it ran (it measures, it does not judge), 1 when it could
 * not run, 2 when the watchdog had to end it, 130 on SIGINT/SIGTERM; children are killed and the
 * onAbort cleanups run on every path but success (where main stops and cleans up itself).
 */
export function runBench(name: string, main: () => Promise<void>, watchdogMs = 300_000): void {
  const watchdog = setTimeout(() => {
    process.stderr.write(`${name}: still running after ${watchdogMs / 1000} s; killing everything\n`);
    void abort(2);
  }, watchdogMs);
  watchdog.unref();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${name}: ${signal}, stopping children\n`);
    void abort(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${name} could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      void abort(1);
    },
  );
}
