import type { KnownBlock, SectionBlock } from '@slack/types';
import { describeSchedule } from '../digests/schedule.ts';
import type { RecentCount } from '../lifecycle/recentEvents.ts';
import type { QuotaPurpose, QuotaSnapshot } from '../partner/quota.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import type { StoreHealth } from '../store/createStore.ts';
import type {
  AlertsReport,
  DigestsReport,
  IndexReport,
  Part,
  StatusOutcome,
  StatusReport,
} from '../usecases/status.ts';
import { code, safeText, truncateEscaped } from '../text/mrkdwn.ts';
import { ageText } from './accountMatches.ts';
import { context, header, section, simpleMessage } from './elements.ts';
import { limits } from './limits.ts';

/** Lines a list in the report shows before it says how many more there are. */
const errorsShown = 12;
const replicasShown = 10;

/** `/plan status`, the refusal, or where to ask instead. */
export function statusReply(outcome: StatusOutcome): SlackMessage {
  switch (outcome.kind) {
    case 'refused':
      return simpleMessage(
        'Sorry, `/plan status` is only for the people who run planbot. If you need it, ask an operator to add you to `ADMIN_USER_IDS`.',
      );
    case 'not_here':
      return simpleMessage(
        "planbot's status holds operational detail, so I won't post it in this conversation. Ask me in a DM (`plan status`), or with `/plan status`: only you see that answer.",
      );
    case 'report':
      return statusMessage(outcome.report);
  }
}

/** The report, one glance per part: each part says what it knows, or that it could not be read. */
export function statusMessage(r: StatusReport): SlackMessage {
  const blocks: KnownBlock[] = [
    header('planbot status'),
    fields([
      ['Version', `${code(r.build.version, 40)} · commit ${code(r.build.commit, 64)}`],
      ['Up', `${durationText(r.now - r.startedAt)} (since ${utc(r.startedAt)})`],
      ['Mode', modeText(r)],
      ['Store', partText(r.store, storeText)],
      ['Replicas', replicasSummary(r)],
    ]),
  ];
  const replicas = replicasList(r);
  if (replicas) blocks.push(section(replicas));

  blocks.push(section('*Constant Contact*'));
  blocks.push(
    fields([
      ['Partner token', partText(r.token, tokenText(r.now), 'no partner credentials (demo mode or `/plans` only)')],
      ['Rate limit', rateText(r)],
      ['429s in the last hour', countsText(r.throttled, (c) => apiName(c.api))],
      ['Retries in the last hour', countsText(r.retries, (c) => `${apiName(c.api)} ${code(c.code, 40)}`)],
    ]),
  );

  blocks.push(section(quotaTitle(r.quota)));
  if (r.quota.kind === 'ok') blocks.push(fields(quotaFields(r.quota.value, r.now)));

  blocks.push(section('*Account index*'));
  blocks.push(
    r.index.kind === 'ok'
      ? fields(indexFields(r.index.value, r.now))
      : section(partText(r.index, () => '', 'no partner credentials: there is no account list to walk')),
  );

  blocks.push(section('*Alerts*'));
  blocks.push(
    r.alerts.kind === 'ok' ? fields(alertsFields(r.alerts.value, r.now)) : section(partText(r.alerts, () => '')),
  );

  blocks.push(section(digestsText(r.digests, r.now)));
  blocks.push(section(errorsText(r.errors)));
  blocks.push(
    context(
      'Only you can see this. The last hour’s 429s, retries and errors are this replica’s own; `/metrics` has every replica’s. What each part means: docs/operations.md, “/plan status”.',
    ),
  );

  const errors = r.errors.reduce((sum, e) => sum + e.count, 0);
  const text = [
    `planbot status: version ${safeText(r.build.version, 40)}`,
    `up ${durationText(r.now - r.startedAt)}`,
    `store ${r.store.kind === 'ok' ? r.store.value : 'unavailable'}`,
    `${errors} error${errors === 1 ? '' : 's'} in the last hour`,
  ].join(', ');
  return { text, blocks: blocks.slice(0, limits.blocks) };
}

function fields(pairs: Array<[string, string]>): SectionBlock {
  return {
    type: 'section',
    fields: pairs
      .slice(0, limits.fields)
      .map(([name, value]) => ({ type: 'mrkdwn', text: truncateEscaped(`*${name}*\n${value}`, limits.fieldText) })),
  };
}

