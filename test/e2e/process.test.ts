import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { freePort, runPlanbot } from '../helpers/process.ts';
import {
  signedHeaders,
  signingSecret,
  slashCommandBody,
  startResponseUrlReceiver,
  visibleText,
} from '../helpers/slack.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const run = runPlanbot;

describe('npm start', () => {
  it('refuses to start with one message that names every missing or invalid setting', async () => {
    const p = run({ PORT: 'not-a-port', CC_RATE_LIMIT: 'fast' });
    expect(await p.exited).toBe(1);
    const message = p.err();
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'CC_CLIENT_ID', 'PORT', 'CC_RATE_LIMIT'])
      expect(message).toContain(name);
    expect(message.match(/planbot cannot start/g)).toHaveLength(1);
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('starts in demo mode, answers /healthz, marks every card as sample data, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'planbot-proc-'));
    dirs.push(dataDir);
    const port = await freePort();
    const hooks = await startResponseUrlReceiver();
    const p = run({
      SLACK_BOT_TOKEN: 'xoxb-process-test',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      DEMO_MODE: 'true',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
    });
    try {
      let healthy = false;
      for (let i = 0; i < 100 && !healthy; i++) {
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!healthy) await new Promise((r) => setTimeout(r, 100));
      }
      expect(healthy).toBe(true);

      const responseUrl = hooks.newUrl();
      const body = slashCommandBody({ text: 'demo-email', responseUrl });
      const ack = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: signedHeaders(body),
        body,
      });
      expect(ack.status).toBe(200);
      const [post] = await hooks.waitForPost(responseUrl);
      const text = visibleText(post!.body);
      expect(text).toContain('Sample data');
      expect(text).toContain('Email (GOOD)');

      const lines = p
        .out()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.event === 'plan_lookup' && l.account === 'demo-email' && l.outcome === 'card')).toBe(
        true,
      );

      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      await hooks.close();
    }
  });

  it('reads its secrets from *_FILE files, never logs them, and writes nothing outside DATA_DIR', async () => {
    const secrets = mkdtempSync(join(tmpdir(), 'planbot-secrets-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'planbot-data-'));
    // Started from an empty working directory, so anything it wrote beside DATA_DIR would show.
    const workDir = mkdtempSync(join(tmpdir(), 'planbot-cwd-'));
    dirs.push(secrets, dataDir, workDir);
    const cc = await startFakeConstantContact({ clientSecret: 'cc-secret-from-a-file' });
    cc.accounts.set('a07e1lxtnhz0', samplePlans.open);
    const slack = await startFakeSlackApi();
    const hooks = await startResponseUrlReceiver();
    writeFileSync(join(secrets, 'bot-token'), 'xoxb-token-from-a-file\n');
    writeFileSync(join(secrets, 'signing-secret'), `${signingSecret}\n`);
    writeFileSync(join(secrets, 'cc-secret'), 'cc-secret-from-a-file\n');
    const port = await freePort();
    const p = run(
      {
        SLACK_BOT_TOKEN_FILE: join(secrets, 'bot-token'),
        SLACK_SIGNING_SECRET_FILE: join(secrets, 'signing-secret'),
        CC_CLIENT_SECRET_FILE: join(secrets, 'cc-secret'),
        CC_CLIENT_ID: cc.clientId,
        CC_TOKEN_URL: cc.tokenUrl,
        CC_API_URL: cc.apiUrl,
        SLACK_API_URL: slack.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
      },
      { cwd: workDir },
    );
    try {
      await waitForHealthy(port);
      const responseUrl = hooks.newUrl();
      const body = slashCommandBody({ text: 'a07e1lxtnhz0', responseUrl });
      // Signed with the secret that is only in the file: accepted.
      expect(
        (await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: signedHeaders(body), body }))
          .status,
      ).toBe(200);
      const [post] = await hooks.waitForPost(responseUrl);
      // The partner secret from its file fetched the token that read the plan.
      expect(visibleText(post!.body)).toContain('Email (GOOD)');
      // The bot token from its file is what planbot sends to Slack.
      expect(slack.calls.length).toBeGreaterThan(0);
      expect(new Set(slack.calls.map((c) => c.token))).toEqual(new Set(['xoxb-token-from-a-file']));
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      const printed = p.out() + p.err();
      for (const secret of ['xoxb-token-from-a-file', 'cc-secret-from-a-file', signingSecret])
        expect(printed).not.toContain(secret);
      expect(readdirSync(workDir)).toEqual([]);
      expect(readdirSync(dataDir).every((f) => f.startsWith('planbot.sqlite'))).toBe(true);
    } finally {
      p.child.kill('SIGKILL');
      await Promise.all([hooks.close(), slack.close(), cc.close()]);
    }
  });
});

