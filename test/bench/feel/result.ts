/**
 * What each part of `npm run bench` (test/bench/feel.ts) hands back: one section per numbered item
 * of the report, each row a figure beside its ideal. A part runs as a process of its own and writes
 * its sections as JSON to the file named by BENCH_RESULT_FILE; run alone, it only prints them.
 */
import { writeFileSync } from 'node:fs';

export interface Row {
  /** What was measured, as a person would say it: "answer p99 (bot's own share)". */
  measure: string;
  /** The figure, with its unit: "4.2 ms", "1,310 answers/s", "0 of 2,000". */
  value: string;
  /** The ideal or target, with its unit, or '' when the figure is for information. */
  ideal: string;
  /** Whether the figure meets the ideal; null when there is nothing to meet. */
  met: boolean | null;
}

export interface Section {
  /** The item's number in the report (1–6). */
  item: number;
  title: string;
  /** The conditions in one line: "5 concurrent /plan <id>, fake Constant Contact at 20 ms". */
  setup: string;
  rows: Row[];
  /** Anything a reader needs to read the rows right (e.g. what was left out in --quick). */
  notes: string[];
}

/** `--quick`: the one-minute subset (smaller counts, shorter runs); every part takes it. */
export const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

export const row = (measure: string, value: string, ideal = '', met: boolean | null = null): Row => ({
  measure,
  value,
  ideal,
  met,
});

/** Thousands separators for counts: 250000 → "250,000". */
export const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** Prints the sections and, when the orchestrator asked, writes them for it. */
export function report(sections: Section[]): void {
  for (const s of sections) process.stdout.write(`${formatSection(s)}\n`);
  const file = process.env.BENCH_RESULT_FILE;
  if (file) writeFileSync(file, JSON.stringify(sections, null, 2));
}

export function formatSection(s: Section): string {
  const lines = [`## ${s.item}. ${s.title}`, '', s.setup, '', '| | measured | ideal | |', '|---|---|---|---|'];
  for (const r of s.rows)
    lines.push(`| ${r.measure} | ${r.value} | ${r.ideal} | ${r.met === null ? '' : r.met ? 'met' : 'missed'} |`);
  for (const n of s.notes) lines.push('', n);
  return `${lines.join('\n')}\n`;
}
