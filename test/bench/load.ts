import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { signedHeaders, slashCommandBody } from '../helpers/slack.ts';

export interface PreparedRequest {
  body: string;
  headers: Record<string, string>;
}

/** Signed `/plan <id>` bodies, built before the clock starts so signing costs the generator nothing. */
export function prepareCommands(
  count: number,
  o: {
    secret: string;
    accountFor: (i: number) => string;
    responseUrlFor: (i: number) => string;
    /** A field of this many bytes planbot ignores, for bodies as big as a click's. */
    padBytes?: number;
  },
): PreparedRequest[] {
  const timestamp = Math.floor(Date.now() / 1000);
  const out: PreparedRequest[] = [];
  const pad = o.padBytes ? `&bench_pad=${'x'.repeat(o.padBytes)}` : '';
  for (let i = 0; i < count; i++) {
    const body =
      slashCommandBody({
        text: o.accountFor(i),
        responseUrl: o.responseUrlFor(i),
        userId: `U${String(1000 + (i % 400))}`,
        channelId: `C${String(100 + (i % 25))}`,
      }) + pad;
    out.push({ body, headers: signedHeaders(body, o.secret, timestamp) });
  }
  return out;
}

export interface LoadResult {
  /** performance.now() of each request's send, by index (NaN when never sent). */
  sentAt: Float64Array;
  /** Ack latency (ms) of each request that got an HTTP 200, by index (NaN otherwise). */
  ackMs: Float64Array;
  sent: number;
  acked: number;
  /** 1 where the 200 carried a body: planbot's busy answer, sent as the ack when it turns a command away. */
  answeredInAck: Uint8Array;
  inAck: number;
  /** Non-200 answers, by status. */
  badStatus: Map<number, number>;
  /** Requests that failed or timed out on the way (no HTTP answer). */
  failures: Map<string, number>;
  firstSend: number;
  lastAck: number;
  /** True when the time cap stopped the run before every request was sent. */
  cappedByTime: boolean;
  /** The generator's own event-loop delay p99 (ms): if high, it was the bottleneck, not the target. */
  generatorLoopDelayP99Ms: number;
  /** CPU seconds this whole process (generator and the in-process fakes) used during the run. */
  generatorCpuSeconds: number;
}

/** Keep-alive connections to the target, shared by its warm-up and measured runs. */
export function connectionPool(origin: string, connections: number, requestTimeoutMs = 10_000): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
  });
}

/**
 * Opens (or refreshes) all the pool's connections with concurrent `GET /healthz`, so a round does
 * not time TCP set-up after the previous round let its keep-alive connections lapse.
 */
export async function primeConnections(pool: Pool, connections: number): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const res = await pool.request({ path: '/healthz', method: 'GET' });
      await res.body.dump();
    }),
  );
}

/**
 * Closed-loop load: `concurrency` workers, each sending its next request as soon as the previous
 * one is acknowledged, over keep-alive connections, until all are sent or `stopAt` passes.
 *
 * With several pools (one per replica), request i goes to `pools[i % pools.length]`: the
 * requests alternate between the targets, as a round-robin load balancer would send them.
 */
export async function runLoad(
  pools: Pool | readonly Pool[],
  requests: PreparedRequest[],
  o: { concurrency: number; stopAt: number },
): Promise<LoadResult> {
  const targets: readonly Pool[] = pools instanceof Pool ? [pools] : pools;
  if (targets.length === 0) throw new Error('runLoad needs at least one pool');
  const n = requests.length;
  const result: LoadResult = {
    sentAt: new Float64Array(n).fill(Number.NaN),
    ackMs: new Float64Array(n).fill(Number.NaN),
    sent: 0,
    acked: 0,
    answeredInAck: new Uint8Array(n),
    inAck: 0,
    badStatus: new Map(),
    failures: new Map(),
    firstSend: Number.NaN,
    lastAck: Number.NaN,
    cappedByTime: false,
    generatorLoopDelayP99Ms: 0,
    generatorCpuSeconds: 0,
  };
  const cpuBefore = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (performance.now() >= o.stopAt) {
        if (next < n) result.cappedByTime = true;
        return;
      }
      const i = next++;
      if (i >= n) return;
      const req = requests[i] as PreparedRequest;
      const t0 = performance.now();
      result.sentAt[i] = t0;
      if (Number.isNaN(result.firstSend)) result.firstSend = t0;
      result.sent++;
      try {
        const pool = targets[i % targets.length] as Pool;
        const res = await pool.request({ path: '/slack/events', method: 'POST', headers: req.headers, body: req.body });
        const text = await res.body.text();
        const t1 = performance.now();
        if (res.statusCode === 200) {
          result.ackMs[i] = t1 - t0;
          result.acked++;
          if (text !== '') {
            result.answeredInAck[i] = 1;
            result.inAck++;
          }
          result.lastAck = Number.isNaN(result.lastAck) ? t1 : Math.max(result.lastAck, t1);
        } else {
          result.badStatus.set(res.statusCode, (result.badStatus.get(res.statusCode) ?? 0) + 1);
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error instanceof Error ? error.name : 'error');
        result.failures.set(code, (result.failures.get(code) ?? 0) + 1);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    loop.disable();
    result.generatorLoopDelayP99Ms = loop.percentile(99) / 1e6;
    const cpu = process.cpuUsage(cpuBefore);
    result.generatorCpuSeconds = (cpu.user + cpu.system) / 1e6;
  }
  return result;
}

/** Nearest-rank percentile of the finite values (NaN when there are none). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