const unavailable = (reason: 'timeout' | 'failed') =>
  reason === 'timeout' ? '_unavailable: no answer in time_' : '_unavailable: could not be read (see the log)_';

function partText<T>(p: Part<T>, ok: (value: T) => string, notSetUp = '_not set up_'): string {
  switch (p.kind) {
    case 'ok':
      return ok(p.value);
    case 'unavailable':
      return unavailable(p.reason);
    case 'not_set_up':
      return notSetUp;
  }
}

function modeText(r: StatusReport): string {
  const parts = [
    r.mode.receiver === 'socket' ? 'Socket Mode' : 'HTTP',
    r.mode.store === 'redis' ? 'Redis store' : 'embedded store (SQLite)',
  ];
  if (r.mode.demo) parts.push('*demo mode*: sample data');
  return parts.join(' · ');
}

function storeText(health: StoreHealth): string {
  switch (health) {
    case 'ok':
      return 'ok';
    case 'degraded':
      return ':warning: degraded: Redis is unreachable; this replica runs on its own memory and digests wait';
    case 'down':
      return ':warning: down: the store does not answer';
  }
}

function replicasSummary(r: StatusReport): string {
  if (r.replicas.kind === 'not_set_up') return '1 (the embedded store holds one replica)';
  if (r.replicas.kind === 'unavailable') return unavailable(r.replicas.reason);
  const { replicas } = r.replicas.value;
  const versions = new Set(replicas.map((b) => `${b.version} ${b.commit}`));
  const mixed = versions.size > 1 ? ' · :warning: not all on the same build' : '';
  return `${replicas.length} seen in the last 45 s${mixed}`;
}

function replicasList(r: StatusReport): string | undefined {
  if (r.replicas.kind !== 'ok' || r.replicas.value.replicas.length === 0) return undefined;
  const { self, replicas } = r.replicas.value;
  const sorted = [...replicas].sort(
    (a, b) => Number(b.id === self) - Number(a.id === self) || a.startedAt - b.startedAt,
  );
  const lines = sorted
    .slice(0, replicasShown)
    .map(
      (b) =>
        `• ${code(b.id, 80)}${b.id === self ? ' (this one)' : ''}: ${code(b.version, 40)} ${code(b.commit, 64)}, up ${durationText(r.now - b.startedAt)}`,
    );
  if (sorted.length > replicasShown) lines.push(`…and ${sorted.length - replicasShown} more.`);
  return lines.join('\n');
}

const tokenText =
  (now: number) =>
  (t: StatusReport['token'] extends Part<infer T> ? T : never): string => {
    if (t === null) return 'none held: the next call fetches one';
    const fetched = t.fetchedAt !== undefined ? `fetched ${ageText(now - t.fetchedAt)}` : 'fetched before this version';
    const expires =
      t.expiresAt !== undefined ? `expires ${inText(t.expiresAt - now)} (${utc(t.expiresAt)})` : 'expiry unknown';
    return `${fetched} · ${expires} · renewed ${inText(t.renewsAt - now)}`;
  };

function rateText(r: StatusReport): string {
  if (!r.rate) return '_not set up_';
  const scope = r.rate.fleetWide ? 'for the whole fleet' : 'for this replica';
  const waiting = r.rate.waitingAtGate > 0 ? ` · ${r.rate.waitingAtGate} waiting at the gate now` : '';
  return `${r.rate.perSecond} requests a second, ${scope}${waiting}`;
}

function countsText<T extends RecentCount>(counts: T[], label: (c: T) => string): string {
  if (counts.length === 0) return 'none';
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const shown = counts.slice(0, 5).map((c) => `${label(c)} ×${c.count}`);
  if (counts.length > 5) shown.push(`${counts.length - 5} more kinds`);
  return `${total.toLocaleString('en-US')}: ${shown.join(', ')}`;
}

function apiName(api: string): string {
  if (api === 'constant-contact') return 'Constant Contact';
  if (api === 'rebilly') return 'Rebilly';
  return code(api, 40);
}

const purposeNames: Record<QuotaPurpose, string> = {
  lookup: 'lookups',
  index: 'index walks',
  digest: 'digests',
  alert: 'alerts',
  radar: 'radar',
};