async function waitForHealthy(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('planbot did not become healthy');
}

const root = join(import.meta.dirname, '../..');
const packageScripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const { nodeVersionProblem } = createRequire(import.meta.url)('../../scripts/require-node.cjs') as {
  nodeVersionProblem: (version: string) => string | undefined;
};

/** A node older than 24 on this machine, if any: CI's has the system's Node 20 beside the Node 24 that runs the tests. */
function olderNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin', '/usr/bin', '/bin'];
  for (const dir of new Set(dirs.filter(Boolean))) {
    const path = join(dir, 'node');
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim();
    if (version && nodeVersionProblem(version)) return { path, version };
  }
  return undefined;
}

describe('on a Node.js older than 24', () => {
  // The machine's older node when it has one; otherwise this node, made to report 20.20.2 by a preloaded file.
  const dir = mkdtempSync(join(tmpdir(), 'planbot-old-node-'));
  dirs.push(dir);
  const found = olderNode();
  const pretend = join(dir, 'pretend-node-20.cjs');
  writeFileSync(pretend, "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n");
  const node = found ?? { path: process.execPath, version: '20.20.2' };
  const env = {
    PATH: [dirname(node.path), '/usr/bin', '/bin'].join(delimiter),
    ...(found ? {} : { NODE_OPTIONS: `--require ${JSON.stringify(pretend)}` }),
  };
  const expected = `${nodeVersionProblem(node.version)}\n`;

  // The project as npm ci and npm run build leave it, but with only main.js in dist/: were anything beside the
  // version check loaded first, its absence would show.
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: object };
  const { options } = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, root);
  const main = ts.transpileModule(readFileSync(join(root, 'src/main.ts'), 'utf8'), {
    compilerOptions: { ...options, sourceMap: false },
    fileName: 'main.mts',
  }).outputText;
  mkdirSync(join(dir, 'dist'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'dist/main.js'), main);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  copyFileSync(join(root, 'scripts/require-node.cjs'), join(dir, 'scripts/require-node.cjs'));

  const expectOneLine = (result: ReturnType<typeof spawnSync>) => {
    expect({ status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) }).toEqual({
      status: 1,
      stdout: '',
      stderr: expected,
    });
  };

  it(`node dist/main.js stops with one line and no stack trace (node ${node.version}${found ? '' : ', pretended'})`, () => {
    expectOneLine(spawnSync(node.path, ['dist/main.js'], { cwd: dir, env, encoding: 'utf8' }));
  });

  it('npm ci and npm install (preinstall) and npm start (prestart) stop with the same line', () => {
    for (const script of ['preinstall', 'prestart'])
      expectOneLine(spawnSync('/bin/sh', ['-c', packageScripts[script]!], { cwd: dir, env, encoding: 'utf8' }));
  });
});

