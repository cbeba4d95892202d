// prestart: runs `npm run build` only when dist/ was not built from the sources as they are now, so that
// `npm start` on a built checkout starts at once. `npm run build` itself always builds.
//
// After a successful build it writes dist/.build-stamp: the path, size and mtime of every input, taken
// before the build began. The next run rebuilds when any of those differ (an edit, a new, deleted or renamed
// file, an mtime that went backwards), when the stamp is missing (dist/ deleted, or the last build failed),
// or when dist/main.js is. A file edited while a build runs no longer matches what the stamp recorded, so it
// is built next time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'dist', '.build-stamp');

// What the compiled output depends on: the sources, the compiler options, the compiler's and the type
// definitions' versions (package-lock.json), and package.json's "type" (the module format under nodenext).
const inputs = ['src', 'tsconfig.json', 'package-lock.json', 'package.json'];

/** One line per input file and directory (a directory's mtime changes when an entry is added, removed or renamed). */
function fingerprint() {
  const lines = [];
  const visit = (relative) => {
    let stat;
    try {
      stat = statSync(join(root, relative));
    } catch {
      lines.push(`${relative} missing`);
      return;
    }
    lines.push(`${relative} ${stat.size} ${stat.mtimeMs}`);
    if (stat.isDirectory()) for (const entry of readdirSync(join(root, relative)).sort()) visit(join(relative, entry));
  };
  for (const input of inputs) visit(input);
  return `${lines.join('\n')}\n`;
}

function readStamp() {
  try {
    return readFileSync(stampFile, 'utf8');
  } catch {
    return undefined;
  }
}

const before = fingerprint();
if (readStamp() === before && existsSync(join(root, 'dist', 'main.js'))) process.exit(0);

// The npm that runs this script (npm_execpath), so the build runs with the same npm and node.
const npm = process.env.npm_execpath;
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) process.exit(build.status ?? 1);
mkdirSync(dirname(stampFile), { recursive: true });
writeFileSync(stampFile, before);
