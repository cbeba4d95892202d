/**
 * The alerts benchmark (`npm run bench:alerts`; `npm run bench` runs it last): a burst of
 * Constant Contact webhook notifications, one per watched account, sent within a few seconds to a
 * built planbot (`dist/main.js` with the `npm start` node flags) at CC_RATE_LIMIT=10, against a
 * fake Constant Contact that answers 429 `throttled` to anything over that rate. Two runs, each on
 * a fresh data directory:
 *
 * - steady: one process from the first notification to the last alert;
 * - sigkill: the same, with the process SIGKILLed once about half of the accounts are listed in
 *   Slack, and started again at once on the same data directory and port. The SIGKILL comes half a
 *   posting interval (550 ms) after the post that crossed the half, so it does not land, by way of
 *   how it is triggered, just after Slack accepted a post;
 * - sigkill-after-post (only when BENCH_ALERTS_RUNS names it): the worst case for duplicates. Once
 *   half of the accounts are listed, the fake Slack takes the next post but holds its answer, and
 *   the process is killed while it waits: the message is in the channel (it counts as posted) but
 *   planbot never learnt it was, the one window a duplicate can come from.
 *
 * Each run reports the webhook's 200 (first attempt) p50/p99/max, the time from the first
 * notification to the last alert posted (ideal: accounts ÷ rate, one plan read per notification
 * through the rate gate), the messages posted in the channel (summary + thread replies),
 * duplicates (an account listed more than once) and losses (an account never listed), upstream
 * plan requests and the bot's peak RSS.
 *
 * Setup is seeded straight into the data directory with planbot's own store classes, so it costs
 * no lookups: one channel watching every account (`/plan watch`), its alert setting as
 * `/plan alerts on` leaves it (the watched accounts; upgrades, downgrades, cancellations and
 * disabled accounts), and each account's last known state at tier 1, as an earlier lookup or digest
 * would have left it. The fake then moves every account to tier 2, so each notification is a real
 * upgrade.
 *
 * The sender plays Constant Contact: notifications spread evenly over the send window, each
 * retried on anything but a 2xx (a refused connection included), but every
 * BENCH_ALERTS_RETRY_SECONDS (5 s) and at most BENCH_ALERTS_MAX_ATTEMPTS (5) times instead of
 * Constant Contact's minute apart, to keep the benchmark short.
 *
 * Knobs: BENCH_ALERTS_ACCOUNTS (1000), BENCH_ALERTS_RATE (10, CC_RATE_LIMIT and the fake's limit),
 * BENCH_ALERTS_SEND_SECONDS (10), BENCH_ALERTS_API_DELAY_MS (20), BENCH_ALERTS_MAX_ATTEMPTS (5),
 * BENCH_ALERTS_RETRY_SECONDS (5), BENCH_ALERTS_KILL_AT (0.5: the share of accounts listed when the
 * SIGKILL comes), BENCH_ALERTS_KILL_DELAY_MS (550: how long after that post, for `sigkill`),
 * BENCH_ALERTS_KILL_AT_SECONDS (unset; when set, the SIGKILL comes that many seconds after the first
 * notification instead, e.g. 5 to kill while notifications still arrive),
 * BENCH_ALERTS_RUNS (`steady,sigkill`; `sigkill-after-post` may be added).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { stateOf } from '../../src/alerts/accountState.ts';
import { AlertStore } from '../../src/alerts/alertStore.ts';
import { DigestStore } from '../../src/digests/digestStore.ts';
import { parseBillingPlan } from '../../src/partner/parse.ts';
import { createEmbeddedStore } from '../../src/store/createStore.ts';
import { planAtTier, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { type SlackCall, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay } from '../helpers/http.ts';
import {
  ccCredentials,
  envNumber,
  fmt,
  log,
  nodeArgs,
  planbotMain,
  printTable,
  root,
  runBench,
  signingSecret,
  startFlags,
} from './common.ts';
import { percentile } from './load.ts';
import { type Child, freePort, memoryOf, sampleRss, startChild, waitHealthy } from './proc.ts';

const accounts = Math.floor(envNumber('BENCH_ALERTS_ACCOUNTS', 1000));
const rate = envNumber('BENCH_ALERTS_RATE', 10);
const sendSeconds = envNumber('BENCH_ALERTS_SEND_SECONDS', 10);
const apiDelayMs = envNumber('BENCH_ALERTS_API_DELAY_MS', 20);
const maxAttempts = Math.floor(envNumber('BENCH_ALERTS_MAX_ATTEMPTS', 5));
const retryEveryMs = envNumber('BENCH_ALERTS_RETRY_SECONDS', 5) * 1000;
const killAt = envNumber('BENCH_ALERTS_KILL_AT', 0.5);
const killDelayMs = process.env.BENCH_ALERTS_KILL_DELAY_MS === '0' ? 0 : envNumber('BENCH_ALERTS_KILL_DELAY_MS', 550);
const killAtSeconds = process.env.BENCH_ALERTS_KILL_AT_SECONDS
  ? envNumber('BENCH_ALERTS_KILL_AT_SECONDS', 1)
  : undefined;
const runNames = ['steady', 'sigkill', 'sigkill-after-post'] as const;
type RunName = (typeof runNames)[number];
const runs = (process.env.BENCH_ALERTS_RUNS ?? 'steady,sigkill')
  .split(',')
  .map((r) => r.trim())
  .filter((r): r is RunName => (runNames as readonly string[]).includes(r));

const channel = 'C0BENCHALERTS';
const webhookSecret = 'bench-alerts-webhook-secret-0123456789';
const idealSeconds = accounts / rate;
/**
 * No new post and no new plan read for this long: the run is over even if accounts are missing
 * (longer than the 60 s a channel's post claim lasts).
 */
