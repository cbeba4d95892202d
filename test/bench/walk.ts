/**
 * A walk of the account list by the built bot, as the account index and scale benchmarks run it:
 * the fake Constant Contact serving generated accounts 50 a page (429 `throttled` past the rate),
 * `node <npm start flags> dist/main.js` walking at start, and what its log, the fake and /proc say
 * about the walk.
 */
import { delay } from '../helpers/http.ts';
import { type FakeConstantContact, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { ccCredentials, nodeArgs, planbotEnv, root, startFlags } from './common.ts';
import { percentile } from './load.ts';
import { type Child, memoryOf, sampleRss, startChild } from './proc.ts';

/** The bot asks for 50 a page (accountsPageSize); the fake gives at most this many. */
export const pageSize = 50;

/** The fake Constant Contact with `raw` as its account list; `rate`: 429 `throttled` past that many a second. */
export async function serveAccountList(
  raw: Record<string, unknown>[],
  o: { rate: number; apiDelayMs: number },
): Promise<FakeConstantContact> {
  const cc = await startFakeConstantContact(ccCredentials);
  cc.state.partnerAccounts = raw;
  cc.state.maxPageSize = pageSize;
  cc.state.apiDelayMs = o.apiDelayMs;
  cc.state.enforceRate = o.rate;
  return cc;
}

/** planbot as `npm start` runs it, walking the list at start (hourly after); `env` adds or overrides. */
export function startWalkingPlanbot(
  name: string,
  o: {
    mainJs: string;
    port: number;
    dataDir: string;
    cc: FakeConstantContact;
    slackApiUrl: string;
    rate: number;
    env?: Record<string, string>;
  },
): Child {
  return startChild(
    name,
    [...startFlags, ...nodeArgs, o.mainJs],
    {
      ...planbotEnv({ port: o.port, dataDir: o.dataDir, slackApiUrl: o.slackApiUrl, cc: o.cc, rate: o.rate }),
      ACCOUNT_INDEX_REFRESH_MINUTES: '60',
      // `started` and `account_index_refresh` are info lines.
      LOG_LEVEL: 'info',
      ...o.env,
    },
    root,
  );
}

export interface WalkFigures {
  /** `started` → `account_index_refresh` (the index walked and stored), s. */
  fromStartedS: number;
  fromSpawnS: number;
  firstToLastRequestS: number;
  spawnToFirstRequestS: number;
  listRequests: number;
  tokenFetches: number;
  peakPerSecond: number;
  throttled: number;
  /** As the bot's log line says. */
  accounts: number;
  /** Between one list request and the next, ms. */
  gapP50: number;
  gapMax: number;
  rssAtStartedMb: number;
  /** The highest of VmHWM and VmRSS sampled every 50 ms, by the end of the walk. */
  peakRssMb: number;
  sampledPeakRssMb: number;
  hwmMb: number;
  rssAfterMb: number;
}

/** Waits for the bot's walk at start to end; rejects when it failed, the bot exited, or `timeoutMs` passed. */
export async function awaitWalk(o: {
  bot: Child;
  botLog: BotLog;
  cc: FakeConstantContact;
  /** Date.now() when the bot was spawned. */
  spawnedAt: number;
  timeoutMs: number;
}): Promise<WalkFigures> {
  const { bot, botLog, cc } = o;
  const rss = sampleRss(bot.pid, 50);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void bot.exited.then((e) => {
    exited = e;
  });
  try {
    let rssAtStartedMb = Number.NaN;
    const until = performance.now() + o.timeoutMs;
    while (botLog.refreshAt === undefined && botLog.failure === undefined && !exited && performance.now() < until) {
      if (botLog.startedAt !== undefined && Number.isNaN(rssAtStartedMb))
        rssAtStartedMb = (await memoryOf(bot.pid).catch(() => ({ rssMb: Number.NaN }))).rssMb;
      await delay(10);
    }
    if (exited)
      throw new Error(`planbot exited (code ${exited.code}, signal ${exited.signal}) during the walk:\n${bot.tail()}`);
    if (botLog.failure !== undefined) throw new Error(`the walk failed: ${botLog.failure}\n${bot.tail()}`);
    if (botLog.refreshAt === undefined) {
      throw new Error(
        `the walk did not finish within ${o.timeoutMs / 1000} s (${cc.listRequests().length} list requests so far):\n${bot.tail()}`,
      );
    }
    const memory = await memoryOf(bot.pid);
    const listTimes = cc.listRequests().map((r) => r.at);
    const gaps = listTimes.slice(1).map((t, i) => t - (listTimes[i] as number));
    return {
      fromStartedS: botLog.startedAt === undefined ? Number.NaN : (botLog.refreshAt - botLog.startedAt) / 1000,
      fromSpawnS: (botLog.refreshAt - o.spawnedAt) / 1000,
      firstToLastRequestS: ((listTimes.at(-1) ?? Number.NaN) - (listTimes[0] ?? Number.NaN)) / 1000,
      spawnToFirstRequestS: ((listTimes[0] ?? Number.NaN) - o.spawnedAt) / 1000,
      listRequests: listTimes.length,
      tokenFetches: cc.state.tokenFetches,
      peakPerSecond: cc.peakPerSecond(),
      throttled: cc.state.throttledAnswers,
      accounts: botLog.refreshAccounts ?? Number.NaN,
      gapP50: percentile(gaps, 50),
      gapMax: gaps.length > 0 ? gaps.reduce((a, b) => Math.max(a, b)) : Number.NaN,
      rssAtStartedMb,
      peakRssMb: Math.max(rss.peakMb(), memory.hwmMb),
      sampledPeakRssMb: rss.peakMb(),
      hwmMb: memory.hwmMb,
      rssAfterMb: memory.rssMb,
    };
  } finally {
    rss.stop();
  }
}

export interface BotLog {
  startedAt?: number;
  refreshAt?: number;
  refreshAccounts?: number;
  failure?: string;
  events: Map<string, number>;
  levels: Map<string, number>;
  /** The audit lines' durationMs (request → answer posted, as the bot timed it), by outcome. */
  auditMs: Map<string, number[]>;
}

/** Reads planbot's JSON lines as they come: when it started, when its walk ended, what else it said. */
export function watchLog(child: Child): BotLog {
  const seen: BotLog = { events: new Map(), levels: new Map(), auditMs: new Map() };
  let partial = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let entry: {
        event?: string;
        level?: string;
        time?: string;
        trigger?: string;
        accounts?: number;
        err?: { message?: string };
        outcome?: string;
        durationMs?: number;
      };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (entry.level) seen.levels.set(entry.level, (seen.levels.get(entry.level) ?? 0) + 1);
      if (!entry.event) continue;
      seen.events.set(entry.event, (seen.events.get(entry.event) ?? 0) + 1);
      const at = entry.time ? Date.parse(entry.time) : Date.now();
      if (entry.event === 'started') seen.startedAt = at;
      if (entry.event === 'audit' && entry.outcome && typeof entry.durationMs === 'number') {
        const list = seen.auditMs.get(entry.outcome) ?? [];
        list.push(entry.durationMs);
        seen.auditMs.set(entry.outcome, list);
      }
      if (entry.event === 'account_index_refresh' && entry.trigger === 'start' && seen.refreshAt === undefined) {
        seen.refreshAt = at;
        seen.refreshAccounts = entry.accounts;
      }
      if (entry.event === 'account_index_failed' && seen.failure === undefined)
        seen.failure = entry.err?.message ?? line.slice(0, 300);
    }
  });
  return seen;
}
