/**
 * The overload benchmark (`npm run bench:overload`): an open-loop burst of signed `/plan <id>`
 * slash commands, sent at a fixed rate whatever the bot answers (as Slack sends them), against
 * `node dist/main.js` with Constant Contact, Slack's Web API and the response_urls faked on
 * loopback. Commands past what the bot can take are turned away, and the run checks how: a 200 with
 * the busy message as its body (what Slack shows the person), a 200 with an empty body (answered
 * later at the response_url), or anything else.
 *
 * It reports the bot's peak RSS (VmHWM, and VmRSS sampled every 100 ms) against the 200 MB target,
 * the acks by kind and their latency (Slack waits 3 s for an ack), the answers at the response_urls
 * (every command acked empty must get one; a command acked busy must get none), how soon the busy
 * answers came, and the upstream requests per second against CC_RATE_LIMIT.
 *
 * It measures; it does not judge: exit 0 when it ran, non-zero when it could not.
 *
 * Knobs (environment): BENCH_OVERLOAD_RATE (3500 commands a second), BENCH_OVERLOAD_SECONDS (10),
 * BENCH_OVERLOAD_CONNECTIONS (256 keep-alive connections), BENCH_OVERLOAD_PAD_BYTES (0: a field of
 * this many bytes that planbot ignores is added to each command, for bodies the size of a button
 * click's, which carries its whole message), BENCH_WARMUP (2000 here, closed loop at
 * BENCH_CONCURRENCY), and run.ts's BENCH_CC_RATE_LIMIT, BENCH_API_DELAY_MS, BENCH_NODE_ARGS,
 * BENCH_LOG_DIR, BENCH_PLANBOT_MAIN.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Pool } from 'undici';
import { delay } from '../helpers/http.ts';
import {
  envNumber,
  fmt,
  type Hooks,
  log,
  planbotMain,
  printTable,
  runBench,
  runRound,
  settings,
  signingSecret,
  startBenchFakes,
  startPlanbot,
} from './common.ts';
import { type Answer, accountId } from './fakes.ts';
import { connectionPool, percentile, prepareCommands, primeConnections } from './load.ts';
import { freePort, memoryOf, sampleRss, waitHealthy } from './proc.ts';

const burst = {
  rate: envNumber('BENCH_OVERLOAD_RATE', 3500),
  seconds: envNumber('BENCH_OVERLOAD_SECONDS', 10),
  connections: Math.floor(envNumber('BENCH_OVERLOAD_CONNECTIONS', 256)),
  padBytes: Math.floor(Number(process.env.BENCH_OVERLOAD_PAD_BYTES ?? 0) || 0),
  warmup: Math.floor(envNumber('BENCH_WARMUP', 2000)),
};
const targets = { peakRssMb: 200 };
/** After the last send, how long the answers may take (a lookup's budget is 15 s from its ack). */
const answerWaitMs = 20_000;

/** How a command was acknowledged: an empty 200 (answered later), a 200 carrying "busy", or anything else. */
export type AckKind = 'empty' | 'busy' | 'other';

export const ackKindOf = (status: number, body: string): AckKind =>
  status !== 200 ? 'other' : body === '' ? 'empty' : /busy/i.test(body) ? 'busy' : 'other';

