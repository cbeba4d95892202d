import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What was built and started: shown to operators by `/plan status`, and in each replica's heartbeat. */
export interface BuildInfo {
  version: string;
  /** A commit hash (or a build's name), or `unknown`. */
  commit: string;
}

/** The checkout or image root: `src/` and `dist/` both sit one level below it, next to package.json. */
const rootDir = fileURLToPath(new URL('../../', import.meta.url));

type ReadFile = (path: string) => string;
const readText: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * Read once at start. The commit comes from the build (`PLANBOT_COMMIT`/`GIT_COMMIT`, passed in),
 * else from the checkout's `.git` (a run from source), else it is `unknown` (an image built
 * without the build argument).
 */
export function readBuildInfo(
  commitFromBuild: string | undefined,
  o: { root?: string; readFile?: ReadFile } = {},
): BuildInfo {
  const root = o.root ?? rootDir;
  const readFile = o.readFile ?? readText;
  return {
    version: packageVersion(root, readFile),
    commit: commitFromBuild ?? gitCommit(join(root, '.git'), readFile) ?? 'unknown',
  };
}

function packageVersion(root: string, readFile: ReadFile): string {
  try {
    const version: unknown = (JSON.parse(readFile(join(root, 'package.json'))) as { version?: unknown }).version;
    return typeof version === 'string' && version !== '' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const hash = /^[0-9a-f]{40,64}$/;

/** HEAD's commit: a detached hash, or the branch's ref (loose, or in packed-refs). Short, as git shows it. */
export function gitCommit(gitDir: string, readFile: ReadFile = readText): string | undefined {
  try {
    const head = readFile(join(gitDir, 'HEAD')).trim();
    if (hash.test(head)) return head.slice(0, 12);
    const ref = /^ref: (refs\/[A-Za-z0-9._/-]+)$/.exec(head)?.[1];
    if (!ref || ref.includes('..')) return undefined;
    let commit: string | undefined;
    try {
      commit = readFile(join(gitDir, ref)).trim();
    } catch {
      commit = readFile(join(gitDir, 'packed-refs'))
        .split('\n')
        .map((line) => line.split(' '))
        .find(([, name]) => name === ref)?.[0];
    }
    return commit && hash.test(commit) ? commit.slice(0, 12) : undefined;
  } catch {
    return undefined;
  }
}
