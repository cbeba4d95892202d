/**
 * Items 1–3 of `npm run bench` (test/bench/feel.ts): what a person feels of `/plan <id>`. Each item
 * runs a fresh built planbot (`dist/main.js`, started as `npm start` starts it) against loopback
 * fakes, with CC_RATE_LIMIT and CC_DAILY_QUOTA set out of reach: these items measure the bot, not
 * the partner's limits.
 *
 * 1. The bot's own share of an answer: 5 commands in flight, each sent when one before it has its
 *    card at its response_url. Cold cards (an account not looked up before: exactly 1 upstream plan
 *    request each) then warm ones (the same accounts again, inside the plan cache's 60 s: none).
 *    The own share is send → card minus the fake Constant Contact's own time for that account's
 *    plan request, timed inside this process from the request's arrival to its response's end.
 *    With it, for reference: the same phases against test/bench/bareAnswer.ts (a Bolt app that
 *    only acks, reads the plan and posts a card: the floor this machine and load generator allow),
 *    and as one line the ack p99 of planbot against a bare Bolt app.
 * 2. Answers a second at saturation: commands held in flight until answered (more than the bot
 *    works on at once), every one a distinct account, so every answer is a real lookup; and the
 *    bot's peak RSS (VmHWM).
 * 3. Overload: three times item 2's rate, open loop (as Slack sends), for 10 s: every command
 *    acknowledged with a 200 within 3 s (empty, or "busy" in the ack), every empty-acked one
 *    answered within 15 s of its ack, none twice, none refused and answered; peak RSS under 200 MB.
 *
 * `--quick` runs smaller counts and a 3 s burst. Knobs (environment): BENCH_LOOKUPS_CARDS (cold
 * cards in item 1: 1000, quick 200), BENCH_LOOKUPS_SATURATION (commands in item 2: 5000, quick
 * 800), BENCH_LOOKUPS_IN_FLIGHT (item 2's commands in flight: 64), BENCH_LOOKUPS_OVERLOAD_SECONDS
 * (10, quick 3), BENCH_LOOKUPS_OVERLOAD_FACTOR (3), BENCH_LOOKUPS_OVERLOAD_RATE (a fixed rate for
 * item 3 instead), BENCH_LOOKUPS_ITEMS (1,2,3), BENCH_LOOKUPS_CC_RATE_LIMIT (100000), and
 * common.ts's BENCH_API_DELAY_MS (the fake's latency, 20), BENCH_NODE_ARGS, BENCH_LOG_DIR,
 * BENCH_PLANBOT_MAIN.
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'undici';
import { delay } from '../../helpers/http.ts';
import {
  type BenchFakes,
  envNumber,
  fmt,
  type Hooks,
  log,
  planbotMain,
  type Round,
  runBench,
  runRound,
  settings,
  signingSecret,
  startBareAnswer,
  startBareBolt,
  startBenchFakes,
  startPlanbot,
  summarize,
} from '../common.ts';
import { type Answer, accountId } from '../fakes.ts';
import { connectionPool, percentile, prepareCommands, primeConnections } from '../load.ts';
import { type AckKind, ackKindOf, runBurst, tallyBurst } from '../overload.ts';
import { type Child, cpuSecondsOf, freePort, memoryOf, sampleRss, waitHealthy } from '../proc.ts';
import { count, quick, report, row, type Section } from './result.ts';

const knobs = {
  cards: Math.floor(envNumber('BENCH_LOOKUPS_CARDS', quick ? 200 : 1000)),
  saturation: Math.floor(envNumber('BENCH_LOOKUPS_SATURATION', quick ? 800 : 5000)),
  inFlight: Math.floor(envNumber('BENCH_LOOKUPS_IN_FLIGHT', 64)),
  /** Item 2 stops sending after this long, whatever is left: a slow machine still ends in time. */
  saturationCapSeconds: quick ? 4 : 15,
  overloadSeconds: envNumber('BENCH_LOOKUPS_OVERLOAD_SECONDS', quick ? 3 : 10),
  overloadFactor: envNumber('BENCH_LOOKUPS_OVERLOAD_FACTOR', 3),
  /** Item 3's rate, fixed (commands a second); unset: the factor × item 2's measured rate. */
  overloadRate: process.env.BENCH_LOOKUPS_OVERLOAD_RATE ? envNumber('BENCH_LOOKUPS_OVERLOAD_RATE', 1) : undefined,
  /** Which items run (item 3 without item 2 needs BENCH_LOOKUPS_OVERLOAD_RATE). */
  items: (process.env.BENCH_LOOKUPS_ITEMS ?? '1,2,3').split(',').map((v) => Number(v.trim())),
  /** Item 1's commands in flight (the issue's "5 concurrent"). */
  concurrent: 5,
  /** Warm-up commands before each item's measurement (token, connections, JIT). */
  warmup: quick ? 150 : 500,
  /** The ack comparison with a bare Bolt app: rounds of this many commands each, per target. */
  ackRounds: quick ? 1 : 3,
  ackRequests: quick ? 400 : 1500,
  /** The burst's keep-alive connections (as overload.ts). */
  connections: 256,
};
/** Out of reach on purpose: the rate gate and the daily quota are not what these items measure. */
const botEnv = {
  CC_RATE_LIMIT: String(envNumber('BENCH_LOOKUPS_CC_RATE_LIMIT', 100_000)),
  CC_DAILY_QUOTA: '1000000000',
};
const targets = { ownP99Ms: 10, ackWithinMs: 3_000, answerWithinMs: 15_000, peakRssMb: 200 };
/** How long a command acked empty may wait for its answer before it counts as missing. */
const answerWaitMs = 20_000;

