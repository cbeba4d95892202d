/**
 * planbot's load benchmark (`npm run bench`): signed `/plan <id>` slash commands at a fixed
 * concurrency against `node dist/main.js`, with Constant Contact, Slack's Web API and the
 * response_urls faked on loopback; and the same ack load against a bare Bolt app as the baseline.
 *
 * Both targets get a warm-up, then take turns: planbot round 1 (and its answers drained), bare Bolt
 * round 1, planbot round 2, … Only one target is ever under load; alternating keeps a slow patch of
 * the machine from landing on one target only. Reported latencies are the median over the rounds.
 *
 * It measures; it does not judge: exit 0 even when a target is missed, non-zero only when the
 * benchmark could not run.
 *
 * Knobs (environment): BENCH_REQUESTS (5000 per round), BENCH_ROUNDS (5), BENCH_WARMUP (5000),
 * BENCH_CONCURRENCY (50), BENCH_CC_RATE_LIMIT (50), BENCH_API_DELAY_MS (20), BENCH_NODE_ARGS (extra
 * node flags for both targets, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_LOG_DIR (keep
 * each target's output there), BENCH_PLANBOT_MAIN (another build's main.js, for A/B comparisons).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'undici';
import {
  combineAnswers,
  fmt,
  type Hooks,
  log,
  planbotMain,
  printTable,
  type Round,
  runBench,
  runRound,
  settings,
  startBareBolt,
  startBenchFakes,
  startPlanbot,
  type Summary,
  summarize,
} from './common.ts';
import { accountId } from './fakes.ts';
import { connectionPool, percentile } from './load.ts';
import { type Child, freePort, memoryOf, sampleRss, waitHealthy } from './proc.ts';

const targets = { ackP99Ratio: 1.2, tokenFetches: 1, peakRssMb: 150 };

interface Target {
  name: string;
  child: Child;
  pool: Pool;
  rss: ReturnType<typeof sampleRss>;
  /** planbot answers through the response_urls; the bare app does not. */
  hooks?: Hooks;
  rounds: Round[];
  warmupMs: number;
}

