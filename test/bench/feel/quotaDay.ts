/**
 * Item 6 of `npm run bench`: one simulated UTC day under CC_DAILY_QUOTA=10000 (default 20%
 * reserve), on a fake clock, in some seconds. ACCOUNT_INDEX_REFRESH_MINUTES=60 for 50,000 accounts
 * (1,000 pages a walk: 24,000 requests a day if nothing governed it), 2,000 people's lookups over
 * 08:00–18:00 UTC (15% of them repeats), and a digest of 1,000 watched accounts at 09:00.
 *
 * planbot's own modules do the work, wired as src/deps.ts wires them: the quota governor on the
 * embedded store's counters, the Constant Contact client (token provider, rate gate, retries,
 * quota), plan lookups with their cache, the digest runner, buildIndex for the walks, and
 * refreshIntervalFor for the interval after each walk. Constant Contact is the loopback fake with
 * no latency. The day is then run again ungoverned (no reserve, the interval as configured; the
 * governor still counts to the limit, standing in for Constant Contact's own cap), for contrast.
 *
 * Time: every module takes the fake `now`, and the clock moves one rate-gate interval at
 * CC_RATE_LIMIT=10 per request sent (a walk of 1,000 pages takes 105 simulated seconds). Events run
 * one after another in time order, so a lookup due during a walk runs when the walk ends. Walks are
 * checked for every 15 minutes from 00:00 (refreshCheckMs) and begin once the index is older than
 * the interval, as the account index feature does on its timer.
 *
 * Knobs: `--quick` divides every count by 10 (5,000 accounts, 200 lookups, a 100-account digest,
 * CC_DAILY_QUOTA=1000: the same day in small). BENCH_QUOTA_SEED changes the lookups' random draw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildIndex, IndexBuildError } from '../../../src/accounts/accountIndex.ts';
import { refreshCheckMs } from '../../../src/accounts/indexFeature.ts';
import { refreshIntervalFor } from '../../../src/accounts/refreshInterval.ts';
import { digestCredentialsRefused, digestMessages } from '../../../src/blocks/digestMessages.ts';
import { DigestStore } from '../../../src/digests/digestStore.ts';
import { createDigestRunner, type DigestRunResult } from '../../../src/digests/runDigest.ts';
import { createLogger } from '../../../src/logger.ts';
import { accountsPageSize, createConstantContactClient } from '../../../src/partner/constantContact.ts';
import { isUpstreamError } from '../../../src/partner/errors.ts';
import { createHttpClient, type HttpClient } from '../../../src/partner/httpClient.ts';
import { createAfterAnswers } from '../../../src/lifecycle/afterAnswers.ts';
import { createPlanLookup } from '../../../src/partner/planLookup.ts';
import { createQuotaGovernor, type QuotaPurpose, quotaPurposes } from '../../../src/partner/quota.ts';
import { createRateGate, gateIntervalMs } from '../../../src/partner/rateGate.ts';
import { defaultRetryPolicy } from '../../../src/partner/retryPolicy.ts';
import { TokenProvider } from '../../../src/partner/tokenProvider.ts';
import { createEmbeddedStore } from '../../../src/store/createStore.ts';
import { partnerAccount, startFakeConstantContact } from '../../helpers/fakeConstantContact.ts';
import { realisticPlan } from '../fakes.ts';
import { count, quick, report, row } from './result.ts';
import { prng } from '../names.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const scale = quick ? 10 : 1;

const plan = {
  accounts: 50_000 / scale,
  lookups: 2_000 / scale,
  /** Share of the lookups that ask again for an account asked before. */
  repeatShare: 0.15,
  digestAccounts: 1_000 / scale,
  dailyQuota: 10_000 / scale,
  reservePercent: 20,
  refreshMinutes: 60,
  /** The rate the simulated time moves at: one gate interval per request. */
  simRate: 10,
  workStart: 8 * hour,
  workEnd: 18 * hour,
  digestAt: 9 * hour,
};

/**
 * The gate still spaces requests in real time (rate-limiter-flexible reads Date.now): given a
 * rate far above what loopback serves, it never holds the day back.
 */
const realGateRate = 10_000;

