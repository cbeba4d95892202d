/**
 * The digest benchmark (`npm run bench:digest`; item 5 of `npm run bench` runs it through
 * `runDigestBench`): a channel watching N accounts at CC_RATE_LIMIT=R against a fake Constant
 * Contact that answers 429 `throttled` to anything over R requests in a second. Measures the time
 * `/plan digest now` takes until its last thread reply is posted, split into the lookups and the
 * posting, upstream requests, 429s, token fetches, messages posted and planbot's peak RSS.
 *
 * The watchlist is seeded straight into the bot's data directory with planbot's own store code, so
 * setting up does not spend another N ÷ R seconds of lookups. Index walks are off
 * (ACCOUNT_INDEX_REFRESH_MINUTES=0): only the digest talks to Constant Contact.
 *
 * Knobs (environment, when run directly): BENCH_DIGEST_ACCOUNTS (500), BENCH_DIGEST_RATE (10).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DigestStore } from '../../src/digests/digestStore.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay } from '../helpers/http.ts';
import { signedHeaders, slashCommandBody, startResponseUrlReceiver } from '../helpers/slack.ts';
import { freePort, killAllChildrenNow, memoryOf, sampleRss, startChild, waitHealthy } from './proc.ts';

const channel = 'C0BENCHDIGEST';
const root = fileURLToPath(new URL('../..', import.meta.url));
const startFlags = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((w) => w.startsWith('--'));
const log = (line = '') => process.stdout.write(`${line}\n`);

export interface DigestBenchOptions {
  accounts: number;
  /** CC_RATE_LIMIT, and the rate the fake enforces with 429s. */
  rate: number;
  /** CC_DAILY_QUOTA; the default reserve (20%) applies, so background work gets 80% of it. */
  dailyQuota?: number;
  /** The fake Constant Contact's latency per request (ms). */
  apiDelayMs?: number;
}

export interface DigestBenchResult {
  accounts: number;
  rate: number;
  dailyQuota: number;
  /** Seeding the watchlist into the data directory (ms). */
  seedMs: number;
  /** `/plan digest now` sent → last thread reply at the fake Slack (s). */
  totalS: number;
  /** Sent → last plan request at the fake Constant Contact (s). */
  lookupsS: number;
  /** Last plan request → first post (the summary): snapshots read and messages rendered (s). */
  renderS: number;
  /** First post → last post (s). */
  postingS: number;
  /** What planbot itself logged for the run (`digest posted`), if it did. */
  loggedDurationS: number | undefined;
  planRequests: number;
  otherRequests: number;
  peakPerSecond: number;
  throttled: number;
  tokenFetches: number;
  messages: number;
  /** The summary and its replies, as planbot's log counts them once it has posted the digest. */
  expectedMessages: number;
  /** Account ids listed in the thread, each counted once, and how many were listed more than once. */
  listed: number;
  listedTwice: number;
  /** VmHWM of the planbot process (MB). */
  peakRssMb: number;
  /** planbot's log lines at warn or above. */
  warnings: number;
}