const ms = (v: number, digits = 1) => `${fmt(v, digits)} ms`;
const mb = (v: number) => `${fmt(v, 0)} MB`;

/**
 * The fake Constant Contact's own time for each plan request, by account: from the request's
 * arrival at the fake's server to its response's end, timed by node's HTTP diagnostics channels
 * (the fake runs in this process). That is what the bot waited on the partner, near enough: only
 * loopback transit is left in the bot's share.
 */
function recordUpstreamTimes() {
  const plan = /^\/v3\/partner\/accounts\/([^/?]+)\/plan(?:\?|$)/;
  const arrived = new WeakMap<IncomingMessage, number>();
  let byAccount = new Map<string, number[]>();
  subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: IncomingMessage };
    if (plan.test(request.url ?? '')) arrived.set(request, performance.now());
  });
  subscribe('http.server.response.finish', (message) => {
    const { request } = message as { request: IncomingMessage };
    const at = arrived.get(request);
    if (at === undefined) return;
    const id = decodeURIComponent(plan.exec(request.url ?? '')?.[1] ?? '');
    const times = byAccount.get(id) ?? [];
    times.push(performance.now() - at);
    byAccount.set(id, times);
  });
  return {
    reset: () => void (byAccount = new Map()),
    of: (id: string) => byAccount.get(id) ?? [],
  };
}

const upstreamTimes = recordUpstreamTimes();

/** Resolves when answer i has been posted, or after `timeoutMs`; wraps the run's map to be told at once. */
function answerWaiter(answers: Map<number, Answer>) {
  const waiting = new Map<number, () => void>();
  const set = answers.set.bind(answers);
  answers.set = (key, value) => {
    set(key, value);
    waiting.get(key)?.();
    return answers;
  };
  return (i: number, timeoutMs: number) =>
    answers.has(i)
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            waiting.delete(i);
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          waiting.set(i, done);
        });
}

interface Phase {
  count: number;
  /** Commands sent (all but those left when `stopAfterMs` passed). */
  sent: number;
  accounts: string[];
  sentAt: Float64Array;
  ackMs: Float64Array;
  ackKind: (AckKind | undefined)[];
  answers: Map<number, Answer>;
  firstSend: number;
  /** The last plan card's arrival. */
  lastCard: number;
  /** Plan requests the fake saw during the phase, by account. */
  planRequests: Map<string, number>;
}

/**
 * `count` signed `/plan <id>` commands, `concurrency` at a time, each slot sending its next command
 * once the last has its answer at the response_url (or was refused in its ack): commands in flight
 * are commands being answered, not just acknowledged.
 */
