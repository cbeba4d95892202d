/**
 * The digest benchmark (run by `npm run bench` after the /plan one): a channel watching 500
 * accounts at CC_RATE_LIMIT=10 against a fake Constant Contact that answers 429 `throttled` to
 * anything over 10 requests in a second. Measures the time `/plan digest now` takes until its last
 * thread reply is posted (ideal: 500 ÷ 10 = 50 s), upstream requests, 429s and messages posted.
 *
 * The watchlist is seeded straight into the bot's data directory with planbot's own store code,
 * so setting up does not spend another 50 s of lookups.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DigestStore } from '../../src/digests/digestStore.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { waitFor } from '../helpers/http.ts';
import { signedHeaders, slashCommandBody, startResponseUrlReceiver } from '../helpers/slack.ts';
import { freePort, killAllChildrenNow, startChild, waitHealthy } from './proc.ts';

const accounts = Number(process.env.BENCH_DIGEST_ACCOUNTS ?? 500);
const rate = Number(process.env.BENCH_DIGEST_RATE ?? 10);
const channel = 'C0BENCHDIGEST';
const root = fileURLToPath(new URL('../..', import.meta.url));
const startFlags = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((w) => w.startsWith('--'));
const log = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-bench-digest-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const cc = await startFakeConstantContact({ clientId: 'bench-client', clientSecret: 'bench-secret' });
  const slack = await startFakeSlackApi();
  const hooks = await startResponseUrlReceiver();
  const ids = Array.from({ length: accounts }, (_, i) => `acct${String(i).padStart(5, '0')}`);
  ids.forEach((id, i) => cc.accounts.set(id, { ...samplePlans.open, billing_day_of_month: (i % 28) + 1 }));
  cc.state.apiDelayMs = 20;
  cc.state.enforceRate = rate;

  const seeded = createEmbeddedStore(dataDir);
  await new DigestStore(seeded.namespace('digests')).watch(channel, ids);
  await seeded.close();

  const port = await freePort();
  const bot = startChild(
    'planbot',
    [...startFlags, join(root, 'dist', 'main.js')],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      PORT: String(port),
      HOST: '127.0.0.1',
      SLACK_API_URL: slack.url,
      CC_CLIENT_ID: 'bench-client',
      CC_CLIENT_SECRET: 'bench-secret',
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      CC_RATE_LIMIT: String(rate),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    root,
  );
  try {
    await waitHealthy(bot, `http://127.0.0.1:${port}/healthz`);
    const body = slashCommandBody({ text: 'digest now', responseUrl: hooks.newUrl(), channelId: channel });
    const sent = Date.now();
    const ack = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: signedHeaders(body, 'bench-signing-secret'),
      body,
    });
    if (ack.status !== 200) throw new Error(`digest now was answered ${ack.status}`);
    const expected = 1 + Math.ceil(accounts / 40);
    const posts = () => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
    await waitFor(() => posts().length >= expected, (accounts / rate) * 3000 + 60_000, `${expected} digest messages`);
    const tookS = (posts().at(-1)!.at - sent) / 1000;
    const lookups = cc.planRequests().length;
    log('## digest of watched accounts');
    log();
    log(`| Metric | Value | Ideal |`);
    log(`|---|---|---|`);
    log(`| Watched accounts | ${accounts} | |`);
    log(`| CC_RATE_LIMIT | ${rate}/s | |`);
    log(
      `| Time from \`/plan digest now\` to the last thread reply | ${tookS.toFixed(1)} s | ${(accounts / rate).toFixed(0)} s |`,
    );
    log(`| Upstream plan requests | ${lookups} | ${accounts} |`);
    log(`| Peak upstream requests in any second | ${cc.peakPerSecond()} | ≤ ${rate} |`);
    log(`| 429s from Constant Contact | ${cc.state.throttledAnswers} | 0 |`);
    log(`| Token fetches | ${cc.state.tokenFetches} | 1 |`);
    log(`| Messages posted (summary + thread replies) | ${posts().length} | ${expected} |`);
    log(`| Slack 429s | 0 (the fake never limits) | |`);
  } finally {
    await bot.stop(2_000).catch(() => undefined);
    await Promise.allSettled([cc.close(), slack.close(), hooks.close()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `digest bench could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    killAllChildrenNow();
    process.exit(1);
  },
);
