import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runPlanbot } from '../helpers/process.ts';
import { signedHeaders, signingSecret, slashCommandBody, startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

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
      const ack = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: signedHeaders(body), body });
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
      expect(lines.some((l) => l.event === 'plan_lookup' && l.account === 'demo-email' && l.outcome === 'card')).toBe(true);

      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      await hooks.close();
    }
  });
});
