import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The house's layers, lowest first: a module may import from its own layer's folders and from
 * lower layers, never from a higher one. Keeps the folders free of circles and of arrows running
 * back up (a renderer importing a client, a background job importing a listener).
 */
const layers: string[][] = [
  ['billing', 'text', 'config.ts', 'logger.ts', 'metrics.ts', 'demo'],
  ['store', 'slackApi', 'grammar', 'lifecycle'],
  ['partner'],
  ['accounts', 'access', 'audit', 'history'],
  ['digests', 'alerts'],
  ['usecases'],
  ['blocks'],
  ['deliver'],
  ['answers'],
  ['listeners', 'receiver'],
  ['app.ts', 'deps.ts', 'start.ts', 'main.ts'],
];

const srcDir = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file (static, type-only and dynamic), resolved to a path. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name));
}

/** `usecases` for src/usecases/plan.ts, `config.ts` for src/config.ts. */
const areaOf = (file: string) => relative(srcDir, file).split('/')[0] as string;

const files = sourceFiles(srcDir);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the house', () => {
  it('names every folder and top-level module of src/ in exactly one layer', () => {
    const areas = [...new Set(files.map(areaOf))].sort();
    const placed = layers.flat();
    expect(areas.filter((a) => !placed.includes(a))).toEqual([]);
    expect(placed.length).toBe(new Set(placed).size);
  });

  it('imports only from the same layer or below: no arrow runs back up', () => {
    const rank = new Map(layers.flatMap((names, i) => names.map((name) => [name, i] as const)));
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => (rank.get(areaOf(target)) ?? -1) > (rank.get(areaOf(file)) ?? -1))
        .map((target) => `${relative(srcDir, file)} → ${relative(srcDir, target)}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no circle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      for (const target of targets) {
        if (areaOf(file) === areaOf(target)) continue;
        const set = edges.get(areaOf(file)) ?? new Set<string>();
        set.add(areaOf(target));
        edges.set(areaOf(file), set);
      }
    }
    expect(cycles(edges)).toEqual([]);
  });

  it('has no circle between modules', () => {
    const edges = new Map(
      [...graph].map(([file, targets]) => [relative(srcDir, file), new Set(targets.map((t) => relative(srcDir, t)))]),
    );
    expect(cycles(edges)).toEqual([]);
  });
});

/** Strongly connected components with more than one member (Tarjan), each listed sorted. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}