function quotaTitle(q: Part<QuotaSnapshot>): string {
  switch (q.kind) {
    case 'ok':
      return `*Daily quota* (UTC day ${safeText(q.value.day, 20)}, resets at midnight UTC)`;
    case 'unavailable':
      return `*Daily quota*: ${unavailable(q.reason)}`;
    case 'not_set_up':
      return '*Daily quota*: quota not counted (no Constant Contact credentials)';
  }
}

function quotaFields(q: QuotaSnapshot, now: number): Array<[string, string]> {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const byPurpose = (Object.keys(purposeNames) as QuotaPurpose[])
    .map((p) => `${purposeNames[p]} ${n(q.used[p] ?? 0)}`)
    .join(' · ');
  const over = q.projectedAtMidnight > q.limit;
  const state: string[] = [];
  if (q.exhaustedUntil !== null && q.exhaustedUntil > now)
    state.push(`:no_entry: spent: Constant Contact refuses calls until ${utc(q.exhaustedUntil)}`);
  if (q.backgroundStopped) state.push(`:warning: background work stopped to keep the last ${n(q.reserve)} for people`);
  return [
    ['Used today', `${n(q.total)} of ${n(q.limit)} (${n(q.reserve)} kept for people’s lookups)`],
    ['By purpose', byPurpose],
    ['Left', n(q.left)],
    [
      'Projected at midnight',
      `${over ? ':warning: ' : ''}${n(q.projectedAtMidnight)}${over ? ' (over the limit)' : ''}`,
    ],
    ...(state.length > 0 ? [['Now', state.join('\n')] as [string, string]] : []),
  ];
}

function indexFields(x: IndexReport, now: number): Array<[string, string]> {
  const ready = x.index.kind === 'ready' ? x.index.index : undefined;
  const next =
    x.refreshMs === 0
      ? 'only on `/plan reindex` (`ACCOUNT_INDEX_REFRESH_MINUTES=0`)'
      : x.walking
        ? 'walking now'
        : x.nextWalkAt === undefined
          ? 'at the next check'
          : x.nextWalkAt <= now
            ? 'due now (checked every quarter of the interval)'
            : `due ${inText(x.nextWalkAt - now)}`;
  // The stretched interval is what the schedule keeps; the setting alone would promise walks that will not come.
  const every =
    x.refreshMs === 0
      ? ''
      : x.refreshWhy === 'quota'
        ? `\nstretched to ${intervalText(x.refreshMs)} to keep walks within a third of the daily quota (\`ACCOUNT_INDEX_REFRESH_MINUTES\` is ${Math.round(x.configuredMs / 60_000)})`
        : `\nevery ${intervalText(x.refreshMs)} (\`ACCOUNT_INDEX_REFRESH_MINUTES\`)`;
  return [
    ['Accounts', ready ? ready.accounts.toLocaleString('en-US') : x.walking ? 'first walk running' : 'not built yet'],
    ['Built', ready ? `${ageText(now - ready.builtAt)} (${utc(ready.builtAt)})` : '—'],
    ['Next walk', `${next}${every}`],
    ['Last walk', walkText(x, now)],
  ];
}

function walkText(x: IndexReport, now: number): string {
  const w = x.lastWalk;
  if (!w) return 'none recorded';
  const pages = `${w.pages.toLocaleString('en-US')} page${w.pages === 1 ? '' : 's'}`;
  const took = durationText(w.finishedAt - w.startedAt);
  const trigger = w.trigger === 'command' ? 'on `/plan reindex`' : w.trigger === 'start' ? 'at start' : 'on schedule';
  const when = `${ageText(now - w.finishedAt)}, ${trigger}`;
  return w.outcome === 'built'
    ? `${pages} in ${took}, ${when}`
    : `:warning: failed after ${pages} (${code(w.failure ?? 'unknown', 40)}) in ${took}, ${when}`;
}

const topicNames: Record<number, string> = { 1: 'upgrade', 2: 'downgrade', 3: 'cancelled', 4: 'disabled' };