async function main(): Promise<void> {
  const mainJs = planbotMain();
  const count = Math.round(burst.rate * burst.seconds);
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-bench-overload-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const fakes = await startBenchFakes(count + burst.warmup);
  const closers: (() => Promise<unknown>)[] = [fakes.close];
  try {
    log('# overload: an open-loop burst of /plan commands');
    log();
    log(
      `node ${process.version}; ${burst.rate} signed /plan commands a second for ${burst.seconds} s (${count}), ` +
        `over ${burst.connections} keep-alive connections, after a ${burst.warmup}-command warm-up; ` +
        `${burst.padBytes > 0 ? `each body padded with ${burst.padBytes} bytes; ` : ''}` +
        `CC_RATE_LIMIT=${settings.ccRateLimit}; fake Constant Contact ${settings.apiDelayMs} ms latency; ` +
        `machine: ${availableParallelism()} cores, load average ${loadavg()
          .map((v) => fmt(v, 2))
          .join(' ')}`,
    );
    const port = await freePort();
    const bot = startPlanbot('planbot', { mainJs, port, dataDir, fakes });
    closers.push(() => bot.stop(2_000));
    const origin = `http://127.0.0.1:${port}`;
    log(`planbot: pid ${bot.pid}, healthy after ${fmt(await waitHealthy(bot, `${origin}/healthz`), 0)} ms`);

    const warmPool = connectionPool(origin, settings.concurrency);
    closers.push(() => warmPool.close());
    const warm = await runRound({
      name: 'planbot',
      pools: [warmPool],
      pids: [bot.pid],
      hooks: fakes.hooks,
      tag: 'warmup',
      count: burst.warmup,
      accountFor: (i) => accountId(count + 1 + i),
    });
    log(`warm-up: ${warm.load.acked} acked, ${warm.answers?.received ?? 0} answered`);
    await delay(2_000);
    const rssBefore = await memoryOf(bot.pid);
    const rss = sampleRss(bot.pid);

    const pool = connectionPool(origin, burst.connections, 30_000);
    closers.push(() => pool.close());
    const upstreamBefore = fakes.cc.state.requests.length;
    const result = await runBurst({
      pool,
      connections: burst.connections,
      hooks: fakes.hooks,
      tag: 'burst',
      rate: burst.rate,
      seconds: burst.seconds,
      accountFor: (i) => accountId(i + 1),
      padBytes: burst.padBytes,
    });
    rss.stop();
    const after = await memoryOf(bot.pid);
    const upstream = fakes.cc.state.requests.slice(upstreamBefore).map((r) => r.at);

    report({
      ...result,
      duplicates: fakes.hooks.duplicates(),
      rss: { beforeMb: rssBefore.rssMb, hwmMb: after.hwmMb, sampledMb: Math.max(rss.peakMb(), after.rssMb) },
      upstream,
      logLines: bot.lineCounts,
    });
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

export interface BurstResult {
  count: number;
  sendSeconds: number;
  /** The generator's own event-loop delay p99 (ms) while sending. */
  generatorLoopP99: number;
  /** performance.now() of each command's send, and its ack's latency (NaN when not acked). */
  sentAt: Float64Array;
  ackMs: Float64Array;
  ackKind: (AckKind | undefined)[];
  /** HTTP statuses, and error codes of requests that got none. */
  statuses: Map<number | string, number>;
  /** The answers posted to the commands' response_urls, by command index. */
  answers: Map<number, Answer>;
}

/**
 * An open-loop burst of `rate × seconds` signed `/plan` commands over `pool` (command i leaves at
 * t0 + i / rate, whether or not the earlier ones were answered, as Slack sends them); then waits
 * until every command acked empty has its answer at its response_url, or `answerWaitMs` passed,
 * and half a second more for anything posted twice or to a command refused in its ack.
 */
export async function runBurst(o: {
  pool: Pool;
  connections: number;
  hooks: Hooks;
  tag: string;
  rate: number;
  seconds: number;
  accountFor: (i: number) => string;
  padBytes?: number;
  answerWaitMs?: number;
}): Promise<BurstResult> {
  const count = Math.round(o.rate * o.seconds);
  await primeConnections(o.pool, o.connections);
  const run = o.hooks.run(o.tag);
  const requests = prepareCommands(count, {
    secret: signingSecret,
    accountFor: o.accountFor,
    responseUrlFor: (i) => run.url(i),
    padBytes: o.padBytes ?? 0,
  });
  const sentAt = new Float64Array(count).fill(Number.NaN);
  const ackMs = new Float64Array(count).fill(Number.NaN);
  const ackKind: (AckKind | undefined)[] = new Array(count);
  const statuses = new Map<number | string, number>();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();

  // Open loop: request i leaves at t0 + i / rate, whether or not the earlier ones were answered.
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  let next = 0;
  while (next < count) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * o.rate) + 1);
    for (; next < due; next++) pending.push(send(next));
    await delay(1);
  }
  const sendSeconds = (performance.now() - t0) / 1000;
  await Promise.all(pending);
  loop.disable();

  async function send(i: number) {
    const req = requests[i]!;
    const started = performance.now();
    sentAt[i] = started;
    try {
      const res = await o.pool.request({ path: '/slack/events', method: 'POST', headers: req.headers, body: req.body });
      const text = await res.body.text();
      ackMs[i] = performance.now() - started;
      const key = res.statusCode;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      ackKind[i] = ackKindOf(res.statusCode, text);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      statuses.set(code, (statuses.get(code) ?? 0) + 1);
    }
  }

  // Every command acked empty is owed one answer; wait for them (or for the time to run out).
  const owed = ackKind.filter((k) => k === 'empty').length;
  const until = performance.now() + (o.answerWaitMs ?? answerWaitMs);
  while (performance.now() < until) {
    let owedAnswered = 0;
    for (const [i] of run.answers) if (ackKind[i] === 'empty') owedAnswered++;
    if (owedAnswered >= owed) break;
    await delay(50);
  }
  await delay(500); // anything posted twice, or to a refused command, has had time to arrive
  return {
    count,
    sendSeconds,
    generatorLoopP99: loop.percentile(99) / 1e6,
    sentAt,
    ackMs,
    ackKind,
    statuses,
    answers: run.answers,
  };
}