async function answeredLoop(o: {
  pool: Pool;
  fakes: BenchFakes;
  tag: string;
  count: number;
  concurrency: number;
  accountFor: (i: number) => string;
  /** No command is sent this long after the first (the rest are left unsent). */
  stopAfterMs?: number;
}): Promise<Phase> {
  const run = o.fakes.hooks.run(o.tag);
  const answered = answerWaiter(run.answers);
  const accounts = Array.from({ length: o.count }, (_, i) => o.accountFor(i));
  const requests = prepareCommands(o.count, {
    secret: signingSecret,
    accountFor: (i) => accounts[i] as string,
    responseUrlFor: (i) => run.url(i),
  });
  await primeConnections(o.pool, o.concurrency);
  const sentAt = new Float64Array(o.count).fill(Number.NaN);
  const ackMs = new Float64Array(o.count).fill(Number.NaN);
  const ackKind: (AckKind | undefined)[] = new Array(o.count);
  const upstreamBefore = o.fakes.cc.state.requests.length;
  upstreamTimes.reset();
  let next = 0;
  const stopAt = performance.now() + (o.stopAfterMs ?? Infinity);
  const worker = async () => {
    for (let i = next++; i < o.count && performance.now() < stopAt; i = next++) {
      const req = requests[i]!;
      const started = performance.now();
      sentAt[i] = started;
      try {
        const res = await o.pool.request({
          path: '/slack/events',
          method: 'POST',
          headers: req.headers,
          body: req.body,
        });
        const text = await res.body.text();
        ackMs[i] = performance.now() - started;
        ackKind[i] = ackKindOf(res.statusCode, text);
        if (ackKind[i] === 'empty') await answered(i, answerWaitMs);
      } catch {
        // No HTTP answer: left without an ack kind, counted as such.
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  await delay(200); // a second post to the same response_url has had time to arrive
  const planRequests = new Map<string, number>();
  for (const r of o.fakes.cc.state.requests.slice(upstreamBefore)) {
    const id = /^\/v3\/partner\/accounts\/([^/]+)\/plan$/.exec(r.path)?.[1];
    if (id) planRequests.set(id, (planRequests.get(id) ?? 0) + 1);
  }
  let lastCard = Number.NaN;
  for (const a of run.answers.values()) if (a.kind === 'card' && !(a.at <= lastCard)) lastCard = a.at;
  return {
    count: o.count,
    sent: sentAt.filter(Number.isFinite).length,
    accounts,
    sentAt,
    ackMs,
    ackKind,
    answers: run.answers,
    firstSend: Math.min(...sentAt.filter(Number.isFinite)),
    lastCard,
    planRequests,
  };
}

/** Plan cards, other answers (busy, failures), and commands left without an answer. */
function answersOf(p: Phase) {
  const kinds = { card: 0, busy: 0, other: 0 };
  for (const a of p.answers.values()) kinds[a.kind]++;
  let inAck = 0;
  let unacked = 0;
  for (let i = 0; i < p.count; i++) {
    if (!Number.isFinite(p.sentAt[i])) continue;
    if (p.ackKind[i] === undefined) unacked++;
    else if (p.ackKind[i] !== 'empty') inAck++;
  }
  return { ...kinds, inAck, unacked, missing: p.sent - inAck - unacked - p.answers.size };
}

/** A fresh planbot (its own store) against `fakes`; the caller stops it. */
async function startBot(name: string, fakes: BenchFakes, dataRoot: string) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(dataRoot, `${name.replace(/\W+/g, '-')}-`));
  const bot = startPlanbot(name, { mainJs: planbotMain(), port, dataDir, fakes, env: botEnv });
  const origin = `http://127.0.0.1:${port}`;
  const healthyMs = await waitHealthy(bot, `${origin}/healthz`);
  log(`${name}: pid ${bot.pid}, healthy after ${fmt(healthyMs, 0)} ms`);
  return { bot, origin };
}

const setupLine = (what: string) =>
  `${what}; fake Constant Contact at ${settings.apiDelayMs} ms; CC_RATE_LIMIT=${botEnv.CC_RATE_LIMIT}, ` +
  `CC_DAILY_QUOTA=${count(Number(botEnv.CC_DAILY_QUOTA))}; node ${process.version}, ${availableParallelism()} cores`;

/** Item 1, and the ack against a bare Bolt app. */
async function ownShare(dataRoot: string): Promise<Section> {
  log("## 1. the bot's own share of an answer");
  const cards = knobs.cards;
  // Accounts: warm-up, then the measured cards, then the ack comparison's rounds (warm-up included).
  const ackAccounts = (knobs.ackRounds + 1) * knobs.ackRequests;
  // ... then the floor's own warm-up and cards.
  const floorFirst = knobs.warmup + cards + ackAccounts + 1;
  const fakes = await startBenchFakes(floorFirst - 1 + knobs.warmup + cards);
  const stops: (() => Promise<unknown>)[] = [fakes.close];
  try {
    const { bot, origin } = await startBot('planbot (item 1)', fakes, dataRoot);
    stops.push(() => bot.stop(2_000));
    const pool = connectionPool(origin, settings.concurrency);
    stops.push(() => pool.close());
    const {
      cold,
      warm,
      coldShares,
      warmShares,
      cpuMsPerCard: ownCpu,
    } = await coldThenWarm({
      pool,
      fakes,
      pid: bot.pid,
      tag: 'own',
      first: 1,
    });
    log(
      `cold: ${coldShares.cards} cards in ${fmt((cold.lastCard - cold.firstSend) / 1000, 1)} s; own share ` +
        `p50 ${ms(coldShares.p50, 2)}, p99 ${ms(coldShares.p99, 2)}; upstream ${ms(coldShares.upstreamP50, 2)} p50`,
    );
    log(
      `warm: ${warmShares.cards} cards in ${fmt((warm.lastCard - warm.firstSend) / 1000, 1)} s; own share ` +
        `p50 ${ms(warmShares.p50, 2)}, p99 ${ms(warmShares.p99, 2)}`,
    );

    const ack = await ackAgainstBareBolt(fakes, pool, bot, knobs.warmup + cards + 1);
    const floor = await floorOfAnAnswer(fakes, floorFirst);
    const perCard = `cold ${fmt(coldShares.requestsPerCard, 2)}, warm ${fmt(warmShares.requestsPerCard, 2)}`;
    const exact = coldShares.offCount === 0 && warmShares.offCount === 0 && coldShares.cards > 0;
    return {
      item: 1,
      title: "The bot's own share of an answer",
      setup: setupLine(
        `${knobs.concurrent} concurrent /plan <id>, each answered before its slot sends the next; ` +
          `${count(cards)} cold cards (accounts not looked up before), then the same ${count(cards)} warm (from the plan cache)`,
      ),
      rows: [
        row("cold card, bot's own share p50", ms(coldShares.p50, 2)),
        row(
          "cold card, bot's own share p99",
          ms(coldShares.p99, 2),
          `< ${targets.ownP99Ms} ms`,
          coldShares.p99 < targets.ownP99Ms,
        ),
        row("warm card, bot's own share p50", ms(warmShares.p50, 2)),
        row(
          "warm card, bot's own share p99",
          ms(warmShares.p99, 2),
          `< ${targets.ownP99Ms} ms`,
          warmShares.p99 < targets.ownP99Ms,
        ),
        row('upstream requests per card', perCard, 'cold 1.00, warm 0.00', exact),
        row(
          'the floor: a bare Bolt app, same round trip, p50 / p99',
          `cold ${ms(floor.cold.p50, 2)} / ${ms(floor.cold.p99, 2)}; warm ${ms(floor.warm.p50, 2)} / ${ms(floor.warm.p99, 2)}`,
        ),
        row(
          'ack p99, planbot ÷ a bare Bolt app',
          `${fmt(ack.ratio, 2)} (${ms(ack.planbotP99, 2)} ÷ ${ms(ack.bareP99, 2)})`,
        ),
      ],
      notes: [
        `Own share: command sent → card at its response_url, minus the fake Constant Contact's own time for the ` +
          `card's plan request (arrival → response end, timed in the fake's process: p50 ${ms(coldShares.upstreamP50, 2)}, ` +
          `p99 ${ms(coldShares.upstreamP99, 2)}). The whole answer, cold: p50 ${ms(coldShares.wholeP50, 2)}, ` +
          `p99 ${ms(coldShares.wholeP99, 2)}; warm: p50 ${ms(warmShares.wholeP50, 2)}, p99 ${ms(warmShares.wholeP99, 2)}.`,
        `Cards: cold ${coldShares.cards} of ${cards}, warm ${warmShares.cards} of ${cards}; cards not on exactly ` +
          `${1} (cold) or 0 (warm) plan requests: ${coldShares.offCount + warmShares.offCount}; other answers ` +
          `${coldShares.notCards + warmShares.notCards}.`,
        `The floor (for reference): test/bench/bareAnswer.ts, a Bolt app whose /plan only acks, reads the plan ` +
          `(one token, a 60 s cache) and posts a card of its tiers, measured as above (${count(cards)} cards each way, ` +
          `after ${count(knobs.warmup)} of each): what this machine and load generator leave of 10 ms before any of ` +
          `planbot's work (access, store, quota, history, audit). It took ${fmt(floor.cpuMsPerCard.cold, 2)} ms of CPU ` +
          `a cold card and ${fmt(floor.cpuMsPerCard.warm, 2)} a warm one; planbot ${fmt(ownCpu.cold, 2)} and ${fmt(ownCpu.warm, 2)}.`,
        floorAgainstIdeal(floor),
        `Ack comparison (for reference; it was once a target, ≤ 1.2): ${ack.rounds} round${ack.rounds === 1 ? '' : 's'} ` +
          `of ${count(knobs.ackRequests)} commands per target at ${settings.concurrency} concurrent, alternating, after a ` +
          `${count(knobs.ackRequests)}-command warm-up each; the median of the rounds' p99.`,
        ...(quick ? [`--quick: ${count(cards)} cards each way (p99 from few), one ack round.`] : []),
      ],
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

/**
 * Whether the floor itself answered within item 1's ideal on this run: when even a bare app's p99
 * misses it, the machine and load generator leave no room for any bot's work.
 */
function floorAgainstIdeal(floor: { cold: { p99: number }; warm: { p99: number } }): string {
  const verdict = (p99: number) => `${p99 < targets.ownP99Ms ? 'within' : 'over'} it (${ms(p99, 2)})`;
  return (
    `The floor against the same ideal (p99 under ${targets.ownP99Ms} ms): cold ${verdict(floor.cold.p99)}, ` +
    `warm ${verdict(floor.warm.p99)}.`
  );
}

/**
 * Item 1's phases against one target, from account `first`: a warm-up of cold then warm cards (the
 * token, the connections, both paths through the JIT), then `knobs.cards` cold cards and the same
 * accounts again warm, with the target's CPU time a card in each.
 */
async function coldThenWarm(o: { pool: Pool; fakes: BenchFakes; pid: number; tag: string; first: number }) {
  const loop = (phase: string, n: number, from: number) =>
    answeredLoop({
      pool: o.pool,
      fakes: o.fakes,
      tag: `${o.tag}-${phase}`,
      count: n,
      concurrency: knobs.concurrent,
      accountFor: (i) => accountId(from + i),
    });
  await loop('warmup-cold', knobs.warmup, o.first);
  await loop('warmup-warm', knobs.warmup, o.first);
  log(`${o.tag} warm-up: ${knobs.warmup} cold and ${knobs.warmup} warm cards`);
  const cards = knobs.cards;
  const cpu0 = await cpuSecondsOf(o.pid);
  const cold = await loop('cold', cards, o.first + knobs.warmup);
  const cpu1 = await cpuSecondsOf(o.pid);
  // Shares now: the fake's upstream times are kept for the latest phase only.
  const coldShares = sharesOf(cold, true);
  const warm = await loop('warm', cards, o.first + knobs.warmup);
  const cpu2 = await cpuSecondsOf(o.pid);
  return {
    cold,
    warm,
    coldShares,
    warmShares: sharesOf(warm, false),
    cpuMsPerCard: { cold: ((cpu1 - cpu0) * 1000) / cards, warm: ((cpu2 - cpu1) * 1000) / cards },
  };
}

/**
 * Item 1's phases against test/bench/bareAnswer.ts instead of planbot: the floor of an answer on
 * this machine, with this load generator.
 */
async function floorOfAnAnswer(fakes: BenchFakes, first: number) {
  const port = await freePort();
  const bare = startBareAnswer('bare answer', { port, fakes });
  const origin = `http://127.0.0.1:${port}`;
  const pool = connectionPool(origin, settings.concurrency);
  try {
    log(`bare answer: pid ${bare.pid}, healthy after ${fmt(await waitHealthy(bare, `${origin}/healthz`), 0)} ms`);
    const phases = await coldThenWarm({ pool, fakes, pid: bare.pid, tag: 'floor', first });
    const { coldShares: cold, warmShares: warm } = phases;
    log(
      `floor: cold p50 ${ms(cold.p50, 2)}, p99 ${ms(cold.p99, 2)} (${cold.cards} cards); ` +
        `warm p50 ${ms(warm.p50, 2)}, p99 ${ms(warm.p99, 2)} (${warm.cards} cards)`,
    );
    return { cold, warm, cpuMsPerCard: phases.cpuMsPerCard };
  } finally {
    await pool.close().catch(() => {});
    await bare.stop(2_000);
  }
}

/** The own share of each card of a phase, and how many plan requests each card's account cost. */
function sharesOf(p: Phase, cold: boolean) {
  const own: number[] = [];
  const whole: number[] = [];
  const upstream: number[] = [];
  let offCount = 0;
  let requests = 0;
  let notCards = 0;
  for (let i = 0; i < p.count; i++) {
    const a = p.answers.get(i);
    if (a?.kind !== 'card') {
      notCards++;
      continue;
    }
    const account = p.accounts[i] as string;
    const n = p.planRequests.get(account) ?? 0;
    requests += n;
    if (n !== (cold ? 1 : 0)) offCount++;
    const took = upstreamTimes.of(account).reduce((sum, t) => sum + t, 0);
    if (cold) upstream.push(took);
    const total = a.at - (p.sentAt[i] as number);
    whole.push(total);
    own.push(total - took);
  }
  return {
    cards: own.length,
    p50: percentile(own, 50),
    p99: percentile(own, 99),
    wholeP50: percentile(whole, 50),
    wholeP99: percentile(whole, 99),
    upstreamP50: percentile(upstream, 50),
    upstreamP99: percentile(upstream, 99),
    requestsPerCard: requests / Math.max(1, own.length),
    offCount,
    notCards,
  };
}

/** Ack p99 of planbot and a bare Bolt app, in alternating closed-loop rounds (as run.ts runs them). */
async function ackAgainstBareBolt(fakes: BenchFakes, botPool: Pool, bot: Child, firstAccount: number) {
  const port = await freePort();
  const bare = startBareBolt('bare Bolt', { port, fakes });
  const barePool = connectionPool(`http://127.0.0.1:${port}`, settings.concurrency);
  try {
    log(
      `bare Bolt: pid ${bare.pid}, healthy after ${fmt(await waitHealthy(bare, `http://127.0.0.1:${port}/healthz`), 0)} ms`,
    );
    const targetsOf = [
      { name: 'planbot', pool: botPool, pid: bot.pid, hooks: fakes.hooks as Hooks | undefined, rounds: [] as Round[] },
      { name: 'bare Bolt', pool: barePool, pid: bare.pid, hooks: undefined, rounds: [] as Round[] },
    ];
    for (let r = 0; r <= knobs.ackRounds; r++) {
      for (const t of targetsOf) {
        const first = firstAccount + r * knobs.ackRequests;
        const round = await runRound({
          name: t.name,
          pools: [t.pool],
          pids: [t.pid],
          ...(t.hooks ? { hooks: t.hooks } : {}),
          tag: `ack-${t.name.replace(/\W+/g, '-')}-${r}`,
          count: knobs.ackRequests,
          accountFor: (i) => accountId(first + i),
        });
        // Round 0 is the warm-up.
        if (r > 0) t.rounds.push(round);
        log(
          `${t.name} ${r === 0 ? 'ack warm-up' : `ack round ${r}`}: p50 ${ms(round.ackP50, 2)}, p99 ${ms(round.ackP99, 2)}`,
        );
      }
    }
    const [p, b] = targetsOf.map((t) => summarize(t.rounds)) as [
      ReturnType<typeof summarize>,
      ReturnType<typeof summarize>,
    ];
    return { planbotP99: p.ackP99, bareP99: b.ackP99, ratio: p.ackP99 / b.ackP99, rounds: knobs.ackRounds };
  } finally {
    await barePool.close().catch(() => {});
    await bare.stop(2_000);
  }
}

/** Item 2: returns its section and the measured rate, which item 3 multiplies. */
async function saturation(dataRoot: string): Promise<{ section: Section; rate: number }> {
  log('## 2. answers a second at saturation');
  const n = knobs.saturation;
  const fakes = await startBenchFakes(knobs.warmup + n);
  const stops: (() => Promise<unknown>)[] = [fakes.close];
  try {
    const { bot, origin } = await startBot('planbot (item 2)', fakes, dataRoot);
    stops.push(() => bot.stop(2_000));
    const pool = connectionPool(origin, knobs.inFlight);
    stops.push(() => pool.close());
    const loop = (tag: string, count: number, first: number, stopAfterMs?: number) =>
      answeredLoop({
        pool,
        fakes,
        tag,
        count,
        concurrency: knobs.inFlight,
        accountFor: (i) => accountId(first + i),
        ...(stopAfterMs ? { stopAfterMs } : {}),
      });
    await loop('saturation-warmup', knobs.warmup, n + 1);
    log(`warm-up: ${knobs.warmup} commands`);
    const rss = sampleRss(bot.pid);
    const cpuBefore = await cpuSecondsOf(bot.pid);
    const p = await loop('saturation', n, 1, knobs.saturationCapSeconds * 1000);
    const sent = p.sent;
    const seconds = (p.lastCard - p.firstSend) / 1000;
    const cores = ((await cpuSecondsOf(bot.pid)) - cpuBefore) / seconds;
    rss.stop();
    const memory = await memoryOf(bot.pid);
    const a = answersOf(p);
    const rate = a.card / seconds;
    const upstream = [...p.planRequests.values()].reduce((sum, v) => sum + v, 0);
    log(
      `${a.card} cards in ${fmt(seconds, 1)} s: ${fmt(rate, 0)}/s; planbot ${fmt(cores, 2)} cores; ` +
        `peak RSS ${fmt(memory.hwmMb, 1)} MB (sampled ${fmt(Math.max(rss.peakMb(), memory.rssMb), 1)} MB)`,
    );
    const notCards = a.busy + a.other + a.inAck + a.unacked + a.missing;
    return {
      rate,
      section: {
        item: 2,
        title: 'Answers a second at saturation',
        setup: setupLine(
          `${count(sent)} /plan <id>, each a distinct account (a real lookup), ${knobs.inFlight} in flight until answered`,
        ),
        rows: [
          row('answers a second (plan cards)', `${count(rate)} answers/s`),
          row('commands not answered with a card', `${count(notCards)} of ${count(sent)}`, '0', notCards === 0),
          row('peak RSS (VmHWM)', mb(memory.hwmMb)),
        ],
        notes: [
          `Cards ÷ time from the first send to the last card, after a ${count(knobs.warmup)}-command warm-up. ` +
            `planbot kept ${fmt(cores, 2)} of ${availableParallelism()} cores busy (the load generator and the fakes ` +
            `share the machine); the fake saw ${count(upstream)} plan requests for ${count(sent)} commands${sent < n ? ` (sending stopped after ${knobs.saturationCapSeconds} s)` : ''}.`,
          `Not cards: busy answers ${a.busy}, other answers ${a.other}, refused in the ack ${a.inAck}, no ack ${a.unacked}, ` +
            `no answer ${a.missing}. Send → card p50 ${ms(percentile(cardTimes(p), 50), 0)}, p99 ${ms(percentile(cardTimes(p), 99), 0)}.`,
          ...(quick ? [`--quick: at most ${count(n)} commands, ${knobs.saturationCapSeconds} s.`] : []),
        ],
      },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

/** The texts of answers that were neither a card nor busy, and how often each came. */
function otherTexts(answers: Map<number, Answer>): Map<string, number> {
  const texts = new Map<string, number>();
  for (const a of answers.values())
    if (a.kind === 'other') texts.set(a.text.slice(0, 100), (texts.get(a.text.slice(0, 100)) ?? 0) + 1);
  return texts;
}

function cardTimes(p: Phase): number[] {
  const out: number[] = [];
  for (const [i, a] of p.answers) if (a.kind === 'card') out.push(a.at - (p.sentAt[i] as number));
  return out;
}

/** Item 3: `factor` × item 2's rate, open loop. */
async function overload(dataRoot: string, saturated: number): Promise<Section> {
  log('## 3. overload');
  const rate = Math.max(1, Math.round(knobs.overloadRate ?? saturated * knobs.overloadFactor));
  const n = Math.round(rate * knobs.overloadSeconds);
  const fakes = await startBenchFakes(knobs.warmup + n);
  const stops: (() => Promise<unknown>)[] = [fakes.close];
  try {
    const { bot, origin } = await startBot('planbot (item 3)', fakes, dataRoot);
    stops.push(() => bot.stop(2_000));
    const warmPool = connectionPool(origin, knobs.inFlight);
    stops.push(() => warmPool.close());
    await answeredLoop({
      pool: warmPool,
      fakes,
      tag: 'overload-warmup',
      count: knobs.warmup,
      concurrency: knobs.inFlight,
      accountFor: (i) => accountId(n + 1 + i),
    });
    log(`warm-up: ${knobs.warmup} commands`);
    await delay(1_000);
    const rssBefore = await memoryOf(bot.pid);
    const rss = sampleRss(bot.pid);
    const pool = connectionPool(origin, knobs.connections, 30_000);
    stops.push(() => pool.close());
    const duplicatesBefore = fakes.hooks.duplicates();
    log(
      `sending ${count(n)} commands at ${count(rate)}/s for ${knobs.overloadSeconds} s (load average ${loadavg()[0]?.toFixed(2)})`,
    );
    const burst = await runBurst({
      pool,
      connections: knobs.connections,
      hooks: fakes.hooks,
      tag: 'overload',
      rate,
      seconds: knobs.overloadSeconds,
      accountFor: (i) => accountId(i + 1),
      answerWaitMs,
    });
    rss.stop();
    const memory = await memoryOf(bot.pid);
    const duplicates = fakes.hooks.duplicates() - duplicatesBefore;
    const t = tallyBurst(burst);
    const acks = [...t.acks.empty, ...t.acks.busy, ...t.acks.other];
    const inTime = [...t.acks.empty, ...t.acks.busy].filter((v) => v <= targets.ackWithinMs).length;
    // Each empty-acked command's answer, from its ack.
    const answerMs: number[] = [];
    for (const [i, a] of burst.answers)
      if (burst.ackKind[i] === 'empty') answerMs.push(a.at - (burst.sentAt[i] as number) - (burst.ackMs[i] as number));
    const answeredInTime = answerMs.filter((v) => v <= targets.answerWithinMs).length;
    const owed = t.acks.empty.length;
    log(
      `sent ${count(n)} in ${fmt(burst.sendSeconds, 1)} s; acks: empty ${t.acks.empty.length}, busy ${t.acks.busy.length}, ` +
        `other ${t.acks.other.length}, none ${t.unacked}; answered ${answerMs.length} of ${owed} (${answeredInTime} within 15 s); ` +
        `duplicates ${duplicates}; posted to refused ${t.toRefused}; peak RSS ${fmt(memory.hwmMb, 1)} MB`,
    );
    return {
      item: 3,
      title: `Overload: ${knobs.overloadFactor}× that rate for ${knobs.overloadSeconds} s`,
      setup: setupLine(
        `${count(n)} /plan <id> sent open loop at ${count(rate)}/s (${knobs.overloadFactor} × ${count(saturated)}/s) over ` +
          `${knobs.connections} connections, each a distinct account`,
      ),
      rows: [
        row(
          'acknowledged with 200 within 3 s',
          `${count(inTime)} of ${count(n)} (empty ${count(t.acks.empty.length)}, busy in the ack ${count(t.acks.busy.length)})`,
          'all',
          inTime === n,
        ),
        row('ack p99', ms(percentile(acks, 99), 0)),
        row(
          'acknowledged empty, answered within 15 s',
          `${count(answeredInTime)} of ${count(owed)}`,
          'all',
          answeredInTime === owed,
        ),
        row('answered twice', count(duplicates), '0', duplicates === 0),
        row('busy in the ack, and answered too', count(t.toRefused), '0', t.toRefused === 0),
        row('peak RSS (VmHWM)', mb(memory.hwmMb), `< ${targets.peakRssMb} MB`, memory.hwmMb < targets.peakRssMb),
      ],
      notes: [
        `Acks: p50 ${ms(percentile(acks, 50), 0)}, max ${ms(Math.max(...acks), 0)}; not 200 or none: ` +
          `${t.acks.other.length + t.unacked} (${[...burst.statuses].map(([s, v]) => `${s} ×${v}`).join(', ')}). ` +
          `Answers at the response_urls: plan cards ${t.answered.card}, busy ${t.answered.busy}, other ${t.answered.other}; ` +
          `ack → answer p50 ${ms(percentile(answerMs, 50), 0)}, p99 ${ms(percentile(answerMs, 99), 0)}, ` +
          `max ${ms(answerMs.length ? Math.max(...answerMs) : Number.NaN, 0)}.`,
        ...[...otherTexts(burst.answers)].map(([text, v]) => `Other answer ×${v}: ${text}`),
        `Sent at ${fmt(n / burst.sendSeconds, 0)}/s (the generator's event-loop delay p99 ${ms(burst.generatorLoopP99, 1)}); ` +
          `RSS ${mb(rssBefore.rssMb)} before the burst, highest sampled ${mb(Math.max(rss.peakMb(), memory.rssMb))}.`,
        ...(quick ? [`--quick: a ${knobs.overloadSeconds} s burst, not 10 s.`] : []),
      ],
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

async function main(): Promise<void> {
  planbotMain();
  const started = performance.now();
  const dataRoot = mkdtempSync(join(tmpdir(), 'planbot-feel-lookups-'));
  process.on('exit', () => rmSync(dataRoot, { recursive: true, force: true }));
  log(
    `# lookups${quick ? ' (--quick)' : ''}: load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  const timed = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await run();
    log(`(${what} took ${fmt((performance.now() - t0) / 1000, 0)} s)`);
    return result;
  };
  const sections: Section[] = [];
  if (knobs.items.includes(1)) sections.push(await timed('item 1', () => ownShare(dataRoot)));
  let rate = Number.NaN;
  if (knobs.items.includes(2)) {
    const item2 = await timed('item 2', () => saturation(dataRoot));
    sections.push(item2.section);
    rate = item2.rate;
  }
  if (knobs.items.includes(3)) {
    if (!Number.isFinite(rate) && knobs.overloadRate === undefined)
      throw new Error("item 3 needs item 2's rate, or BENCH_LOOKUPS_OVERLOAD_RATE");
    sections.push(await timed('item 3', () => overload(dataRoot, rate)));
  }
  log(`lookups took ${fmt((performance.now() - started) / 1000, 0)} s`);
  log();
  report(sections);
}

runBench('feel/lookups', main);