const idOf = (i: number) => partnerAccount(i).encoded_account_id as string;

/** People's lookups over working hours: first asks spread evenly, repeats some seconds or hours later. */
function lookupTimes(dayStart: number, seed: number): Array<{ at: number; accountId: string; repeat: boolean }> {
  const rnd = prng(seed);
  const firsts = Math.round(plan.lookups * (1 - plan.repeatShare));
  const out: Array<{ at: number; accountId: string; repeat: boolean }> = [];
  for (let i = 0; i < firsts; i++) {
    const at = dayStart + plan.workStart + Math.floor(rnd() * (plan.workEnd - plan.workStart));
    out.push({ at, accountId: idOf(Math.floor(rnd() * plan.accounts)), repeat: false });
  }
  for (let i = out.length; i < plan.lookups; i++) {
    const before = out[Math.floor(rnd() * firsts)] as { at: number; accountId: string };
    // A third ask again within the minute (the plan cache's 60 s), the rest 10 minutes to 4 hours later.
    const later = rnd() < 1 / 3 ? 5_000 + rnd() * 45_000 : 10 * minute + rnd() * 230 * minute;
    const at = Math.min(before.at + Math.floor(later), dayStart + plan.workEnd - 1);
    out.push({ at, accountId: before.accountId, repeat: true });
  }
  return out.sort((a, b) => a.at - b.at);
}

interface Walk {
  at: number;
  endedAt: number;
  pages: number;
  /** 'built', or why the walk stopped (quota_reserved, quota_exceeded, …). */
  outcome: string;
}

interface DayResult {
  byPurpose: Record<QuotaPurpose, number>;
  total: number;
  /** Requests that reached the fake Constant Contact (token endpoint not counted). */
  upstream: { plans: number; pages: number };
  tokenFetches: number;
  intervals: Array<{ at: number; ms: number; why: string }>;
  walks: Walk[];
  backgroundStoppedAt: number | undefined;
  lookups: { asked: number; answered: number; refusedQuota: number; otherFailures: number; firstRefusedAt?: number };
  /** Refused lookups per hour of the day. */
  refusedByHour: number[];
  digest: DigestRunResult & { at: number; endedAt: number; leftOut: number };
  realMs: number;
}

