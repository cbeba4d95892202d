import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planAtTier, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { freePort, runPlanbot, type Running } from '../helpers/process.ts';
import { signedHeaders, signingSecret, slashCommandBody, startResponseUrlReceiver } from '../helpers/slack.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const secret = 'crash-test-secret-0123456789';

const atTier = (level: number) => planAtTier(level);

async function healthy(port: number) {
  for (const until = Date.now() + 20_000; Date.now() < until; await delay(100)) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) return;
  }
  throw new Error('planbot did not start');
}

describe('a notification acknowledged with 200 survives SIGKILL', () => {
  it('is finished by the next start: every alert posted once, none lost', async () => {
    const cc = await startFakeConstantContact();
    const slack = await startFakeSlackApi();
    const hooks = await startResponseUrlReceiver();
    const dataDir = mkdtempSync(join(tmpdir(), 'planbot-crash-'));
    dirs.push(dataDir);
    const port = await freePort();
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-crash-test',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.url,
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      CC_RATE_LIMIT: '20',
      CC_WEBHOOK_SECRET: secret,
      ACCOUNT_INDEX_REFRESH_MINUTES: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
    };
    const ids = Array.from({ length: 8 }, (_, i) => `acct-k${i}`);
    for (const id of ids) cc.accounts.set(id, atTier(1));
    let p: Running = runPlanbot(env);
    try {
      await healthy(port);
      const responseUrl = hooks.newUrl();
      const body = slashCommandBody({ text: 'alerts all', responseUrl, channelId: 'C0CRASH' });
      await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: signedHeaders(body), body });
      await hooks.waitForPost(responseUrl);

      // Constant Contact answers slowly: every plan read is still under way when the process dies.
      cc.state.apiDelayMs = 5_000;
      for (const id of ids) cc.accounts.set(id, atTier(2));
      const hook = `http://127.0.0.1:${port}/webhooks/constant-contact/${secret}`;
      const answers = await Promise.all(
        ids.map((id) => cc.notify(hook, { accountId: id, eventType: 'tier.increase' }, { maxAttempts: 1 })),
      );
      expect(answers.map((a) => a.attempts[0]!.status)).toEqual(ids.map(() => 200));
      p.child.kill('SIGKILL');
      await p.exited;
      expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0CRASH')).toHaveLength(0);

      cc.state.apiDelayMs = 0;
      p = runPlanbot(env);
      await healthy(port);
      // Each alert carries its account in its Show plan button.
      const listed = () =>
        slack
          .callsTo('chat.postMessage')
          .filter((c) => c.args.channel === 'C0CRASH')
          .flatMap((c) => (c.args.blocks as Array<{ accessory?: { value?: string } }>).map((b) => b.accessory?.value))
          .filter((id) => id !== undefined);
      await waitFor(() => new Set(listed()).size === ids.length, 30_000, 'every alert after the restart');
      await delay(3_000);
      expect(listed().sort()).toEqual([...ids].sort());
    } finally {
      p.child.kill('SIGKILL');
      await Promise.all([cc.close(), slack.close(), hooks.close()]);
    }
  });
});
