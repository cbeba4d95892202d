/**
 * Two planbot replicas on one Redis (`npm run bench:replicas`; `npm run bench` runs it after the
 * single-process benchmark): both processes share REDIS_URL and a REDIS_PREFIX of their own for
 * this run, talk to the same loopback fakes, and take the single-process benchmark's /plan load
 * spread over both: request i goes to replica i % 2 (a round-robin load balancer), at the same
 * total concurrency, with the same warm-up and the same rounds of the same size (run.ts's knobs:
 * BENCH_REQUESTS, BENCH_ROUNDS, BENCH_WARMUP, BENCH_CONCURRENCY, BENCH_CC_RATE_LIMIT, …).
 *
 * It reports commands acked per second and ack p50/p99 across both replicas (and each one's),
 * lookups answered per second at the response_urls by outcome (plan card or "busy"), the token
 * fetches the fake token endpoint saw (the fleet should fetch one), upstream plan requests per
 * second at the fake (peak in any one-second window, and the mean) against CC_RATE_LIMIT, which
 * holds for the whole fleet, and each replica's peak RSS.
 *
 * Redis: REDIS_URL, or redis://127.0.0.1:6379. When no Redis answers there, the scenario is
 * skipped (exit 0, so `npm run bench` goes on). The run's keys (prefix
 * `planbot-bench-<pid>-<time>`) are deleted afterwards, also when the run is interrupted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'undici';
import { dropPrefix, redisAnswers } from '../helpers/redis.ts';
import {
  acksPerSecond,
  answerStats,
  type BenchFakes,
  combineAnswers,
  fmt,
  log,
  median,
  onAbort,
  planbotMain,
  printTable,
  type Round,
  runBench,
  runRound,
  settings,
  startBenchFakes,
  startPlanbot,
  summarize,
} from './common.ts';
import { accountId } from './fakes.ts';
import { connectionPool, type LoadResult, percentile } from './load.ts';
import { type Child, freePort, memoryOf, sampleRss, waitHealthy } from './proc.ts';

const targets = { tokenFetches: 1 };
/** The spacing planbot's rate gate keeps between two upstream requests (see src/partner/rateGate.ts). */
const gateSpacingMs = (1000 / settings.ccRateLimit) * 1.05;

interface Replica {
  name: string;
  index: number;
  child: Child;
  origin: string;
  pool: Pool;
  rss: ReturnType<typeof sampleRss>;
}

/** What a replica says about itself on /metrics at the end of the run. */
interface OwnCount {
  tokenFetches: number;
  /** Requests to Constant Contact (token fetches included), from its upstream-duration histogram. */
  upstreamCalls: number;
}