function alertsFields(a: AlertsReport, now: number): Array<[string, string]> {
  const webhook = !a.endpoint
    ? 'off (`CC_WEBHOOK_SECRET` is not set)'
    : a.keepsSubscriptions
      ? 'on; planbot keeps the subscriptions (`PUBLIC_URL`)'
      : 'on; the partner subscribes the topics';
  let subscriptions: string;
  if (!a.subscriptions) subscriptions = 'never read (`/plan alerts` reads them)';
  else {
    const topics = a.subscriptions.topics;
    const ours = topics.every((t) => t.state === 'planbot');
    const states = ours
      ? 'topics 1–4 point at planbot'
      : topics
          .map((t) => {
            const name = topicNames[t.topicId] ?? String(t.topicId);
            const state = t.state === 'planbot' ? 'planbot' : t.state === 'elsewhere' ? ':warning: elsewhere' : 'none';
            return `${t.topicId} ${name}: ${state}`;
          })
          .join(' · ');
    subscriptions = `${states} (seen ${ageText(now - a.subscriptions.at)})`;
  }
  const last = a.lastNotification
    ? `${code(a.lastNotification.eventType, 40)} for ${code(a.lastNotification.accountId, 64)}, ${ageText(now - a.lastNotification.at)}`
    : 'none yet';
  return [
    ['Webhook', webhook],
    ['Subscriptions', subscriptions],
    ['Last notification', last],
    ['Channels with alerts', a.channels.toLocaleString('en-US')],
  ];
}

function digestsText(d: Part<DigestsReport>, now: number): string {
  if (d.kind !== 'ok') return `*Digests*: ${partText(d, () => '')}`;
  const { total, listed } = d.value;
  const scheduler =
    d.value.scheduler === 'shared' ? 'on the shared queue (one replica posts each)' : 'on this process’s timers';
  if (total === 0) return `*Digests*: none scheduled`;
  const missed = listed.filter((l) => l.missed).length;
  const title = `*Digests*: ${total.toLocaleString('en-US')} scheduled, ${scheduler}${missed > 0 ? ` · :warning: ${missed} missed a run` : ''}`;
  const lines = listed.map((l) => {
    const last = l.lastRun !== undefined ? `last posted ${ageText(now - l.lastRun)}` : 'not posted yet';
    const next = l.nextAt !== undefined ? ` · next ${inText(l.nextAt - now)}` : '';
    return `• ${l.missed ? ':warning: ' : ''}${channelRef(l.channel)} ${safeText(describeSchedule(l.schedule), 120)} · ${last}${next}`;
  });
  if (total > listed.length) lines.push(`…and ${(total - listed.length).toLocaleString('en-US')} more.`);
  return [title, ...lines].join('\n');
}

function errorsText(errors: StatusReport['errors']): string {
  if (errors.length === 0) return '*Errors in the last hour*: none';
  const lines = errors.slice(0, errorsShown).map((e) => `• ${errorName(e)} ×${e.count.toLocaleString('en-US')}`);
  if (errors.length > errorsShown) lines.push(`…and ${errors.length - errorsShown} more kinds.`);
  return ['*Errors in the last hour*', ...lines].join('\n');
}

function errorName(e: StatusReport['errors'][number]): string {
  switch (e.kind) {
    case 'upstream_error':
      return `${apiName(e.api)} ${e.api === 'rebilly' ? 'search' : 'lookup'} failed: ${code(e.code, 40)}`;
    case 'slack_error':
      return `Slack ${code(e.method, 60)} failed: ${code(e.code, 60)}`;
    case 'listener_error':
      return 'Unhandled error in a listener (see the log: `unhandled_listener_error`)';
    case 'digest_failed':
      return 'Scheduled digest failed';
    case 'index_walk_failed':
      return `Account index walk failed: ${code(e.code, 40)}`;
  }
}

/** A channel as a link Slack draws with its name; anything that is not a channel id is shown as code. */
function channelRef(id: string): string {
  return /^[CGD][A-Z0-9]{2,30}$/.test(id) ? `<#${id}>` : code(id, 40);
}

/** "2026-05-04 09:30 UTC". */
function utc(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "in 48 minutes", "in 3 hours", "now"; a time already past reads "overdue". */
function inText(ms: number): string {
  if (ms < 0) return 'overdue';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'in under a minute';
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `in ${hours} hours`;
  return `in ${Math.round(hours / 24)} days`;
}

/** "60 minutes", "8 h", "36 h", "2.5 h": an interval, as an operator sets it. */
function intervalText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.round(minutes / 6) / 10} h`;
}

/** "1.4 s", "12 minutes", "3 hours 5 minutes", "2 days 4 hours". */
function durationText(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} hours`;
}