/** Runs one digest of `accounts` watched accounts against a built planbot (dist/main.js). */
export async function runDigestBench(o: DigestBenchOptions): Promise<DigestBenchResult> {
  const { accounts, rate } = o;
  const dailyQuota = o.dailyQuota ?? 10_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-bench-digest-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const cc = await startFakeConstantContact({ clientId: 'bench-client', clientSecret: 'bench-secret' });
  const slack = await startFakeSlackApi();
  const hooks = await startResponseUrlReceiver();
  const ids = Array.from({ length: accounts }, (_, i) => `acct${String(i).padStart(5, '0')}`);
  ids.forEach((id, i) => cc.accounts.set(id, { ...samplePlans.open, billing_day_of_month: (i % 28) + 1 }));
  cc.state.apiDelayMs = o.apiDelayMs ?? 20;
  cc.state.enforceRate = rate;

  const seedStarted = performance.now();
  const seeded = createEmbeddedStore(dataDir);
  await new DigestStore(seeded.durable('digests')).watch(channel, ids);
  await seeded.close();
  const seedMs = performance.now() - seedStarted;

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
      CC_DAILY_QUOTA: String(dailyQuota),
      ACCOUNT_INDEX_REFRESH_MINUTES: '0',
      DATA_DIR: dataDir,
      // info, for the digest's own start and end lines; planbot logs nothing per lookup at info.
      LOG_LEVEL: 'info',
    },
    root,
  );
  let posted: { durationMs?: number; messages?: number } | undefined;
  let partial = '';
  bot.process.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"digest posted"') && !line.includes('"digest failed"')) continue;
      try {
        posted = JSON.parse(line) as typeof posted;
      } catch {
        posted = {};
      }
    }
  });
  const rss = sampleRss(bot.pid, 500);
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
    const posts = () => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
    // Polled slowly: this runs beside other benchmarks for minutes and must leave them the CPU.
    // Done when planbot logs the digest as posted (after its last reply).
    const until = sent + (accounts / rate) * 3000 + 120_000;
    while (!posted) {
      if (Date.now() > until) throw new Error(`timed out waiting for the digest, ${posts().length} messages so far`);
      await delay(250);
    }
    const all = posts();
    if (all.length === 0) throw new Error(`the digest posted nothing:\n${bot.tail()}`);
    const expectedMessages = posted.messages ?? Number.NaN;
    const seen = new Map<string, number>();
    for (const post of all.slice(1)) {
      for (const id of JSON.stringify(post.args.blocks ?? []).match(/acct\d{5}/g) ?? [])
        seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const plans = cc.planRequests();
    const lastPlanAt = plans.reduce((m, r) => Math.max(m, r.at), sent);
    const firstPostAt = (all[0] as { at: number }).at;
    const lastPostAt = (all.at(-1) as { at: number }).at;
    rss.stop();
    const memory = await memoryOf(bot.pid);
    return {
      accounts,
      rate,
      dailyQuota,
      seedMs,
      totalS: (lastPostAt - sent) / 1000,
      lookupsS: (lastPlanAt - sent) / 1000,
      renderS: (firstPostAt - lastPlanAt) / 1000,
      postingS: (lastPostAt - firstPostAt) / 1000,
      loggedDurationS: posted?.durationMs === undefined ? undefined : posted.durationMs / 1000,
      planRequests: plans.length,
      otherRequests: cc.state.requests.length - plans.length,
      peakPerSecond: cc.peakPerSecond(),
      throttled: cc.state.throttledAnswers,
      tokenFetches: cc.state.tokenFetches,
      messages: all.length,
      expectedMessages,
      listed: seen.size,
      listedTwice: [...seen.values()].filter((n) => n > 1).length,
      peakRssMb: Math.max(memory.hwmMb, rss.peakMb()),
      warnings: (bot.lineCounts.get('warn') ?? 0) + (bot.lineCounts.get('error') ?? 0),
    };
  } finally {
    rss.stop();
    await bot.stop(2_000).catch(() => undefined);
    await Promise.allSettled([cc.close(), slack.close(), hooks.close()]);
  }
}

async function main(): Promise<void> {
  const r = await runDigestBench({
    accounts: Number(process.env.BENCH_DIGEST_ACCOUNTS ?? 500),
    rate: Number(process.env.BENCH_DIGEST_RATE ?? 10),
  });
  log('## digest of watched accounts');
  log();
  log(`| Metric | Value | Ideal |`);
  log(`|---|---|---|`);
  log(`| Watched accounts | ${r.accounts} | |`);
  log(`| CC_RATE_LIMIT | ${r.rate}/s | |`);
  log(
    `| Time from \`/plan digest now\` to the last thread reply | ${r.totalS.toFixed(1)} s | ${(r.accounts / r.rate).toFixed(0)} s + posting |`,
  );
  log(`| of which lookups / posting | ${r.lookupsS.toFixed(1)} s / ${r.postingS.toFixed(1)} s | |`);
  log(`| Upstream plan requests | ${r.planRequests} | ${r.accounts} |`);
  log(`| Peak upstream requests in any second | ${r.peakPerSecond} | ≤ ${r.rate} |`);
  log(`| 429s from Constant Contact | ${r.throttled} | 0 |`);
  log(`| Token fetches | ${r.tokenFetches} | 1 |`);
  log(`| Messages posted (summary + thread replies) | ${r.messages} | ${r.expectedMessages} |`);
  log(`| Accounts listed in the thread (listed twice) | ${r.listed} (${r.listedTwice}) | ${r.accounts} (0) |`);
  log(`| planbot peak RSS | ${r.peakRssMb.toFixed(0)} MB | |`);
  log(`| Slack 429s | 0 (the fake never limits) | |`);
}

if (import.meta.main) {
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
}
