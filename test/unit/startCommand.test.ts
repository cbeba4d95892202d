import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('the start command', () => {
  it('is the same in the container as with npm start, V8 flags included', () => {
    const start = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start.split(/\s+/);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
    expect(cmd, 'the Dockerfile has an exec-form CMD').toBeDefined();
    expect(JSON.parse(cmd ?? '[]')).toEqual(start);
    expect(start).toContain('dist/main.js');
  });
});
