import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createPlanbot, type PlanbotOptions } from '../../src/app.ts';
import { startFakeSlackApi } from './fakeSlackApi.ts';
import { buttonClickBody, type CommandOptions, signedHeaders, signingSecret, slashCommandBody } from './slack.ts';

export interface LogLine {
  level: string;
  msg?: string;
  event?: string;
  [key: string]: unknown;
}

/**
 * Starts the whole bot in this process on a free loopback port, configured from an environment
 * the way `npm start` is, with its JSON log lines captured for assertions.
 */
export async function startBot(env: Record<string, string>, extra: Partial<PlanbotOptions> = {}) {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'planbot-test-'));
  // planbot asks Slack who people are and where it is posting; a test that brings no fake gets one.
  const ownSlack = env.SLACK_API_URL ? undefined : await startFakeSlackApi();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-bot-token',
    ...(ownSlack ? { SLACK_API_URL: ownSlack.url } : {}),
    SLACK_SIGNING_SECRET: signingSecret,
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    // Most tests count every partner request; the ones about the account index turn its walk back on.
    ACCOUNT_INDEX_REFRESH_MINUTES: '0',
    ...env,
  });
  config.port = 0;
  const rawLog: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      rawLog.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(config.logLevel, stream);
  const bot = await createPlanbot({ config, logger, ...extra });
  const port = await bot.start();
  const url = `http://127.0.0.1:${port}`;

  const postSigned = async (body: string, headers = signedHeaders(body)) => {
    const res = await fetch(`${url}/slack/events`, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  };

  return {
    url,
    config,
    /** The fake Slack Web API this helper started (undefined when the test passed its own). */
    slack: ownSlack,
    dataDir,
    rawLog,
    logs: () => rawLog.map((l) => JSON.parse(l) as LogLine),
    postSigned,
    command: (o: CommandOptions) => postSigned(slashCommandBody(o)),
    /** Delivers an Events API payload as Slack does (JSON, signed), optionally as a retry. */
    async sendEvent(envelope: unknown, retry?: { num: number; reason: string }) {
      const body = JSON.stringify(envelope);
      const headers: Record<string, string> = { ...signedHeaders(body), 'content-type': 'application/json' };
      if (retry) {
        headers['x-slack-retry-num'] = String(retry.num);
        headers['x-slack-retry-reason'] = retry.reason;
      }
      return postSigned(body, headers as ReturnType<typeof signedHeaders>);
    },
    click: (o: Parameters<typeof buttonClickBody>[0]) => postSigned(buttonClickBody(o)),
    async stop(options: { keepData?: boolean } = {}) {
      await bot.stop();
      await ownSlack?.close();
      if (!options.keepData && !env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestBot = Awaited<ReturnType<typeof startBot>>;
