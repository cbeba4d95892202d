/**
 * `npm run bench`: what people feel, in six items, each beside its ideal (see docs/benchmarks.md).
 * Every part runs as a process of its own against a built planbot (`dist/main.js`) and loopback
 * fakes, and hands its sections back as JSON:
 *
 * - feel/lookups.ts: 1. the bot's own share of an answer, 2. answers a second at saturation,
 *   3. overload at three times that rate (and, as one line, the ack against a bare Bolt app);
 * - feel/scale.ts: 4. an account index of 250,000 accounts;
 * - feel/digest.ts: 5. a digest of 5,000 watched accounts at CC_RATE_LIMIT=10;
 * - feel/quotaDay.ts: 6. a simulated day under CC_DAILY_QUOTA=10000.
 *
 * The digest is paced by the rate limit (at least 500 s), not by the machine: it starts first and
 * runs beside the others, which take the CPU one after another. `--quick` runs every part's
 * one-minute subset. Exit 0 when every part ran, whatever the figures; non-zero when one could not.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSection, quick, type Section } from './feel/result.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = (line = '') => process.stdout.write(`${line}\n`);

interface Part {
  script: string;
  /** Runs beside the others (paced by a rate limit, not by the CPU). */
  beside?: boolean;
}

const parts: Part[] = [
  { script: 'digest.ts', beside: true },
  { script: 'lookups.ts' },
  { script: 'scale.ts' },
  { script: 'quotaDay.ts' },
];

function runPart(part: Part, dir: string): Promise<{ sections: Section[]; ms: number; code: number | null }> {
  const file = join(dir, `${part.script}.json`);
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(here, 'feel', part.script), ...(quick ? ['--quick'] : [])], {
      env: { ...process.env, BENCH_RESULT_FILE: file },
      // A part running beside the others keeps its own log out of theirs until it ends.
      stdio: part.beside ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    let held = '';
    child.stdout?.on('data', (c: Buffer) => (held += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (held += c.toString('utf8')));
    child.on('close', (code) => {
      if (held) out(held);
      const sections = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Section[]) : [];
      done({ sections, ms: performance.now() - started, code });
    });
  });
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-feel-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const started = performance.now();
  out(`# planbot benchmarks${quick ? ' (--quick)' : ''}`);
  out(`node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}`);
  out();
  const beside = parts.filter((p) => p.beside).map((p) => ({ part: p, run: runPart(p, dir) }));
  const results: Array<{ part: Part; sections: Section[]; ms: number; code: number | null }> = [];
  for (const part of parts.filter((p) => !p.beside)) {
    out(`--- ${part.script}`);
    results.push({ part, ...(await runPart(part, dir)) });
  }
  for (const b of beside) results.push({ part: b.part, ...(await b.run) });

  out();
  out('# Summary');
  out();
  const sections = results.flatMap((r) => r.sections).sort((a, b) => a.item - b.item);
  for (const s of sections) out(formatSection(s));
  for (const r of results)
    out(`${r.part.script}: ${(r.ms / 1000).toFixed(0)} s${r.code === 0 ? '' : `, exit ${r.code}`}`);
  out(`whole run: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
