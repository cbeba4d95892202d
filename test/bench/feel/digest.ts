/**
 * Item 5 of `npm run bench`: `/plan digest now` for 5,000 watched accounts (quick: 300) at
 * CC_RATE_LIMIT=10, against a built planbot and a fake Constant Contact that answers 429 past 10
 * requests a second (test/bench/digest.ts does the run). The ideal is what the limits allow: the
 * lookups at the rate (accounts ÷ 10 s), then the messages at Slack's pace as planbot keeps it (one
 * a channel every 1.1 s, src/slackApi/poster.ts). Paced by those limits rather than the CPU, so
 * the orchestrator runs it beside the other parts; it takes about 9½ minutes in full.
 *
 * Knobs (environment): BENCH_DIGEST_ACCOUNTS, BENCH_DIGEST_RATE override the counts above.
 */
import { gateIntervalMs } from '../../../src/partner/rateGate.ts';
import { runDigestBench } from '../digest.ts';
import { killAllChildrenNow } from '../proc.ts';
import { count, quick, report, row } from './result.ts';

/** createSlackPoster's default spacing of posts in one channel (src/slackApi/poster.ts). */
const postingIntervalMs = 1_100;
/** Within this share above the ideal counts as met: the ideal has no room for any latency at all. */
const slack = 1.1;

async function main(): Promise<void> {
  const accounts = Number(process.env.BENCH_DIGEST_ACCOUNTS ?? (quick ? 300 : 5_000));
  const rate = Number(process.env.BENCH_DIGEST_RATE ?? 10);
  // Background work stops at the 20% reserve: the digest must fit in the other 80%.
  const dailyQuota = Math.max(10_000, Math.ceil(accounts / 0.8));
  const r = await runDigestBench({ accounts, rate, dailyQuota });

  const lookupsIdeal = accounts / rate;
  const postingIdeal = ((r.expectedMessages - 1) * postingIntervalMs) / 1000;
  const ideal = lookupsIdeal + postingIdeal;
  const s = (v: number) => `${v.toFixed(1)} s`;
  report([
    {
      item: 5,
      title: 'A digest of watched accounts',
      setup:
        `\`/plan digest now\` for ${count(accounts)} watched accounts at CC_RATE_LIMIT=${rate} (the fake Constant Contact ` +
        `answers 429 past ${rate} a second, 20 ms latency); CC_DAILY_QUOTA=${count(dailyQuota)} with the default 20% reserve, ` +
        `so background work may spend ${count(dailyQuota * 0.8)} ≥ ${count(accounts)}; index walks off.`,
      rows: [
        row(
          '`digest now` → last thread reply',
          s(r.totalS),
          `${s(ideal)} (${s(lookupsIdeal)} lookups + ${r.expectedMessages - 1} × 1.1 s posting)`,
          r.totalS <= ideal * slack,
        ),
        row('lookups (→ last plan request)', s(r.lookupsS), s(lookupsIdeal), r.lookupsS <= lookupsIdeal * slack),
        row('snapshots and rendering (→ first post)', s(r.renderS), ''),
        row('posting (first → last post)', s(r.postingS), s(postingIdeal), r.postingS <= postingIdeal * slack),
        row('upstream plan requests', count(r.planRequests), count(accounts), r.planRequests === accounts),
        row('peak upstream requests in any second', count(r.peakPerSecond), `≤ ${rate}`, r.peakPerSecond <= rate),
        row('429s from Constant Contact', count(r.throttled), '0', r.throttled === 0),
        row('token fetches', count(r.tokenFetches), '1', r.tokenFetches === 1),
        row(
          'messages posted (summary + thread replies)',
          count(r.messages),
          `${count(r.expectedMessages)} (planbot's count)`,
          r.messages === r.expectedMessages,
        ),
        row(
          'accounts listed in the thread',
          `${count(r.listed)}, ${count(r.listedTwice)} twice`,
          `${count(accounts)}, none twice`,
          r.listed === accounts && r.listedTwice === 0,
        ),
        row('planbot peak RSS', `${r.peakRssMb.toFixed(0)} MB`, ''),
      ],
      notes: [
        `Met: within ${Math.round((slack - 1) * 100)}% of the ideal. planbot's rate gate spaces requests ` +
          `${gateIntervalMs(rate).toFixed(0)} ms apart (5% slack under the limit), so the lookups alone take at least ` +
          `${s((accounts * gateIntervalMs(rate)) / 1000)}; posting follows the last lookup (the digest is rendered whole, ` +
          `then posted at one message a channel every ${postingIntervalMs / 1000} s).`,
        `planbot's own log put the run at ${r.loggedDurationS === undefined ? 'n/a' : s(r.loggedDurationS)}; ` +
          `other requests to Constant Contact: ${count(r.otherRequests)}; planbot warnings/errors logged: ${count(r.warnings)}; ` +
          `seeding ${count(accounts)} watched accounts into the store took ${r.seedMs.toFixed(0)} ms.`,
        ...(quick ? [`--quick: ${count(accounts)} accounts instead of 5,000.`] : []),
      ],
    },
  ]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `feel/digest could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    killAllChildrenNow();
    process.exit(1);
  },
);