/** The URL as printed: without a password it may carry. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  log('# two planbot replicas on one Redis');
  log();
  if (!(await redisAnswers(redisUrl, 1_000))) {
    log(`two-replica scenario skipped: no Redis answered at ${shown(redisUrl)} (set REDIS_URL to run it)`);
    return;
  }

  const mainJs = planbotMain();
  const started = performance.now();
  const prefix = `planbot-bench-${process.pid}-${Date.now()}`;
  const forgetPrefix = onAbort(() => dropPrefix(redisUrl, prefix));
  const closers: (() => Promise<unknown>)[] = [];
  const replicas: Replica[] = [];
  let keysDeleted = 0;

  try {
    const accounts = settings.warmup + settings.rounds * settings.requests;
    const fakes = await startBenchFakes(accounts);
    closers.push(fakes.close);
    log(
      `node ${process.version}, ${settings.rounds} rounds × ${settings.requests} signed /plan requests ` +
        `(after ${settings.warmup} warm-up), ${settings.concurrency} concurrent over both replicas (request i to replica i % 2); ` +
        `CC_RATE_LIMIT=${settings.ccRateLimit} for the fleet; fake Constant Contact: ${accounts} accounts, ${settings.apiDelayMs} ms latency; ` +
        `Redis ${shown(redisUrl)}, REDIS_PREFIX=${prefix}`,
    );
    // Both replicas, the load generator and the fakes share this machine's cores.
    log(
      `machine: ${availableParallelism()} cores, load average ${loadavg()
        .map((v) => fmt(v, 2))
        .join(' ')} before the run`,
    );

    // A cold fleet: both replicas start together, with no token in Redis yet.
    const ports = [await freePort(), await freePort()];
    for (const [index, port] of ports.entries()) {
      const name = `replica ${'AB'[index]}`;
      const dataDir = mkdtempSync(join(tmpdir(), 'planbot-bench-replica-'));
      process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
      const child = startPlanbot(name, {
        mainJs,
        port,
        dataDir,
        fakes,
        env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix },
      });
      const origin = `http://127.0.0.1:${port}`;
      replicas.push({
        name,
        index,
        child,
        origin,
        pool: connectionPool(origin, settings.concurrency),
        rss: sampleRss(child.pid),
      });
    }
    for (const r of replicas) closers.push(() => r.pool.close());
    const healthyAfter = await Promise.all(replicas.map((r) => waitHealthy(r.child, `${r.origin}/healthz`)));
    for (const r of replicas)
      log(
        `${r.name}: node dist/main.js, pid ${r.child.pid}, healthy after ${fmt(healthyAfter[r.index] as number, 0)} ms`,
      );

    const pools = replicas.map((r) => r.pool);
    const pids = replicas.map((r) => r.child.pid);
    const round = (tag: string, count: number, accountFor: (i: number) => string) =>
      runRound({ name: 'two replicas', pools, pids, hooks: fakes.hooks, tag, count, accountFor });
    const upstreamSoFar = () => fakes.cc.state.requests.length;

    const warmupStart = performance.now();
    await round('warmup', settings.warmup, (i) => accountId(settings.rounds * settings.requests + 1 + i));
    log(`warm-up of ${settings.warmup} requests took ${fmt((performance.now() - warmupStart) / 1000, 1)} s`);

    const rounds: Round[] = [];
    /** Upstream plan requests made for each measured round (its answers wait on them), and the ms from its first to its last. */
    const upstreamByRound: number[] = [];
    const upstreamSpans: number[] = [];
    for (let n = 0; n < settings.rounds; n++) {
      const before = upstreamSoFar();
      const r = await round(`round${n + 1}`, settings.requests, (i) => accountId(n * settings.requests + 1 + i));
      rounds.push(r);
      const made = fakes.cc.state.requests.slice(before).map((q) => q.at);
      upstreamByRound.push(made.length);
      upstreamSpans.push(made.length > 1 ? Math.max(...made) - Math.min(...made) : 0);
      const a = r.answers;
      log(
        `round ${n + 1}: ack p50 ${fmt(r.ackP50, 2)} ms, p99 ${fmt(r.ackP99, 2)} ms, ${fmt(acksPerSecond(r.load), 0)} acks/s` +
          (a
            ? `; ${a.received} answers in ${fmt(a.wallMs / 1000, 1)} s (cards ${a.byKind.card}, busy ${a.byKind.busy}, other ${a.byKind.other}); ` +
              `${upstreamByRound[n]} upstream plan requests`
            : ''),
      );
    }

    const memory = await Promise.all(
      replicas.map(async (r) => {
        r.rss.stop();
        const m = await memoryOf(r.child.pid);
        return { hwmMb: m.hwmMb, sampledMb: Math.max(r.rss.peakMb(), m.rssMb), samples: r.rss.samples() };
      }),
    );
    const own = await Promise.all(replicas.map((r) => ownCount(r.origin)));
    const times = fakes.cc.state.requests.map((q) => q.at).sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, k) => t - (times[k] as number));
    const upstream = {
      total: times.length,
      peakPerSecond: fakes.cc.peakPerSecond(),
      tokenFetches: fakes.cc.state.tokenFetches,
      gapP1: percentile(gaps, 1),
      gapP50: percentile(gaps, 50),
      measured: upstreamByRound.reduce((x, y) => x + y, 0),
      measuredSpanMs: upstreamSpans.reduce((x, y) => x + y, 0),
    };
    const exits = await Promise.all(replicas.map((r) => r.child.stop()));
    keysDeleted = await dropPrefix(redisUrl, prefix);
    forgetPrefix();

    report({
      replicas,
      rounds,
      memory,
      own,
      upstream,
      exits,
      fakes,
      prefix,
      keysDeleted,
      elapsedMs: performance.now() - started,
    });
  } finally {
    await Promise.allSettled(replicas.map((r) => r.child.stop(2_000)));
    for (const close of closers.reverse()) await close().catch(() => {});
    if (keysDeleted === 0) await dropPrefix(redisUrl, prefix).catch(() => 0);
  }
}