describe('prestart', () => {
  // A copy of the build check in a project of its own, whose build only counts how often it runs: the real
  // tree's files keep their mtimes, and no test waits for tsc.
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), 'planbot-prestart-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src/store'), { recursive: true });
    for (const script of ['require-node.cjs', 'build-if-stale.mjs'])
      copyFileSync(join(root, 'scripts', script), join(dir, 'scripts', script));
    const build = [
      "import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';",
      "appendFileSync('builds.log', 'build\\n');",
      "mkdirSync('dist', { recursive: true });",
      "writeFileSync('dist/main.js', '');",
      // Like tsc with type errors: writes its output, then fails.
      "if (existsSync('fail')) process.exit(2);",
    ].join('\n');
    writeFileSync(join(dir, 'build.mjs'), build);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ type: 'module', scripts: { build: 'node build.mjs', prestart: packageScripts.prestart } }),
    );
    writeFileSync(join(dir, 'package-lock.json'), '{}\n');
    writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
    writeFileSync(join(dir, 'src/main.ts'), 'export {};\n');
    writeFileSync(join(dir, 'src/store/store.ts'), 'export {};\n');
    const builds = () =>
      (existsSync(join(dir, 'builds.log')) ? readFileSync(join(dir, 'builds.log'), 'utf8') : '')
        .split('\n')
        .filter(Boolean).length;
    /** Runs the check the way npm start does (npm run prestart), or directly; returns how many builds ran. */
    const prestart = (via: 'npm' | 'node' = 'node') => {
      const before = builds();
      const result =
        via === 'npm'
          ? spawnSync('npm', ['run', '--silent', 'prestart'], { cwd: dir, encoding: 'utf8' })
          : spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: dir, encoding: 'utf8' });
      return { status: result.status, built: builds() - before };
    };
    /** Changes a file's mtime, to a minute ago: unlike any it had, whatever the file system's mtime resolution. */
    const age = (path: string) => {
      const then = new Date(Date.now() - 60_000);
      utimesSync(join(dir, path), then, then);
    };
    return { dir, prestart, age };
  };

  it('builds once, then starts without building until something under src/ changes', () => {
    const { dir, prestart, age } = project();
    expect(prestart('npm')).toEqual({ status: 0, built: 1 });
    const stamp = statSync(join(dir, 'dist/.build-stamp')).mtimeMs;
    const output = statSync(join(dir, 'dist/main.js')).mtimeMs;

    expect(prestart('npm')).toEqual({ status: 0, built: 0 });
    expect(prestart()).toEqual({ status: 0, built: 0 });
    expect(statSync(join(dir, 'dist/.build-stamp')).mtimeMs).toBe(stamp);
    expect(statSync(join(dir, 'dist/main.js')).mtimeMs).toBe(output);

    age('src/store/store.ts');
    expect(prestart('npm')).toEqual({ status: 0, built: 1 });
    expect(prestart()).toEqual({ status: 0, built: 0 });
  });

  it('builds when a source is added or deleted, or the compiler options or the lock file change', () => {
    const { dir, prestart, age } = project();
    expect(prestart()).toEqual({ status: 0, built: 1 });
    writeFileSync(join(dir, 'src/store/more.ts'), 'export {};\n');
    expect(prestart()).toEqual({ status: 0, built: 1 });
    unlinkSync(join(dir, 'src/store/more.ts'));
    expect(prestart()).toEqual({ status: 0, built: 1 });
    for (const file of ['tsconfig.json', 'package-lock.json']) {
      age(file);
      expect(prestart(), file).toEqual({ status: 0, built: 1 });
    }
    expect(prestart()).toEqual({ status: 0, built: 0 });
  });

  it('builds when dist/ is gone, and again after a failed build until one succeeds', () => {
    const { dir, prestart, age } = project();
    expect(prestart()).toEqual({ status: 0, built: 1 });
    rmSync(join(dir, 'dist'), { recursive: true });
    expect(prestart()).toEqual({ status: 0, built: 1 });

    writeFileSync(join(dir, 'fail'), '');
    age('src/main.ts');
    expect(prestart()).toEqual({ status: 2, built: 1 });
    expect(prestart()).toEqual({ status: 2, built: 1 });
    unlinkSync(join(dir, 'fail'));
    expect(prestart()).toEqual({ status: 0, built: 1 });
    expect(prestart()).toEqual({ status: 0, built: 0 });
  });
});
