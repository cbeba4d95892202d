import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitCommit, readBuildInfo } from '../../../src/lifecycle/buildInfo.ts';

const sha = '0123456789abcdef0123456789abcdef01234567';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A directory laid out like a checkout (or an image): package.json and, optionally, .git. */
function root(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'planbot-build-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('build info', () => {
  it('takes the commit set at build time over the checkout’s', () => {
    const dir = root({ 'package.json': '{"version":"2.3.4"}', '.git/HEAD': `${sha}\n` });
    expect(readBuildInfo('build-77', { root: dir })).toEqual({ version: '2.3.4', commit: 'build-77' });
  });

  it('reads the checkout’s HEAD: a branch (loose or packed) or a detached commit, short as git shows it', () => {
    const loose = root({ '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${sha}\n` });
    expect(gitCommit(join(loose, '.git'))).toBe('0123456789ab');
    const packed = root({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/packed-refs': `# pack-refs\n${sha} refs/heads/main\n`,
    });
    expect(gitCommit(join(packed, '.git'))).toBe('0123456789ab');
    const detached = root({ '.git/HEAD': `${sha}\n` });
    expect(gitCommit(join(detached, '.git'))).toBe('0123456789ab');
  });

  it('says unknown when neither the build nor a checkout tells, and never fails the start', () => {
    const bare = root({ 'package.json': 'not json' });
    expect(readBuildInfo(undefined, { root: bare })).toEqual({ version: 'unknown', commit: 'unknown' });
    const odd = root({ 'package.json': '{"version":"1.0.0"}', '.git/HEAD': 'ref: refs/../../etc/passwd\n' });
    expect(readBuildInfo(undefined, { root: odd })).toEqual({ version: '1.0.0', commit: 'unknown' });
  });

  it('finds this checkout’s package.json by default', () => {
    expect(readBuildInfo('x').version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