const stallMs = 75_000;
/** After the last account is listed, how long to keep watching for duplicates. */
const settleMs = 5_000;

const ids = Array.from({ length: accounts }, (_, i) => `acct${String(i).padStart(5, '0')}`);

/** The accounts one `chat.postMessage` lists: each alert's Show plan button carries its id. */
const accountsIn = (call: SlackCall): string[] =>
  ((call.args.blocks as Array<{ accessory?: { value?: unknown } }> | undefined) ?? [])
    .map((b) => b.accessory?.value)
    .filter((v): v is string => typeof v === 'string');

/** The watchlist, the channel's alert setting and each account's state before the change, as planbot writes them. */
async function seed(dataDir: string): Promise<void> {
  const store = createEmbeddedStore(dataDir);
  try {
    await new DigestStore(store.durable('digests')).watch(channel, ids);
    // As deps.ts builds it: the known states under a namespace of their own (a plain view here, as
    // everything is in the embedded store).
    const alerts = new AlertStore(store.durable('alerts'), store.durable('alerts-known'), store);
    await alerts.setChannel(channel, {
      scope: 'watched',
      kinds: ['upgrade', 'downgrade', 'cancellation', 'disabled'],
      setBy: 'UBENCH',
      setAt: Date.now(),
    });
    const before = stateOf(parseBillingPlan(planAtTier(1)));
    const at = Date.now() - 3_600_000;
    for (const id of ids) await alerts.setKnown(id, { state: before, at });
  } finally {
    await store.close();
  }
}

interface Delivery {
  id: string;
  /** When the first attempt was sent (epoch ms). */
  sentAt: number;
  attempts: Array<{ status: number; ms: number }>;
}

interface ProcessFigures {
  name: string;
  pid: number;
  hwmMb: number;
  sampledMb: number;
  /** Log lines by level (the audit lines are `info`). */
  logLines: string;
  /** Warnings and errors, by `event`. */
  problems: Map<string, number>;
  /** The first few warnings and errors, as written. */
  firstProblems: string[];
}

