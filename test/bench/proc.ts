import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { delay } from '../helpers/http.ts';

/** Every child this benchmark started, so any exit path (error, signal, watchdog) can end them. */
const children = new Set<ChildProcess>();

/** Last resort on exit: SIGKILL whatever is still running (only our own children, by pid). */
export function killAllChildrenNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

process.on('exit', killAllChildrenNow);

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for diagnosing a failed start. */
  tail(): string;
  /** Lines written so far, by pino level name (`warn`, `error`, …) or `other`. */
  lineCounts: Map<string, number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(name: string, args: string[], env: Record<string, string>, cwd: string): Child {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${process.execPath} ${args.join(' ')}`);
  children.add(child);
  const tail: string[] = [];
  const lineCounts = new Map<string, number>();
  // BENCH_LOG_DIR keeps each child's full output (e.g. for --trace-gc via BENCH_NODE_ARGS).
  const logDir = process.env.BENCH_LOG_DIR;
  const file = logDir ? createWriteStream(join(logDir, `${name.replace(/\W+/g, '-')}.log`)) : undefined;
  const reader = () => {
    let partial = '';
    return (chunk: Buffer) => {
      file?.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const level = /"level":"(\w+)"/.exec(line)?.[1] ?? 'other';
        lineCounts.set(level, (lineCounts.get(level) ?? 0) + 1);
        tail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
        if (tail.length > 20) tail.shift();
      }
    };
  };
  child.stdout?.on('data', reader());
  child.stderr?.on('data', reader());
  child.on('error', (error) => tail.push(`spawn error: ${error.message}`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      file?.end();
      resolve({ code, signal });
    });
  });
  return {
    name,
    pid: child.pid,
    process: child,
    tail: () => tail.join('\n'),
    lineCounts,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `GET url` until it answers 200; fails early if the child exits first. */
export async function waitHealthy(child: Child, url: string, timeoutMs = 20_000): Promise<number> {
  const started = performance.now();
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void child.exited.then((e) => {
    exited = e;
  });
  let last = 'no answer yet';
  while (performance.now() - started < timeoutMs) {
    if (exited)
      throw new Error(
        `${child.name} exited (code ${exited.code}, signal ${exited.signal}) before it was healthy:\n${child.tail()}`,
      );
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await delay(50);
  }
  throw new Error(
    `${child.name} did not become healthy at ${url} within ${timeoutMs} ms (last: ${last}):\n${child.tail()}`,
  );
}

export interface MemoryStatus {
  /** Peak resident set size (VmHWM), MB. */
  hwmMb: number;
  /** Current resident set size (VmRSS), MB. */
  rssMb: number;
}

function parseStatus(text: string): MemoryStatus {
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

export async function memoryOf(pid: number): Promise<MemoryStatus> {
  return parseStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/** Samples VmRSS every `everyMs` and keeps the highest value seen (a cross-check on VmHWM). */
export function sampleRss(pid: number, everyMs = 100) {
  let peakMb = 0;
  let samples = 0;
  const timer = setInterval(() => {
    memoryOf(pid)
      .then((m) => {
        samples++;
        if (m.rssMb > peakMb) peakMb = m.rssMb;
      })
      .catch(() => {});
  }, everyMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    peakMb: () => peakMb,
    samples: () => samples,
  };
}
