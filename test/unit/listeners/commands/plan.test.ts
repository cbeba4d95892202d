import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import { buildDeps, type Deps } from '../../../../src/deps.ts';
import { planCommand } from '../../../../src/listeners/commands/plan.ts';
import type { CommandListener } from '../../../../src/listeners/routes.ts';
import { createLogger } from '../../../../src/logger.ts';
import type { ResponsePayload } from '../../../../src/slackApi/responder.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../../../helpers/fakeSlackApi.ts';

/**
 * The /plan listener called the way Bolt calls it, with typed fake arguments. Its dependencies are
 * the real ones in demo mode (the sample partner API runs on loopback); only Slack is faked: its
 * Web API, and the response_url the answer is posted to.
 */
describe('the /plan listener', () => {
  let slack: FakeSlackApi;
  let deps: Deps;
  let dataDir: string;
  const answers: Array<{ url: string; payload: ResponsePayload }> = [];

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    dataDir = mkdtempSync(join(tmpdir(), 'planbot-listener-'));
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-bot-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      SLACK_API_URL: slack.url,
      DEMO_MODE: 'true',
      DATA_DIR: dataDir,
      ACCOUNT_INDEX_REFRESH_MINUTES: '0',
    });
    deps = await buildDeps({
      config,
      logger: createLogger('silent'),
      respond: async (url, payload) => void answers.push({ url, payload }),
    });
  });

  afterAll(async () => {
    await deps.close();
    await slack.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Calls the listener with a slash command's payload; resolves once it has acknowledged. */
  async function run(text: string, responseUrl: string) {
    const acks: unknown[] = [];
    const args = {
      command: {
        command: '/plan',
        text,
        user_id: 'U0ASKER',
        channel_id: 'C0SALES',
        team_id: 'T0001',
        response_url: responseUrl,
      },
      ack: async (body?: unknown) => void acks.push(body),
      context: {},
    } as unknown as Parameters<CommandListener>[0];
    await planCommand(deps)(args);
    return acks;
  }

  it('acknowledges with nothing, then posts the card privately to the response_url', async () => {
    const url = 'https://hooks.slack.test/commands/1';
    const acks = await run('demo-email', url);
    expect(acks).toEqual([undefined]);
    await vi.waitFor(() => expect(answers.filter((a) => a.url === url)).toHaveLength(1));
    const { payload } = answers.find((a) => a.url === url)!;
    expect(payload.response_type).toBe('ephemeral');
    expect(payload.text, JSON.stringify(payload)).toContain('Billing plan for demo-email');
    expect(JSON.stringify(payload.blocks)).toContain('Share in channel');
  });

  it('answers words that are neither an id nor a name with what to type, without pinging anyone', async () => {
    const url = 'https://hooks.slack.test/commands/2';
    await run('<!channel>', url);
    await vi.waitFor(() => expect(answers.filter((a) => a.url === url)).toHaveLength(1));
    const { payload } = answers.find((a) => a.url === url)!;
    expect(payload.text).toContain("isn't an account id or a customer name");
    expect(payload.text).not.toContain('<!channel>');
  });
});