/** Counts a child's warn/error/fatal log lines by event, keeping the first few as written. */
function watchProblems(child: Child) {
  const problems = new Map<string, number>();
  const first: string[] = [];
  let partial = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const level = /"level":"(\w+)"/.exec(line)?.[1];
      if (level !== 'warn' && level !== 'error' && level !== 'fatal') continue;
      const event = /"event":"([^"]+)"/.exec(line)?.[1] ?? '(no event)';
      problems.set(`${level} ${event}`, (problems.get(`${level} ${event}`) ?? 0) + 1);
      if (first.length < 3) first.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
    }
  });
  return { problems, first };
}

/** What a dead process left in the data directory: notifications still stored, and claims not yet expired. */
function leftBehind(dataDir: string): { stored: number; leased: number; claims: string[] } {
  const db = new DatabaseSync(join(dataDir, 'planbot.sqlite'), { readOnly: true });
  try {
    const now = Date.now();
    const queue = db
      .prepare("SELECT count(*) AS n, sum(available > ?) AS leased FROM queue WHERE name = 'cc-notifications'")
      .get(now) as { n: number; leased: number | null };
    const claims = (
      db
        .prepare("SELECT key, expires FROM kv WHERE key LIKE 'claim:%' AND (expires IS NULL OR expires > ?)")
        .all(now) as Array<{ key: string; expires: number | null }>
    ).map(
      (c) =>
        `${c.key.slice('claim:'.length)} (${c.expires === null ? 'no expiry' : `${fmt((c.expires - now) / 1000)} s left`})`,
    );
    return { stored: queue.n, leased: queue.leased ?? 0, claims };
  } finally {
    db.close();
  }
}

interface KillFigures {
  afterFirstSendS: number;
  listedAtKill: number;
  postsAtKill: number;
  sinceLastPostMs: number;
  deliveredAtKill: number;
  leftBehind: ReturnType<typeof leftBehind> | string;
  restartHealthyMs: number;
  /** From the restarted process being healthy to its first post in the channel. */
  firstPostAfterRestartS: number;
}

interface RunFigures {
  name: string;
  /** How long each notification's 2xx took (the attempt that got it). */
  acks: number[];
  firstStatuses: Map<number, number>;
  retried: number;
  neverAcked: number;
  totalAttempts: number;
  sendSpanS: number;
  toLastAlertS: number;
  complete: boolean;
  topLevel: number;
  replies: number;
  updates: number;
  perReply: number[];
  listed: number;
  duplicates: number;
  extraListings: number;
  losses: number;
  lostIds: string[];
  alertLatency: number[];
  planRequests: number;
  distinctPlanRequests: number;
  throttled: number;
  peakPerSecond: number;
  tokenFetches: number;
  sampleLine: string;
  /** Alert lines that say "was tier 1": compared with the seeded state. */
  comparedWithSeed: number;
  processes: ProcessFigures[];
  kill?: KillFigures;
}