/** A burst's acks by kind (their latencies, ms) and its answers, as the checks read them. */
export function tallyBurst(o: BurstResult) {
  const acks = { empty: [] as number[], busy: [] as number[], other: [] as number[] };
  for (let i = 0; i < o.count; i++) {
    const kind = o.ackKind[i];
    if (kind) acks[kind].push(o.ackMs[i] as number);
  }
  const acked = acks.empty.length + acks.busy.length + acks.other.length;
  const answered = { card: 0, busy: 0, other: 0 };
  const answerBusyMs: number[] = [];
  let toRefused = 0;
  let owedAnswered = 0;
  for (const [i, a] of o.answers) {
    if (o.ackKind[i] === 'empty') owedAnswered++;
    else toRefused++;
    answered[a.kind]++;
    if (a.kind === 'busy') answerBusyMs.push(a.at - (o.sentAt[i] as number));
  }
  return {
    acks,
    /** Commands that got no HTTP answer at all. */
    unacked: o.count - acked,
    /** Acks later than Slack's 3 s. */
    late: [...acks.empty, ...acks.busy, ...acks.other].filter((ms) => ms > 3_000).length,
    answered,
    /** Commands acked empty and never answered. */
    unanswered: acks.empty.length - owedAnswered,
    /** Answers posted to a command that was not acked empty (refused in its ack, or failed). */
    toRefused,
    /** A busy answer, in the ack or at the response_url, from the command's send. */
    busyMs: [...acks.busy, ...answerBusyMs],
  };
}

function report(
  o: BurstResult & {
    duplicates: number;
    rss: { beforeMb: number; hwmMb: number; sampledMb: number };
    upstream: number[];
    logLines: Map<string, number>;
  },
): void {
  const { acks: byKind, unacked, late, answered, unanswered, toRefused, busyMs } = tallyBurst(o);
  const peakPerSecond = (() => {
    const t = [...o.upstream].sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < t.length; i++) {
      while ((t[i] as number) - (t[j] as number) >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    return peak;
  })();

  log();
  log('## the burst');
  log(
    `sent ${o.count} in ${fmt(o.sendSeconds, 1)} s (${fmt(o.count / o.sendSeconds, 0)}/s; the generator's event-loop delay p99 ` +
      `${fmt(o.generatorLoopP99, 1)} ms); HTTP answers: ${[...o.statuses].map(([s, n]) => `${s} ×${n}`).join(', ')}`,
  );
  log(
    `acks: empty ${byKind.empty.length} (p50 ${fmt(percentile(byKind.empty, 50), 0)} ms, p99 ${fmt(percentile(byKind.empty, 99), 0)} ms), ` +
      `busy in the ack ${byKind.busy.length} (p50 ${fmt(percentile(byKind.busy, 50), 0)} ms, p99 ${fmt(percentile(byKind.busy, 99), 0)} ms), ` +
      `other ${byKind.other.length}; later than Slack's 3 s: ${late}`,
  );
  log(
    `answers at the response_urls: plan cards ${answered.card}, busy ${answered.busy}, other ${answered.other}; ` +
      `owed and missing ${unanswered}; posted to a command refused in its ack ${toRefused}; duplicates ${o.duplicates}`,
  );
  log(
    `busy, in the ack or posted (send → busy, ms): p50 ${fmt(percentile(busyMs, 50), 0)}, p99 ${fmt(percentile(busyMs, 99), 0)}, ` +
      `max ${fmt(Math.max(...busyMs), 0)}; ${busyMs.filter((ms) => ms > 1_000).length} of ${busyMs.length} later than 1 s ` +
      `(1–2 s ${between(busyMs, 1_000, 2_000)}, 2–5 s ${between(busyMs, 2_000, 5_000)}, over 5 s ${between(busyMs, 5_000, Infinity)})`,
  );
  log(
    `fake Constant Contact: ${o.upstream.length} plan requests during the run, peak ${peakPerSecond} in any 1 s ` +
      `(CC_RATE_LIMIT=${settings.ccRateLimit})`,
  );
  log(
    `planbot RSS: ${fmt(o.rss.beforeMb)} MB before the burst; peak VmHWM ${fmt(o.rss.hwmMb)} MB (sampled ${fmt(o.rss.sampledMb)} MB); ` +
      `log lines ${[...o.logLines].map(([level, n]) => `${level} ${n}`).join(', ') || 'none'}`,
  );
  log();
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  printTable([
    ['Metric', 'Value', 'Target', 'Result'],
    ['Peak RSS (MB, VmHWM)', fmt(o.rss.hwmMb), `< ${targets.peakRssMb}`, pass(o.rss.hwmMb < targets.peakRssMb)],
    ['Acks: empty / busy / other', `${byKind.empty.length} / ${byKind.busy.length} / ${byKind.other.length}`, '', ''],
    ['Acks later than 3 s, or none', String(late + unacked), '0', pass(late + unacked === 0)],
    [
      'Owed answers missing; answers to refused; duplicates',
      `${unanswered}; ${toRefused}; ${o.duplicates}`,
      '0; 0; 0',
      '',
    ],
    ['Upstream requests, peak in any 1 s', String(peakPerSecond), `≤ ${settings.ccRateLimit}`, ''],
  ]);
}

function between(values: number[], low: number, high: number): number {
  return values.filter((v) => v > low && v <= high).length;
}

// Run as a script; imported (for runBurst), it only defines.
if (import.meta.main) runBench('overload bench', main);
