import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const versionCheck = 'node scripts/require-node.cjs';

describe('the start command', () => {
  it('is the same in the container as with npm start, V8 flags included', () => {
    const start = scripts.start!.split(/\s+/);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd, 'the Dockerfile has an exec-form CMD').toBeDefined();
    expect(JSON.parse(cmd ?? '[]')).toEqual(start);
    expect(start).toContain('dist/main.js');
  });

  it('checks the Node.js version before npm installs or starts anything', () => {
    expect(scripts.preinstall).toBe(versionCheck);
    expect(scripts.prestart!.startsWith(`${versionCheck} && `)).toBe(true);
  });

  it('builds before starting only when dist/ is out of date, while npm run build always builds', () => {
    expect(scripts.prestart).toContain('node scripts/build-if-stale.mjs');
    expect(scripts.build).not.toContain('build-if-stale');
  });

  it('has the version check in the image: before npm ci (preinstall) and beside dist/ (main.js loads it)', () => {
    const lines = dockerfile.split('\n');
    const copies = lines.flatMap((line, i) => (/^COPY .*scripts\/require-node\.cjs /.test(line) ? [i] : []));
    const npmCi = lines.findIndex((line) => /^RUN npm ci\b/.test(line));
    const runtime = lines.findLastIndex((line) => line.startsWith('FROM '));
    expect(copies.some((i) => i < npmCi)).toBe(true);
    expect(copies.some((i) => i > runtime)).toBe(true);
  });
});