async function run(name: RunName): Promise<RunFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), `planbot-bench-alerts-${name}-`));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const cc = await startFakeConstantContact(ccCredentials);
  const slack = await startFakeSlackApi();
  for (const id of ids) cc.accounts.set(id, planAtTier(1));
  cc.state.apiDelayMs = apiDelayMs;
  cc.state.enforceRate = rate;
  await seed(dataDir);

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const hook = `${origin}/webhooks/constant-contact/${webhookSecret}`;
  const start = (label: string): Child =>
    startChild(
      label,
      [...startFlags, ...nodeArgs, planbotMain()],
      {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SLACK_BOT_TOKEN: 'xoxb-bench',
        SLACK_SIGNING_SECRET: signingSecret,
        PORT: String(port),
        HOST: '127.0.0.1',
        SLACK_API_URL: slack.url,
        CC_CLIENT_ID: ccCredentials.clientId,
        CC_CLIENT_SECRET: ccCredentials.clientSecret,
        CC_TOKEN_URL: cc.tokenUrl,
        CC_API_URL: cc.apiUrl,
        CC_RATE_LIMIT: String(rate),
        CC_WEBHOOK_SECRET: webhookSecret,
        // The account index's walk would spend the same rate gate; this measures the alerts alone.
        ACCOUNT_INDEX_REFRESH_MINUTES: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      root,
    );
  const processes: ProcessFigures[] = [];
  const problemsOf = new Map<Child, ReturnType<typeof watchProblems>>();
  const figuresOf = async (child: Child, rss: ReturnType<typeof sampleRss>): Promise<ProcessFigures> => {
    const memory = await memoryOf(child.pid).catch(() => ({ hwmMb: Number.NaN, rssMb: Number.NaN }));
    rss.stop();
    return {
      name: child.name,
      pid: child.pid,
      hwmMb: memory.hwmMb,
      sampledMb: rss.peakMb(),
      logLines: [...child.lineCounts].map(([level, n]) => `${level} ${n}`).join(', ') || 'none',
      problems: problemsOf.get(child)?.problems ?? new Map(),
      firstProblems: problemsOf.get(child)?.first ?? [],
    };
  };

  let bot = start(`planbot-alerts-${name}`);
  problemsOf.set(bot, watchProblems(bot));
  try {
    await waitHealthy(bot, `${origin}/healthz`);
    let rss = sampleRss(bot.pid);
    // The change the notifications announce: every account one tier up.
    for (const id of ids) cc.accounts.set(id, planAtTier(2));

    /** A post whose answer the fake held while the process was killed: Slack has it, planbot never heard. */
    let held: SlackCall | undefined;
    const posts = () =>
      slack.calls.filter(
        (c) => c.method === 'chat.postMessage' && c.args.channel === channel && (c.status === 200 || c === held),
      );
    const listedIds = new Set<string>();
    let seenPosts = 0;
    const listed = () => {
      const all = posts();
      for (; seenPosts < all.length; seenPosts++) for (const id of accountsIn(all[seenPosts]!)) listedIds.add(id);
      return listedIds.size;
    };

    // The sender: notification i leaves i × spacing after the first, each retried like Constant Contact.
    const spacingMs = (sendSeconds * 1000) / accounts;
    const t0 = performance.now();
    const firstSendAt = Date.now();
    let delivered = 0;
    const sending = Promise.all(
      ids.map(async (id, i): Promise<Delivery> => {
        const wait = t0 + i * spacingMs - performance.now();
        if (wait > 0) await delay(wait);
        const sentAt = Date.now();
        const { attempts } = await cc.notify(
          hook,
          { accountId: id, eventType: 'tier.increase' },
          { maxAttempts, retryEveryMs, timeoutMs: 10_000 },
        );
        if (attempts.some((a) => a.status >= 200 && a.status < 300)) delivered++;
        return { id, sentAt, attempts };
      }),
    );
    let sent: Delivery[] | undefined;
    void sending.then((d) => (sent = d));

    let kill: KillFigures | undefined;
    const deadline = firstSendAt + idealSeconds * 2_000 + 120_000;
    if (name !== 'steady') {
      const threshold = Math.ceil(accounts * killAt);
      const killTime = killAtSeconds === undefined ? undefined : firstSendAt + killAtSeconds * 1000;
      while (killTime === undefined ? listed() < threshold : Date.now() < killTime) {
        if (Date.now() > deadline) throw new Error(`never reached the kill point (${listed()} accounts listed)`);
        await delay(5);
      }
      if (name === 'sigkill' && killTime === undefined) await delay(killDelayMs);
      if (name === 'sigkill-after-post') {
        const from = slack.calls.length;
        slack.hold.ms = (method, args) => (method === 'chat.postMessage' && args.channel === channel ? 2_000 : 0);
        while (!held) {
          held = slack.calls.slice(from).find((c) => c.method === 'chat.postMessage' && c.args.channel === channel);
          if (Date.now() > deadline) throw new Error('no post came to hold');
          await delay(2);
        }
      }
      const before = await figuresOf(bot, rss);
      bot.process.kill('SIGKILL');
      const killedAt = Date.now();
      await bot.exited;
      slack.hold.ms = undefined;
      processes.push(before);
      const lastPost = posts().at(-1)?.at;
      const listedAtKill = listed();
      const postsAtKill = posts().length;
      const deliveredAtKill = delivered;
      let left: KillFigures['leftBehind'];
      try {
        left = leftBehind(dataDir);
      } catch (error) {
        left = `could not read the data directory: ${error instanceof Error ? error.message : String(error)}`;
      }
      bot = start(`planbot-alerts-${name}-restarted`);
      problemsOf.set(bot, watchProblems(bot));
      const restartHealthyMs = await waitHealthy(bot, `${origin}/healthz`);
      const healthyAt = Date.now();
      rss = sampleRss(bot.pid);
      while (posts().length === postsAtKill && Date.now() < deadline) await delay(10);
      kill = {
        afterFirstSendS: (killedAt - firstSendAt) / 1000,
        listedAtKill,
        postsAtKill,
        sinceLastPostMs: lastPost === undefined ? Number.NaN : killedAt - lastPost,
        deliveredAtKill,
        leftBehind: left,
        restartHealthyMs,
        firstPostAfterRestartS: ((posts()[postsAtKill]?.at ?? Number.NaN) - healthyAt) / 1000,
      };
    }

    // Until every account is listed, or nothing moves any more (then the missing ones are losses).
    let complete = false;
    let progress = '';
    let progressAt = Date.now();
    while (Date.now() < deadline) {
      if (listed() >= accounts) {
        complete = true;
        break;
      }
      const now = `${posts().length}/${cc.planRequests().length}`;
      if (now !== progress) [progress, progressAt] = [now, Date.now()];
      else if (sent && Date.now() - progressAt > stallMs) break;
      if (bot.process.exitCode !== null || bot.process.signalCode !== null)
        throw new Error(`${bot.name} exited during the run:\n${bot.tail()}`);
      await delay(20);
    }
    await delay(settleMs);
    const deliveries = await sending;
    processes.push(await figuresOf(bot, rss));

    const channelPosts = posts();
    const firstListed = new Map<string, number>();
    const listings = new Map<string, number>();
    for (const call of channelPosts)
      for (const id of accountsIn(call)) {
        listings.set(id, (listings.get(id) ?? 0) + 1);
        if (!firstListed.has(id)) firstListed.set(id, call.at);
      }
    const lostIds = ids.filter((id) => !listings.has(id));
    const replies = channelPosts.filter((c) => c.args.thread_ts !== undefined);
    const firstStatuses = new Map<number, number>();
    for (const d of deliveries) {
      const status = d.attempts[0]?.status ?? 0;
      firstStatuses.set(status, (firstStatuses.get(status) ?? 0) + 1);
    }
    const ok = (d: Delivery) => d.attempts.some((a) => a.status >= 200 && a.status < 300);
    const sentAts = deliveries.map((d) => d.sentAt);
    const planRequests = cc.planRequests();
    const firstReply = replies[0]?.args.blocks as Array<{ text?: { text?: string } }> | undefined;
    return {
      name,
      acks: deliveries.map((d) => d.attempts.find((a) => a.status >= 200 && a.status < 300)?.ms ?? Number.NaN),
      firstStatuses,
      retried: deliveries.filter((d) => d.attempts.length > 1).length,
      neverAcked: deliveries.filter((d) => !ok(d)).length,
      totalAttempts: deliveries.reduce((n, d) => n + d.attempts.length, 0),
      sendSpanS: (Math.max(...sentAts) - Math.min(...sentAts)) / 1000,
      toLastAlertS: ((channelPosts.at(-1)?.at ?? Number.NaN) - firstSendAt) / 1000,
      complete,
      topLevel: channelPosts.length - replies.length,
      replies: replies.length,
      updates: slack.callsTo('chat.update').filter((c) => c.args.channel === channel).length,
      perReply: replies.map((c) => accountsIn(c).length),
      listed: listings.size,
      duplicates: [...listings.values()].filter((n) => n > 1).length,
      extraListings: [...listings.values()].reduce((n, k) => n + k - 1, 0),
      losses: lostIds.length,
      lostIds,
      alertLatency: deliveries.filter((d) => firstListed.has(d.id)).map((d) => firstListed.get(d.id)! - d.sentAt),
      planRequests: planRequests.length,
      distinctPlanRequests: new Set(planRequests.map((r) => r.path)).size,
      throttled: cc.state.throttledAnswers,
      peakPerSecond: cc.peakPerSecond(),
      tokenFetches: cc.state.tokenFetches,
      sampleLine: firstReply?.[0]?.text?.text ?? '(no reply)',
      comparedWithSeed: channelPosts
        .flatMap((c) => (c.args.blocks as Array<{ text?: { text?: string } }> | undefined) ?? [])
        .filter((b) => b.text?.text?.includes('was tier 1')).length,
      processes,
      kill,
    };
  } finally {
    await bot.stop(5_000).catch(() => undefined);
    await Promise.allSettled([cc.close(), slack.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (values: number[], p: number) => fmt(percentile(values, p), 1);

function report(r: RunFigures): void {
  const statuses = [...r.firstStatuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n}× ${status === 0 ? 'no answer' : status}`)
    .join(', ');
  log();
  log(
    `## ${r.name}: ${
      r.name === 'steady'
        ? 'one process throughout'
        : r.name === 'sigkill'
          ? killAtSeconds === undefined
            ? 'one SIGKILL in the middle, between two posts, restarted at once'
            : `one SIGKILL ${killAtSeconds} s after the first notification, restarted at once`
          : 'one SIGKILL in the middle, while Slack’s answer to a post was on its way, restarted at once'
    }`,
  );
  log(
    `notifications: ${accounts} sent over ${fmt(r.sendSpanS)} s; first attempt answered ${statuses}; ` +
      `${r.retried} needed a retry, ${r.totalAttempts} attempts in all, ${r.neverAcked} never answered 2xx after ${maxAttempts} attempts`,
  );
  log(
    `webhook 200s (ms, the attempt that got it): p50 ${ms(r.acks, 50)}, p99 ${ms(r.acks, 99)}, max ${ms(r.acks, 100)}`,
  );
  if (r.kill) {
    const k = r.kill;
    log(
      `SIGKILL ${fmt(k.afterFirstSendS)} s after the first notification, ${fmt(k.sinceLastPostMs, 0)} ms after the latest ` +
        `post Slack accepted${r.name === 'sigkill-after-post' ? ' (its answer held back)' : ''}; by then ${k.listedAtKill} accounts were listed in ${k.postsAtKill} messages and ` +
        `${k.deliveredAtKill} notifications answered 2xx`,
    );
    log(
      typeof k.leftBehind === 'string'
        ? `left in the data directory: ${k.leftBehind}`
        : `left in the data directory: ${k.leftBehind.stored} notifications stored (${k.leftBehind.leased} leased by ` +
            `the dead process), claims still held: ${k.leftBehind.claims.join(', ') || 'none'}`,
    );
    log(
      `restarted on the same data directory and port: healthy in ${fmt(k.restartHealthyMs, 0)} ms, its first post ` +
        `${fmt(k.firstPostAfterRestartS)} s later`,
    );
  }
  log(
    `last alert posted ${fmt(r.toLastAlertS)} s after the first notification (ideal ${fmt(idealSeconds, 0)} s: ` +
      `${accounts} plan reads at ${rate}/s)${r.complete ? '' : '; NOT every account was listed'}`,
  );
  log(
    `time from a notification to its account's first listing (s): p50 ${fmt(percentile(r.alertLatency, 50) / 1000)}, ` +
      `p99 ${fmt(percentile(r.alertLatency, 99) / 1000)}, max ${fmt(percentile(r.alertLatency, 100) / 1000)}`,
  );
  log(
    `${channel}: ${r.topLevel + r.replies} messages (${r.topLevel} top-level, ${r.replies} thread replies of ` +
      `${fmt(percentile(r.perReply, 50), 0)} accounts at the median, ${Math.max(0, ...r.perReply)} at most), ` +
      `${r.updates} summary updates (chat.update); ${r.listed} accounts listed, duplicates ${r.duplicates} ` +
      `(${r.extraListings} extra listings), losses ${r.losses}${r.lostIds.length > 0 ? ` (${r.lostIds.slice(0, 10).join(', ')}${r.lostIds.length > 10 ? ', …' : ''})` : ''}`,
  );
  log(`  a reply's first line: ${r.sampleLine}`);
  log(`  alert lines comparing with the seeded tier 1 ("was tier 1"): ${r.comparedWithSeed}`);
  log(
    `fake Constant Contact: ${r.planRequests} plan requests for ${r.distinctPlanRequests} accounts, peak ${r.peakPerSecond} ` +
      `in any 1 s window, ${r.throttled} answered 429, ${r.tokenFetches} token fetch${r.tokenFetches === 1 ? '' : 'es'}`,
  );
  for (const p of r.processes) {
    log(
      `${p.name} (pid ${p.pid}): peak RSS VmHWM ${fmt(p.hwmMb)} MB (sampled ${fmt(p.sampledMb)} MB); ` +
        `log lines ${p.logLines}; warnings/errors: ${[...p.problems].map(([e, n]) => `${n}× ${e}`).join(', ') || 'none'}`,
    );
    for (const line of p.firstProblems) log(`  ${line}`);
  }
}

function table(results: RunFigures[]): void {
  const col = (f: (r: RunFigures) => string) => results.map(f);
  const rssOf = (r: RunFigures) => r.processes.map((p) => fmt(p.hwmMb)).join(' / ');
  log();
  log('## summary');
  log();
  printTable([
    ['Metric', ...col((r) => r.name), 'Ideal'],
    ['Webhook 200 p50 / p99 (ms)', ...col((r) => `${ms(r.acks, 50)} / ${ms(r.acks, 99)}`), ''],
    ['First attempts answered 200', ...col((r) => String(r.firstStatuses.get(200) ?? 0)), String(accounts)],
    ['First notification → last alert posted (s)', ...col((r) => fmt(r.toLastAlertS)), fmt(idealSeconds, 0)],
    [
      `Messages in the channel (top-level + replies)`,
      ...col((r) => `${r.topLevel + r.replies} (${r.topLevel} + ${r.replies})`),
      '',
    ],
    ['Accounts listed', ...col((r) => String(r.listed)), String(accounts)],
    ['Duplicates', ...col((r) => String(r.duplicates)), '0'],
    ['Losses', ...col((r) => String(r.losses)), '0'],
    ['Upstream plan requests', ...col((r) => String(r.planRequests)), String(accounts)],
    ['429s from Constant Contact', ...col((r) => String(r.throttled)), '0'],
    ['Peak RSS (MB, VmHWM; per process)', ...col(rssOf), ''],
  ]);
  log();
  log(
    `${accounts} watched accounts, one notification each sent over ${fmt(sendSeconds, 0)} s, CC_RATE_LIMIT=${rate}, ` +
      `fake API delay ${apiDelayMs} ms, sender retries every ${fmt(retryEveryMs / 1000, 0)} s up to ${maxAttempts} attempts ` +
      `(Constant Contact: every minute); embedded store (SQLite), node ${process.version}, ${availableParallelism()} cores.`,
  );
}

async function main(): Promise<void> {
  log(
    `alerts bench: ${accounts} notifications for ${accounts} watched accounts over ${fmt(sendSeconds, 0)} s, ` +
      `CC_RATE_LIMIT=${rate}; runs: ${runs.join(', ')}` +
      (runs.some((r) => r !== 'steady')
        ? killAtSeconds === undefined
          ? ` (SIGKILL at ${Math.round(killAt * 100)}% of the accounts listed; for sigkill ${killDelayMs} ms after that post)`
          : ` (SIGKILL ${killAtSeconds} s after the first notification)`
        : ''),
  );
  const results: RunFigures[] = [];
  for (const name of runs) {
    const result = await run(name);
    report(result);
    results.push(result);
  }
  table(results);
}

runBench('alerts bench', main, runs.length * (idealSeconds * 2_000 + 120_000 + stallMs + 60_000));