/** The replica's own counts from GET /metrics (Prometheus text). */
async function ownCount(origin: string): Promise<OwnCount> {
  try {
    const res = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const text = await res.text();
    const sum = (name: string, labels = '') => {
      let total = 0;
      for (const line of text.split('\n')) {
        const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
        if (m && m[1] === name && (m[2] ?? '').includes(labels)) total += Number(m[3]);
      }
      return total;
    };
    return {
      tokenFetches: sum('planbot_token_fetches_total'),
      upstreamCalls: sum('planbot_upstream_request_duration_seconds_count', 'api="constant-contact"'),
    };
  } catch {
    return { tokenFetches: Number.NaN, upstreamCalls: Number.NaN };
  }
}

/** Ack latency percentile over the requests one replica took (i % replicas === index). */
function ackPercentile(load: LoadResult, p: number, only: (i: number) => boolean): number {
  const mine: number[] = [];
  for (let i = 0; i < load.ackMs.length; i++) if (only(i)) mine.push(load.ackMs[i] as number);
  return percentile(mine, p);
}

function report(o: {
  replicas: Replica[];
  rounds: Round[];
  memory: { hwmMb: number; sampledMb: number; samples: number }[];
  own: OwnCount[];
  upstream: {
    total: number;
    peakPerSecond: number;
    tokenFetches: number;
    gapP1: number;
    gapP50: number;
    measured: number;
    measuredSpanMs: number;
  };
  exits: { code: number | null; signal: NodeJS.Signals | null }[];
  fakes: BenchFakes;
  prefix: string;
  keysDeleted: number;
  elapsedMs: number;
}): void {
  const { replicas, rounds, upstream } = o;
  const count = replicas.length;
  const s = summarize(rounds);
  const fleet = combineAnswers(rounds.map((r) => r.answers));
  const perSecond = (n: number) => n / (fleet.wallMs / 1000);
  const upstreamMean = perSecond(upstream.measured);
  // A "busy" refusal is meant to come at once; a late one waited at the rate gate until its deadline.
  const busyCompletion: number[] = [];
  for (const round of rounds) {
    for (const [i, a] of round.answerMap ?? [])
      if (a.kind === 'busy') busyCompletion.push(a.at - (round.load.sentAt[i] as number));
    // Turned away in the ack: "busy" as the ack itself.
    round.load.answeredInAck.forEach((inAck, i) => {
      if (inAck === 1) busyCompletion.push(round.load.ackMs[i] as number);
    });
  }

  const each = replicas.map((r) => {
    const only = (i: number) => i % count === r.index;
    const answers = combineAnswers(
      rounds.map((round) => (round.answerMap ? answerStats(round.answerMap, round.load, only) : undefined)),
    );
    let acked = 0;
    let sent = 0;
    for (const round of rounds) {
      for (let i = 0; i < round.load.sentAt.length; i++) {
        if (!only(i) || Number.isNaN(round.load.sentAt[i])) continue;
        sent++;
        if (Number.isFinite(round.load.ackMs[i])) acked++;
      }
    }
    return {
      r,
      answers,
      acked,
      sent,
      ackP50: median(rounds.map((round) => ackPercentile(round.load, 50, only))),
      ackP99: median(rounds.map((round) => ackPercentile(round.load, 99, only))),
      acksPerSecond: median(
        rounds.map((round) => acksOf(round.load, only) / ((round.load.lastAck - round.load.firstSend) / 1000)),
      ),
      cores: median(rounds.map((round) => round.coresByTarget[r.index] as number)),
      memory: o.memory[r.index] ?? { hwmMb: Number.NaN, sampledMb: Number.NaN, samples: 0 },
      own: o.own[r.index] ?? { tokenFetches: Number.NaN, upstreamCalls: Number.NaN },
      exit: o.exits[r.index],
    };
  });

  log();
  log('## two replicas, measured rounds');
  log(
    `ack latency across both (ms, median of ${rounds.length} rounds): p50 ${fmt(s.ackP50, 2)}, p99 ${fmt(s.ackP99, 2)} ` +
      `(per round p99: ${s.roundP99s.map((v) => fmt(v, 1)).join(', ')}; all rounds pooled p99 ${fmt(s.pooledP99, 2)})`,
  );
  log(
    `commands acked while sending: ${fmt(s.acksPerSecond, 0)}/s across both; ack errors/timeouts: ${s.ackErrors} of ${s.sent} (${s.failures})`,
  );
  if (s.capped) log('  a round was stopped by the 60 s cap before all its requests were sent');
  log(
    `CPU while sending: both replicas ${fmt(s.targetCores, 2)} cores; load generator + fakes ${fmt(s.generatorCores, 2)} cores ` +
      `(its event-loop delay p99 ≤ ${fmt(s.generatorLoopDelayP99, 1)} ms)`,
  );
  log(
    `lookups answered at the response_urls: ${fmt(fleet.perSecond)}/s (plan cards ${fmt(perSecond(fleet.kinds.card))}/s, ` +
      `"busy" ${fmt(perSecond(fleet.kinds.busy))}/s, other ${fmt(perSecond(fleet.kinds.other))}/s; answers ÷ time from each round's first send to its last answer)`,
  );
  log(
    `answers: ${fleet.received} of ${s.sent - s.ackErrors} acknowledged (plan cards ${fleet.kinds.card}, "busy" ${fleet.kinds.busy}, ` +
      `other ${fleet.kinds.other}, missing after the cap ${fleet.missing}; duplicates ${o.fakes.hooks.duplicates()}, warm-up included)`,
  );
  for (const [text, n] of fleet.otherTexts) log(`  other answer ×${n}: ${text}`);
  log(
    `completion (send → answer, ms): all answers p50 ${fmt(percentile(fleet.completion, 50), 0)} p99 ${fmt(percentile(fleet.completion, 99), 0)}; ` +
      `plan cards p50 ${fmt(percentile(fleet.cardCompletion, 50), 0)} p99 ${fmt(percentile(fleet.cardCompletion, 99), 0)}; ` +
      `"busy" p50 ${fmt(percentile(busyCompletion, 50), 0)} p99 ${fmt(percentile(busyCompletion, 99), 0)} ` +
      `(${busyCompletion.filter((ms) => ms > 1_000).length} of ${busyCompletion.length} later than 1 s, ` +
      `${busyCompletion.filter((ms) => ms > 3_000).length} later than 3 s)`,
  );
  log(
    `fake Constant Contact: token fetches ${upstream.tokenFetches} (target ${targets.tokenFetches} for the fleet); plan requests ${upstream.total} ` +
      `(warm-up included), peak ${upstream.peakPerSecond} in any 1 s window; over the measured rounds ${upstream.measured} requests, ` +
      `mean ${fmt(upstreamMean)}/s (from each round's first send to its last answer; ` +
      `${fmt(upstream.measured / (upstream.measuredSpanMs / 1000))}/s from its first upstream request to its last); CC_RATE_LIMIT=${settings.ccRateLimit} for the fleet`,
  );
  log(
    `gaps between consecutive plan requests at the fake: p1 ${fmt(upstream.gapP1, 0)} ms, p50 ${fmt(upstream.gapP50, 0)} ms ` +
      `(the rate gate spaces them ${fmt(gateSpacingMs)} ms apart fleet-wide)`,
  );
  for (const e of each) {
    log(
      `${e.r.name} (pid ${e.r.child.pid}): ${e.acked} of ${e.sent} acked, ack p50 ${fmt(e.ackP50, 2)} p99 ${fmt(e.ackP99, 2)} ms; ` +
        `answered cards ${e.answers.kinds.card}, busy ${e.answers.kinds.busy}, other ${e.answers.kinds.other}; ` +
        `CPU ${fmt(e.cores, 2)} cores while sending; its /metrics: token fetches ${e.own.tokenFetches}, ` +
        `Constant Contact calls ${e.own.upstreamCalls}; peak RSS VmHWM ${fmt(e.memory.hwmMb)} MB ` +
        `(sampled ${fmt(e.memory.sampledMb)} MB over ${e.memory.samples} samples); log lines ` +
        `${[...e.r.child.lineCounts].map(([level, n]) => `${level} ${n}`).join(', ') || 'none'}; exit on SIGTERM ${e.exit?.code ?? e.exit?.signal}`,
    );
  }
  log(`Redis keys under ${o.prefix} deleted afterwards: ${o.keysDeleted}`);
  log();

  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const [a, b] = each;
  const col = (f: (e: (typeof each)[number]) => string) => [a ? f(a) : '', b ? f(b) : ''];
  const rows: string[][] = [
    ['Metric', 'Replica A', 'Replica B', 'Both', 'Target', 'Result'],
    ['Commands acked/s while sending', ...col((e) => fmt(e.acksPerSecond, 0)), fmt(s.acksPerSecond, 0), '', ''],
    ['Ack p50 (ms)', ...col((e) => fmt(e.ackP50, 2)), fmt(s.ackP50, 2), '', ''],
    ['Ack p99 (ms)', ...col((e) => fmt(e.ackP99, 2)), fmt(s.ackP99, 2), '', ''],
    [
      'Lookups answered/s (cards + busy)',
      ...col((e) => `${fmt(perSecond(e.answers.kinds.card))} + ${fmt(perSecond(e.answers.kinds.busy))}`),
      `${fmt(fleet.perSecond)} (${fmt(perSecond(fleet.kinds.card))} + ${fmt(perSecond(fleet.kinds.busy))})`,
      '',
      '',
    ],
    [
      'Answers: plan card / busy / other',
      ...col((e) => `${e.answers.kinds.card} / ${e.answers.kinds.busy} / ${e.answers.kinds.other}`),
      `${fleet.kinds.card} / ${fleet.kinds.busy} / ${fleet.kinds.other}`,
      '',
      '',
    ],
    [
      'Token fetches',
      ...col((e) => String(e.own.tokenFetches)),
      String(upstream.tokenFetches),
      `= ${targets.tokenFetches}`,
      pass(upstream.tokenFetches === targets.tokenFetches),
    ],
    [
      'Upstream plan requests/s: peak in any 1 s / mean',
      '',
      '',
      `${upstream.peakPerSecond} / ${fmt(upstreamMean)}`,
      `peak ≤ ${settings.ccRateLimit}`,
      pass(upstream.peakPerSecond <= settings.ccRateLimit),
    ],
    ['Peak RSS (MB, VmHWM)', ...col((e) => fmt(e.memory.hwmMb)), '', '', ''],
    [
      'Errors / timeouts',
      ...col((e) => `${e.sent - e.acked} ack, ${e.answers.missing} unanswered`),
      `${s.ackErrors} ack, ${fleet.missing} unanswered`,
      '',
      '',
    ],
  ];
  printTable(rows);
  log();
  log(
    `${settings.rounds} × ${settings.requests} requests over two replicas at ${settings.concurrency} concurrent in all (latencies: median of the rounds), ` +
      `CC_RATE_LIMIT=${settings.ccRateLimit} for the fleet, one Redis, node ${process.version}; the run took ${fmt(o.elapsedMs / 1000, 0)} s (plus the build).`,
  );
}

function acksOf(load: LoadResult, only: (i: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < load.ackMs.length; i++) if (only(i) && Number.isFinite(load.ackMs[i])) n++;
  return n;
}

runBench('replicas bench', main);