/** One day on the fake clock. `governed`: the reserve and the stretched interval, as planbot runs. */
async function simulateDay(governed: boolean, dayStart: number, seed: number): Promise<DayResult> {
  const realStarted = performance.now();
  let clock = dayStart;
  const now = () => clock;
  const dir = mkdtempSync(join(tmpdir(), 'planbot-quota-day-'));
  const cc = await startFakeConstantContact({ clientId: 'day-client', clientSecret: 'day-secret' });
  const store = createEmbeddedStore(dir, { now });
  const afterReads = createAfterAnswers({
    onError: (error) => {
      throw error;
    },
  });
  const events: Array<{ at: number; event: string; fields: Record<string, unknown> }> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const fields = JSON.parse(line) as Record<string, unknown>;
          if (typeof fields.event === 'string') events.push({ at: clock, event: fields.event, fields });
        }
        done();
      },
    }),
  );
  try {
    cc.partnerAccounts = Array.from({ length: plan.accounts }, (_, i) => partnerAccount(i));
    for (let i = 0; i < plan.accounts; i++) cc.accounts.set(idOf(i), realisticPlan(i));

    const quota = createQuotaGovernor({
      counter: store.counters('quota'),
      dailyQuota: plan.dailyQuota,
      reserve: governed ? Math.floor((plan.dailyQuota * plan.reservePercent) / 100) : 0,
      now,
      logger,
    });
    // Each request sent moves the clock by one gate interval at the simulated rate.
    const realHttp = createHttpClient();
    const http: HttpClient = (req) => {
      if (req.url.startsWith(cc.apiUrl)) clock += gateIntervalMs(plan.simRate);
      return realHttp(req);
    };
    const tokens = new TokenProvider({
      http,
      tokenUrl: cc.tokenUrl,
      clientId: cc.clientId,
      clientSecret: cc.clientSecret,
      store: store.namespace('tokens'),
      lock: store,
      policy: defaultRetryPolicy,
      now,
    });
    const client = createConstantContactClient({
      http,
      apiUrl: cc.apiUrl,
      apiKey: cc.clientId,
      tokens,
      gate: createRateGate({ api: 'constant-contact', ratePerSecond: realGateRate, now }),
      policy: defaultRetryPolicy,
      quota,
      now,
    });
    const lookup = createPlanLookup({
      client,
      cache: store.namespace('plans'),
      ttlMs: 60_000,
      now,
      later: afterReads.defer,
    });

    const channel = 'C0QUOTADAY';
    const digestStore = new DigestStore(store.durable('digests'));
    await digestStore.watch(
      channel,
      Array.from({ length: plan.digestAccounts }, (_, i) =>
        idOf(Math.floor((i * plan.accounts) / plan.digestAccounts)),
      ),
    );
    let ts = 0;
    const runner = createDigestRunner({
      store: digestStore,
      lookup,
      poster: {
        post: async () => `${++ts}.000100`,
        update: async () => {},
        userTimeZone: async () => undefined,
      },
      render: { digest: digestMessages, credentialsRefused: digestCredentialsRefused },
      logger,
      now,
      sample: false,
      ratePerSecond: plan.simRate,
      onChannelGone: async () => {},
    });

    // The walks: at start, then whenever a 15-minute check finds the index older than the interval.
    const configuredMs = plan.refreshMinutes * minute;
    let refreshMs = configuredMs;
    const intervals: DayResult['intervals'] = [];
    const walks: Walk[] = [];
    let builtAt: number | undefined;
    const walk = async () => {
      const at = clock;
      let pages = 0;
      try {
        const index = await buildIndex({
          client,
          deadlinePerPage: 60_000,
          now,
          onPage: (p) => (pages = p.pages),
        });
        builtAt = index.builtAt;
        walks.push({ at, endedAt: clock, pages, outcome: 'built' });
        if (governed) {
          const chosen = refreshIntervalFor({
            accounts: index.accounts.length,
            pageSize: accountsPageSize,
            dailyQuota: plan.dailyQuota,
            configuredMs,
          });
          if (chosen.ms !== refreshMs || intervals.length === 0) intervals.push({ at: clock, ...chosen });
          refreshMs = chosen.ms;
        }
      } catch (error) {
        const failure =
          error instanceof IndexBuildError && error.code === 'upstream' && isUpstreamError(error.cause)
            ? error.cause.code
            : error instanceof IndexBuildError
              ? error.code
              : 'other';
        walks.push({
          at,
          endedAt: clock,
          pages: error instanceof IndexBuildError ? error.pages : pages,
          outcome: failure,
        });
      }
    };

    type Due = { at: number; run: () => Promise<void> };
    const due: Due[] = [];
    const checkEvery = refreshCheckMs(configuredMs);
    for (let t = dayStart; t < dayStart + day; t += checkEvery)
      due.push({
        at: t,
        run: async () => {
          if (builtAt === undefined || clock - builtAt >= refreshMs) await walk();
        },
      });
    const lookups = { asked: 0, answered: 0, refusedQuota: 0, otherFailures: 0 } as DayResult['lookups'];
    const refusedByHour = Array.from({ length: 24 }, () => 0);
    for (const l of lookupTimes(dayStart, seed))
      due.push({
        at: l.at,
        run: async () => {
          lookups.asked++;
          try {
            await lookup.get(l.accountId, clock + 10_000, { purpose: 'lookup' });
            lookups.answered++;
          } catch (error) {
            if (isUpstreamError(error) && (error.code === 'quota_exceeded' || error.code === 'quota_reserved')) {
              lookups.refusedQuota++;
              lookups.firstRefusedAt ??= clock;
              refusedByHour[Math.floor((clock - dayStart) / hour)]!++;
            } else lookups.otherFailures++;
          }
        },
      });
    let digest: DayResult['digest'] | undefined;
    due.push({
      at: dayStart + plan.digestAt,
      run: async () => {
        const at = clock;
        const result = await runner.run(channel, 'schedule');
        const leftOut = events.find((e) => e.event === 'digest_left_out')?.fields.leftOut;
        digest = { ...result, at, endedAt: clock, leftOut: typeof leftOut === 'number' ? leftOut : 0 };
      },
    });
    // Stable: at one moment the walk check goes first, as the timer would fire before a command lands.
    due.sort((a, b) => a.at - b.at);
    for (const d of due) {
      clock = Math.max(clock, d.at);
      await d.run();
    }

    clock = Math.max(clock, dayStart + day - 1);
    const snapshot = await quota.snapshot();
    const stopped = events.find((e) => e.event === 'quota_background_stopped');
    return {
      byPurpose: snapshot.used,
      total: snapshot.total,
      upstream: { plans: cc.planRequests().length, pages: cc.listRequests().length },
      tokenFetches: cc.state.tokenFetches,
      intervals,
      walks,
      backgroundStoppedAt: stopped?.at,
      lookups,
      refusedByHour,
      digest: digest ?? {
        outcome: 'failed',
        accounts: 0,
        loaded: 0,
        messages: 0,
        retry: false,
        at: 0,
        endedAt: 0,
        leftOut: 0,
      },
      realMs: performance.now() - realStarted,
    };
  } finally {
    await afterReads.settled();
    await store.close();
    await cc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "09:41" for a time on the simulated day. */
const clockText = (at: number | undefined, dayStart: number, seconds = false) => {
  if (at === undefined) return 'never';
  return new Date(at - dayStart).toISOString().slice(11, seconds ? 19 : 16);
};
const hoursText = (ms: number) => (ms % hour === 0 ? `${ms / hour} h` : `${(ms / minute).toFixed(0)} min`);

async function main(): Promise<void> {
  // A day ahead of the real one: the rate gate's queue judges the requests' deadlines by the real clock.
  const today = new Date();
  const dayStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 2);
  const seed = Number(process.env.BENCH_QUOTA_SEED ?? 6);

  const g = await simulateDay(true, dayStart, seed);
  const u = await simulateDay(false, dayStart, seed);

  const reserve = Math.floor((plan.dailyQuota * plan.reservePercent) / 100);
  const pagesPerWalk = Math.ceil(plan.accounts / accountsPageSize);
  const purposes = (r: DayResult) =>
    quotaPurposes
      .filter((p) => r.byPurpose[p] > 0)
      .map((p) => `${p} ${count(r.byPurpose[p])}`)
      .join(', ');
  const built = (r: DayResult) => r.walks.filter((w) => w.outcome === 'built');
  const walkList = (r: DayResult) =>
    built(r)
      .map((w) => clockText(w.at, dayStart))
      .join(', ');
  const failedWalks = (r: DayResult) => r.walks.filter((w) => w.outcome !== 'built');
  const chosen = g.intervals.at(-1);
  const digestText = (r: DayResult) =>
    `${r.digest.outcome}: ${count(r.digest.loaded)} of ${count(r.digest.accounts)} read` +
    (r.digest.leftOut ? `, ${count(r.digest.leftOut)} left out` : '') +
    ` (${clockText(r.digest.at, dayStart, true)}–${clockText(r.digest.endedAt, dayStart, true)})`;

  report([
    {
      item: 6,
      title: 'A day under the daily quota',
      setup:
        `A simulated UTC day on a fake clock: ${count(plan.accounts)} accounts with ACCOUNT_INDEX_REFRESH_MINUTES=` +
        `${plan.refreshMinutes} (${count(pagesPerWalk)} pages a walk), ${count(plan.lookups)} people's lookups 08:00–18:00 ` +
        `(${Math.round(plan.repeatShare * 100)}% repeats), a ${count(plan.digestAccounts)}-account digest at 09:00; ` +
        `CC_DAILY_QUOTA=${count(plan.dailyQuota)} with the default ${plan.reservePercent}% reserve (${count(reserve)}). ` +
        `planbot's governor, client, lookups, digest runner and walk against the loopback fake Constant Contact.`,
      rows: [
        row(
          'requests in the day, all purposes',
          count(g.total),
          `≤ ${count(plan.dailyQuota)}`,
          g.total <= plan.dailyQuota,
        ),
        row('requests by purpose', purposes(g), ''),
        row(
          'refresh interval chosen',
          chosen ? `${hoursText(chosen.ms)} (${chosen.why})` : 'none',
          `walks ≤ ⅓ of the quota (${count(Math.floor(plan.dailyQuota / 3))})`,
          chosen ? (pagesPerWalk * day) / chosen.ms <= plan.dailyQuota / 3 + 1 : null,
        ),
        row('walks done', `${built(g).length} (${walkList(g)})`, ''),
        row('digest', digestText(g), `${count(plan.digestAccounts)} read`, g.digest.loaded === plan.digestAccounts),
        row(
          'background work stopped at the reserve',
          g.backgroundStoppedAt === undefined ? 'never' : `at ${clockText(g.backgroundStoppedAt, dayStart)}`,
          '',
        ),
        row(
          "people's lookups refused for quota",
          `${count(g.lookups.refusedQuota)} of ${count(g.lookups.asked)}`,
          '0',
          g.lookups.refusedQuota === 0,
        ),
        // The same day without the governor, for contrast: figures, not planbot's to meet.
        row(
          'ungoverned: requests hourly walks would want',
          `${count((day / (plan.refreshMinutes * minute)) * pagesPerWalk)} (${day / (plan.refreshMinutes * minute)} walks × ${count(pagesPerWalk)}, arithmetic)`,
          '',
        ),
        row(
          'ungoverned: walks done, requests by purpose',
          `${built(u).length} walks; ${purposes(u)}; ${count(u.total)} in all`,
          '',
        ),
        row('ungoverned: digest', digestText(u), ''),
        row(
          "ungoverned: people's lookups refused for quota",
          `${count(u.lookups.refusedQuota)} of ${count(u.lookups.asked)}, from ${clockText(u.lookups.firstRefusedAt, dayStart)}`,
          '',
        ),
      ],
      notes: [
        `Governed: ${count(g.upstream.pages)} list pages and ${count(g.upstream.plans)} plan reads reached the fake ` +
          `(token fetches ${g.tokenFetches}: the token lasts an hour of the fake clock); ` +
          `${count(g.lookups.answered)} lookups answered, ${count(g.lookups.otherFailures)} failed otherwise; ` +
          `walks that stopped: ${failedWalks(g).length}.`,
        `Ungoverned is the same simulation with the reserve at 0 and the interval as configured (the account index ` +
          `feature leaves it so without CC_DAILY_QUOTA); the governor still counts to ${count(plan.dailyQuota)}, standing ` +
          `in for Constant Contact's own cap. Walks there: ${walkList(u)}; ` +
          failedWalks(u)
            .filter((w) => w.pages > 0)
            .map(
              (w) =>
                `the one begun at ${clockText(w.at, dayStart)} met the cap after ${count(w.pages)} pages (spent for nothing: a walk keeps no part), `,
            )
            .join('') +
          `${failedWalks(u).filter((w) => w.pages === 0).length} more were refused before their first page. Lookups refused by hour: ` +
          u.refusedByHour
            .map((n, h) => (n ? `${String(h).padStart(2, '0')}h ${n}` : ''))
            .filter(Boolean)
            .join(', ') +
          '.',
        `Walks begin at the first 15-minute check after the index is older than the interval, measured from the walk's ` +
          `end, so "every 60 minutes" walks about every 75 (hence not 24 walks in the ungoverned day).`,
        `Fake clock: every module takes it; it moves by one rate-gate interval at CC_RATE_LIMIT=${plan.simRate} ` +
          `(${gateIntervalMs(plan.simRate).toFixed(0)} ms) per request sent, and events run in time order (a lookup due ` +
          `during a walk runs after it). The rate gate's limiter spaces requests by the real clock, so it is set to ` +
          `${count(realGateRate)}/s here; the day is dated two days ahead so its deadlines are in the real future, as the ` +
          `gate's queue judges them by Date.now. Not simulated: radar plan reads after walks (RADAR_PLAN_READS_PER_DAY), alerts.`,
        `Real time: governed day ${(g.realMs / 1000).toFixed(1)} s, ungoverned ${(u.realMs / 1000).toFixed(1)} s` +
          (quick ? '; --quick: every count ÷ 10 (the quota too), the same day in small.' : '.'),
      ],
    },
  ]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `feel/quotaDay could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