async function main(): Promise<void> {
  const mainJs = planbotMain();
  const started = performance.now();
  const closers: (() => Promise<unknown>)[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-bench-'));
  // Removed on any exit, signals and the watchdog included (after the children are killed).
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const children: Child[] = [];

  try {
    // Loopback fakes, in this process. Every request of every round asks for an account of its own.
    const accounts = settings.warmup + settings.rounds * settings.requests;
    const fakes = await startBenchFakes(accounts);
    closers.push(fakes.close);
    const { cc, slackApi, hooks } = fakes;

    log('# planbot benchmark');
    log();
    log(
      `node ${process.version}, ${settings.rounds} rounds × ${settings.requests} signed /plan requests per target ` +
        `(after ${settings.warmup} warm-up), ${settings.concurrency} concurrent; CC_RATE_LIMIT=${settings.ccRateLimit}; ` +
        `fake Constant Contact: ${accounts} accounts, ${settings.apiDelayMs} ms latency`,
    );

    const botPort = await freePort();
    const bot = startPlanbot('planbot', { mainJs, port: botPort, dataDir, fakes });
    children.push(bot);
    const botOrigin = `http://127.0.0.1:${botPort}`;
    log(
      `planbot: node dist/main.js, pid ${bot.pid}, healthy after ${fmt(await waitHealthy(bot, `${botOrigin}/healthz`), 0)} ms`,
    );

    const barePort = await freePort();
    const bare = startBareBolt('bare Bolt', { port: barePort, fakes });
    children.push(bare);
    const bareOrigin = `http://127.0.0.1:${barePort}`;
    log(
      `bare Bolt: test/bench/bareBolt.ts, pid ${bare.pid}, healthy after ${fmt(await waitHealthy(bare, `${bareOrigin}/healthz`), 0)} ms`,
    );

    const planbot: Target = {
      name: 'planbot',
      child: bot,
      pool: connectionPool(botOrigin, settings.concurrency),
      rss: sampleRss(bot.pid),
      hooks,
      rounds: [],
      warmupMs: 0,
    };
    const baseline: Target = {
      name: 'bare Bolt',
      child: bare,
      pool: connectionPool(bareOrigin, settings.concurrency),
      rss: sampleRss(bare.pid),
      rounds: [],
      warmupMs: 0,
    };
    for (const t of [planbot, baseline]) closers.push(() => t.pool.close());

    // Warm-up (connections, JIT, planbot's partner token and store), then the alternating rounds.
    const warmupAccount = (i: number) => accountId(settings.rounds * settings.requests + 1 + i);
    for (const t of [planbot, baseline]) {
      const t0 = performance.now();
      await round(t, 'warmup', settings.warmup, warmupAccount);
      t.warmupMs = performance.now() - t0;
      log(`${t.name}: warm-up of ${settings.warmup} requests took ${fmt(t.warmupMs / 1000, 1)} s`);
    }
    for (let r = 0; r < settings.rounds; r++) {
      for (const t of [planbot, baseline]) {
        const result = await round(t, `round${r + 1}`, settings.requests, (i) =>
          accountId(r * settings.requests + 1 + i),
        );
        t.rounds.push(result);
        log(
          `${t.name} round ${r + 1}: ack p50 ${fmt(result.ackP50, 2)} ms, p99 ${fmt(result.ackP99, 2)} ms, ` +
            `${fmt(result.load.acked / ((result.load.lastAck - result.load.firstSend) / 1000), 0)} acks/s` +
            (result.answers ? `; ${result.answers.received} answers in ${fmt(result.answers.wallMs / 1000, 1)} s` : ''),
        );
      }
    }

    const memory = new Map<Target, { hwmMb: number; sampledMb: number; samples: number }>();
    for (const t of [planbot, baseline]) {
      t.rss.stop();
      const m = await memoryOf(t.child.pid);
      memory.set(t, { hwmMb: m.hwmMb, sampledMb: Math.max(t.rss.peakMb(), m.rssMb), samples: t.rss.samples() });
    }
    const upstream = {
      total: cc.state.requests.length,
      peakPerSecond: cc.peakPerSecond(),
      tokenFetches: cc.state.tokenFetches,
      slackApiCalls: slackApi.calls(),
    };
    const botExit = await bot.stop();
    await bare.stop();

    report(planbot, baseline, memory, upstream, {
      botExit,
      botLogLevels: bot.lineCounts,
      hooks,
      elapsedMs: performance.now() - started,
    });
  } finally {
    await Promise.allSettled(children.map((c) => c.stop(2_000)));
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

/** One batch of requests against one target; for planbot, also waits for the answers. */
function round(t: Target, tag: string, count: number, accountFor: (i: number) => string): Promise<Round> {
  return runRound({ name: t.name, pools: [t.pool], pids: [t.child.pid], hooks: t.hooks, tag, count, accountFor });
}

function report(
  planbot: Target,
  bare: Target,
  memory: Map<Target, { hwmMb: number; sampledMb: number; samples: number }>,
  upstream: { total: number; peakPerSecond: number; tokenFetches: number; slackApiCalls: number },
  extra: {
    botExit: { code: number | null; signal: NodeJS.Signals | null };
    botLogLevels: Map<string, number>;
    hooks: Hooks;
    elapsedMs: number;
  },
): void {
  const p = summarize(planbot.rounds);
  const b = summarize(bare.rounds);
  const ratio = p.ackP99 / b.ackP99;

  // planbot's answers over all rounds.
  const {
    kinds,
    otherTexts,
    completion,
    cardCompletion,
    received,
    missing,
    wallMs,
    perSecond: lookupsPerSecond,
  } = combineAnswers(planbot.rounds.map((r) => r.answers));
  const pm = memory.get(planbot) ?? { hwmMb: Number.NaN, sampledMb: Number.NaN, samples: 0 };
  const bm = memory.get(bare) ?? { hwmMb: Number.NaN, sampledMb: Number.NaN, samples: 0 };

  const describe = (t: Target, s: Summary, m: typeof pm) => {
    log(`## ${t.name}`);
    log(
      `ack latency (ms, median of ${t.rounds.length} rounds): p50 ${fmt(s.ackP50, 2)}, p99 ${fmt(s.ackP99, 2)} ` +
        `(per round p99: ${s.roundP99s.map((v) => fmt(v, 1)).join(', ')}; all rounds pooled p99 ${fmt(s.pooledP99, 2)})`,
    );
    log(
      `throughput while sending: ${fmt(s.acksPerSecond, 0)} acks/s; ack errors/timeouts: ${s.ackErrors} of ${s.sent} (${s.failures})`,
    );
    if (s.capped) log('  a round was stopped by the 60 s cap before all its requests were sent');
    log(
      `CPU while sending: ${t.name} ${fmt(s.targetCores, 2)} cores; load generator + fakes ${fmt(s.generatorCores, 2)} cores ` +
        `(its event-loop delay p99 ≤ ${fmt(s.generatorLoopDelayP99, 1)} ms)`,
    );
    log(
      `peak RSS: VmHWM ${fmt(m.hwmMb)} MB (highest VmRSS sampled every 100 ms: ${fmt(m.sampledMb)} MB over ${m.samples} samples)`,
    );
  };

  log();
  describe(planbot, p, pm);
  // Commands turned away get "busy" as the ack itself; the rest an empty ack, answered later.
  const inAck: number[] = [];
  const empty: number[] = [];
  for (const r of planbot.rounds)
    r.load.ackMs.forEach((ms, i) => (r.load.answeredInAck[i] === 1 ? inAck : empty).push(ms));
  log(
    `acks by kind, all rounds pooled: empty ${empty.filter(Number.isFinite).length} (p99 ${fmt(percentile(empty, 99), 2)} ms), ` +
      `"busy" in the ack ${inAck.length} (p99 ${fmt(percentile(inAck, 99), 2)} ms)`,
  );
  log(
    `answers at the response_urls: ${received} of ${p.sent - p.ackErrors} acknowledged ` +
      `(plan cards ${kinds.card}, "busy" refusals ${kinds.busy}, other failures ${kinds.other}, missing after the cap ${missing}, ` +
      `duplicates ${extra.hooks.duplicates()}), posted over ${extra.hooks.connections()} TCP connections (warm-up included)`,
  );
  for (const [text, n] of otherTexts) log(`  other answer ×${n}: ${text}`);
  log(
    `completed lookups/s: ${fmt(lookupsPerSecond)} (answers ÷ time from each round's first send to its last answer; ` +
      `plan cards alone ${fmt(kinds.card / (wallMs / 1000))}/s)`,
  );
  log(
    `completion (send → answer, ms): all answers p50 ${fmt(percentile(completion, 50), 0)} p99 ${fmt(percentile(completion, 99), 0)}; ` +
      `plan cards p50 ${fmt(percentile(cardCompletion, 50), 0)} p99 ${fmt(percentile(cardCompletion, 99), 0)}`,
  );
  log(
    `fake Constant Contact (whole run, warm-up included): token fetches ${upstream.tokenFetches}, plan requests ${upstream.total}, ` +
      `peak ${upstream.peakPerSecond} in any 1 s (CC_RATE_LIMIT=${settings.ccRateLimit})`,
  );
  log(
    `fake Slack Web API calls ${upstream.slackApiCalls}; planbot log lines: ` +
      `${[...extra.botLogLevels].map(([level, n]) => `${level} ${n}`).join(', ') || 'none'}; ` +
      `exit on SIGTERM: ${extra.botExit.code ?? extra.botExit.signal}`,
  );
  log();
  describe(bare, b, bm);
  log();
  log(`ack p99 ratio planbot ÷ bare Bolt: ${fmt(ratio, 2)} (target ≤ ${targets.ackP99Ratio})`);
  log();

  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const rows: string[][] = [
    ['Metric', 'planbot', 'bare Bolt', 'Target', 'Result'],
    ['Ack p50 (ms)', fmt(p.ackP50, 2), fmt(b.ackP50, 2), '', ''],
    ['Ack p99 (ms)', fmt(p.ackP99, 2), fmt(b.ackP99, 2), '', ''],
    [
      'Ack p99 ratio (planbot ÷ bare Bolt)',
      fmt(ratio, 2),
      '',
      `≤ ${targets.ackP99Ratio}`,
      pass(ratio <= targets.ackP99Ratio),
    ],
    [
      'Token fetches',
      String(upstream.tokenFetches),
      '',
      `= ${targets.tokenFetches}`,
      pass(upstream.tokenFetches === targets.tokenFetches),
    ],
    ['Peak RSS (MB)', fmt(pm.hwmMb), fmt(bm.hwmMb), `< ${targets.peakRssMb}`, pass(pm.hwmMb < targets.peakRssMb)],
    ['Acks/s while sending', fmt(p.acksPerSecond, 0), fmt(b.acksPerSecond, 0), '', ''],
    ['Completed lookups/s', fmt(lookupsPerSecond), '', '', ''],
    ['Answers: plan card / busy / other', `${kinds.card} / ${kinds.busy} / ${kinds.other}`, '', '', ''],
    [
      'Upstream requests (peak in 1 s)',
      `${upstream.total} (${upstream.peakPerSecond})`,
      '',
      `peak ≤ ${settings.ccRateLimit}`,
      '',
    ],
    ['Errors / timeouts', `${p.ackErrors} ack, ${missing} unanswered`, `${b.ackErrors} ack`, '', ''],
  ];
  printTable(rows);
  log();
  log(
    `${settings.rounds} × ${settings.requests} requests per target at ${settings.concurrency} concurrent (latencies: median of the rounds), ` +
      `CC_RATE_LIMIT=${settings.ccRateLimit}, node ${process.version}; the run took ${fmt(extra.elapsedMs / 1000, 0)} s (plus the build).`,
  );
}

runBench('bench', main);
