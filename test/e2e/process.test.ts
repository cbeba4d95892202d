import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
