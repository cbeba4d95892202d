import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../../src/blocks/limits.ts';
import { statusMessage, statusReply } from '../../../src/blocks/statusMessage.ts';
import type { RecentCount } from '../../../src/lifecycle/recentEvents.ts';
import type { QuotaSnapshot } from '../../../src/partner/quota.ts';
import type { DigestLine, StatusReport } from '../../../src/usecases/status.ts';
import { visibleText } from '../../helpers/slack.ts';

const now = Date.UTC(2026, 4, 4, 12);
const minute = 60_000;

/** A healthy single replica with a partner token, a built index and nothing else going on. */
function report(over: Partial<StatusReport> = {}): StatusReport {
  return {
    now,
    build: { version: '1.2.3', commit: 'abc123def456' },
    startedAt: now - 3 * 60 * minute - 5 * minute,
    mode: { receiver: 'http', demo: false, store: 'embedded' },
    replicas: { kind: 'not_set_up' },
    store: { kind: 'ok', value: 'ok' },
    token: {
      kind: 'ok',
      value: { fetchedAt: now - 12 * minute, expiresAt: now + 48 * minute, renewsAt: now + 43 * minute },
    },
    rate: { perSecond: 4, fleetWide: false, waitingAtGate: 0 },
    throttled: [],
    retries: [],
    quota: { kind: 'not_set_up' },
    index: {
      kind: 'ok',
      value: {
        index: { kind: 'ready', index: { builtAt: now - 12 * minute, accounts: 5000, now } },
        walking: false,
        refreshMs: 60 * minute,
        refreshWhy: 'configured',
        configuredMs: 60 * minute,
        nextWalkAt: now + 48 * minute,
        lastWalk: {
          trigger: 'schedule',
          startedAt: now - 14 * minute,
          finishedAt: now - 12 * minute,
          pages: 100,
          outcome: 'built',
          accounts: 5000,
        },
      },
    },
    alerts: {
      kind: 'ok',
      value: {
        endpoint: false,
        keepsSubscriptions: false,
        subscriptions: undefined,
        lastNotification: undefined,
        channels: 0,
      },
    },
    digests: { kind: 'ok', value: { scheduler: 'in-process', total: 0, listed: [] } },
    errors: [],
    ...over,
  };
}

const digest = (i: number, missed = false): DigestLine => ({
  channel: `C${String(i).padStart(8, '0')}`,
  schedule: { cadence: 'weekdays', hour: 8, minute: 30, timeZone: 'America/Argentina/ComodRivadavia' },
  lastRun: now - 20 * 60 * minute,
  nextAt: now + 20 * 60 * minute,
  missed,
});

const quota: QuotaSnapshot = {
  day: '2026-05-04',
  limit: 10_000,
  reserve: 500,
  used: { lookup: 1200, index: 2400, digest: 300, alert: 12, radar: 88 },
  total: 4000,
  left: 6000,
  backgroundStopped: false,
  exhaustedUntil: null,
  projectedAtMidnight: 8000,
};

describe('the status report', () => {
  it('reads at a glance: build, uptime, mode, token times, index, and no errors', () => {
    const message = statusMessage(report());
    const text = visibleText(message);
    expect(limitViolations(message)).toEqual([]);
    expect(text).toContain('*Version*\n`1.2.3` · commit `abc123def456`');
    expect(text).toContain('*Up*\n3 hours 5 min (since 2026-05-04 08:55 UTC)');
    expect(text).toContain('*Mode*\nHTTP · embedded store (SQLite)');
    expect(text).toContain(
      '*Partner token*\nfetched 12 minutes ago · expires in 48 minutes (2026-05-04 12:48 UTC) · renewed in 43 minutes',
    );
    expect(text).toContain('*Accounts*\n5,000');
    expect(text).toContain('*Next walk*\ndue in 48 minutes\nevery 60 minutes (`ACCOUNT_INDEX_REFRESH_MINUTES`)');
    expect(text).toContain('*Last walk*\n100 pages in 2 minutes, 12 minutes ago, on schedule');
    expect(text).toContain('*Daily quota*: quota not counted');
    expect(text).toContain('*Digests*: none scheduled');
    expect(text).toContain('*Errors in the last hour*: none');
    expect(message.text).toBe('planbot status: version 1.2.3, up 3 hours 5 min, store ok, 0 errors in the last hour');
  });

  it('shows the quota by purpose, what is left and the projection, and warns when it runs out', () => {
    const fine = visibleText(statusMessage(report({ quota: { kind: 'ok', value: quota } })));
    expect(fine).toContain('*Used today*\n4,000 of 10,000 (500 kept for people’s lookups)');
    expect(fine).toContain('*By purpose*\nlookups 1,200 · index walks 2,400 · digests 300 · alerts 12 · radar 88');
    expect(fine).toContain('*Left*\n6,000');
    expect(fine).toContain('*Projected at midnight*\n8,000');
    expect(fine).not.toContain(':warning:');

    const spent = visibleText(
      statusMessage(
        report({
          quota: {
            kind: 'ok',
            value: {
              ...quota,
              projectedAtMidnight: 14_000,
              backgroundStopped: true,
              exhaustedUntil: now + 60 * minute,
            },
          },
        }),
      ),
    );
    expect(spent).toContain('*Projected at midnight*\n:warning: 14,000 (over the limit)');
    expect(spent).toContain('background work stopped');
    expect(spent).toContain('refuses calls until 2026-05-04 13:00 UTC');
  });

  it('says which parts could not be read, and goes on with the rest', () => {
    const text = visibleText(
      statusMessage(
        report({
          store: { kind: 'unavailable', reason: 'timeout' },
          token: { kind: 'unavailable', reason: 'failed' },
          quota: { kind: 'unavailable', reason: 'timeout' },
          digests: { kind: 'unavailable', reason: 'timeout' },
        }),
      ),
    );
    expect(text).toContain('*Store*\n_unavailable: no answer in time_');
    expect(text).toContain('*Partner token*\n_unavailable: could not be read (see the log)_');
    expect(text).toContain('*Daily quota*: _unavailable: no answer in time_');
    expect(text).toContain('*Digests*: _unavailable: no answer in time_');
    expect(text).toContain('*Accounts*\n5,000');
  });

  it('stays within Block Kit’s limits with many digests, replicas, subscriptions and kinds of error', () => {
    const errors: StatusReport['errors'] = Array.from({ length: 40 }, (_, i) => ({
      kind: 'slack_error',
      method: `chat.postMessage${'x'.repeat(200)}`,
      code: `error_${i}${'y'.repeat(300)}`,
      count: 40 - i,
    }));
    const retries = Array.from({ length: 20 }, (_, i): Extract<RecentCount, { kind: 'retry' }> => ({
      kind: 'retry',
      api: 'constant-contact',
      code: `c${i}`,
      count: 1,
    }));
    const message = statusMessage(
      report({
        replicas: {
          kind: 'ok',
          value: {
            self: 'pod-0',
            replicas: Array.from({ length: 30 }, (_, i) => ({
              id: `pod-${i}`,
              version: '1.2.3',
              commit: i === 7 ? 'fedcba987654' : 'abc123def456',
              startedAt: now - i * minute,
              at: now,
            })),
          },
        },
        digests: {
          kind: 'ok',
          value: {
            scheduler: 'shared',
            total: 400,
            listed: [digest(1, true), ...Array.from({ length: 9 }, (_, i) => digest(i + 2))],
          },
        },
        alerts: {
          kind: 'ok',
          value: {
            endpoint: true,
            keepsSubscriptions: false,
            subscriptions: {
              at: now - 5 * minute,
              topics: [
                { topicId: 1, state: 'planbot' },
                { topicId: 2, state: 'elsewhere' },
                { topicId: 3, state: 'none' },
                { topicId: 4, state: 'planbot' },
              ],
            },
            lastNotification: { at: now - 3 * minute, eventType: 'tier.increase', accountId: 'a07e1lxtnhz0' },
            channels: 2500,
          },
        },
        retries,
        errors,
      }),
    );
    expect(limitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const text = visibleText(message);
    expect(text).toContain('*Replicas*\n30 seen in the last 45 s · :warning: not all on the same build');
    expect(text).toContain('• `pod-0` (this one)');
    expect(text).toContain('…and 20 more.');
    expect(text).toContain(
      '*Digests*: 400 scheduled, on the shared queue (one replica posts each) · :warning: 1 missed a run',
    );
    expect(text).toContain('• :warning: <#C00000001> weekdays at 08:30 (America/Argentina/ComodRivadavia)');
    expect(text).toContain('…and 390 more.');
    expect(text).toContain(
      '*Subscriptions*\n1 upgrade: planbot · 2 downgrade: :warning: elsewhere · 3 cancelled: none · 4 disabled: planbot',
    );
    expect(text).toContain('*Last notification*\n`tier.increase` for `a07e1lxtnhz0`, 3 minutes ago');
    expect(text).toContain('*Retries in the last hour*\n20: ');
    expect(text).toContain('15 more kinds');
    expect(text).toContain('…and 28 more kinds.');
  });

  it('escapes what came from outside: replica names, Slack error codes, event types, channels', () => {
    const text = visibleText(
      statusMessage(
        report({
          build: { version: '<!channel>', commit: 'x`y' },
          replicas: {
            kind: 'ok',
            value: { self: 'a', replicas: [{ id: '<!here>&', version: '1', commit: 'c', startedAt: now, at: now }] },
          },
          alerts: {
            kind: 'ok',
            value: {
              endpoint: true,
              keepsSubscriptions: true,
              subscriptions: undefined,
              lastNotification: { at: now, eventType: '<@U123>', accountId: '<https://evil|x>' },
              channels: 0,
            },
          },
          digests: {
            kind: 'ok',
            value: { scheduler: 'in-process', total: 1, listed: [{ ...digest(1), channel: '<!everyone>' }] },
          },
          errors: [{ kind: 'slack_error', method: 'chat.postMessage', code: '<!subteam^S1>', count: 1 }],
        }),
      ),
    );
    for (const raw of ['<!channel>', '<!here>', '<@U123>', '<https://evil', '<!everyone>', '<!subteam'])
      expect(text).not.toContain(raw);
    expect(text).toContain('`&lt;!channel&gt;`');
    expect(text).toContain("commit `x'y`");
    expect(text).toContain('`&lt;!here&gt;&amp;`');
  });

  it('never holds a token: only its times are in the report', () => {
    const message = statusMessage(report());
    expect(JSON.stringify(message)).not.toMatch(/jwt|bearer|xox[abp]-/i);
    const none = visibleText(statusMessage(report({ token: { kind: 'ok', value: null } })));
    expect(none).toContain('*Partner token*\nnone held: the next call fetches one');
  });

  it('times the next walk from the interval the daily quota stretched, and says so', () => {
    const hour = 60 * minute;
    const text = visibleText(
      statusMessage(
        report({
          index: {
            kind: 'ok',
            value: {
              index: { kind: 'ready', index: { builtAt: now - 2 * hour, accounts: 50_000, now } },
              walking: false,
              refreshMs: 8 * hour,
              refreshWhy: 'quota',
              configuredMs: hour,
              nextWalkAt: now + 6 * hour,
              lastWalk: undefined,
            },
          },
        }),
      ),
    );
    expect(text).toContain(
      '*Next walk*\ndue in 6 hours\nstretched to 8 h to keep walks within a third of the daily quota (`ACCOUNT_INDEX_REFRESH_MINUTES` is 60)',
    );
    expect(text).not.toContain('overdue');
  });

  it('flags a walk that failed, and an index only /plan reindex walks', () => {
    const text = visibleText(
      statusMessage(
        report({
          index: {
            kind: 'ok',
            value: {
              index: { kind: 'index_not_ready', building: false },
              walking: false,
              refreshMs: 0,
              refreshWhy: 'configured',
              configuredMs: 0,
              nextWalkAt: undefined,
              lastWalk: {
                trigger: 'command',
                startedAt: now - 5 * minute,
                finishedAt: now - 4 * minute,
                pages: 3,
                outcome: 'failed',
                failure: 'quota_exceeded',
              },
            },
          },
        }),
      ),
    );
    expect(text).toContain('*Accounts*\nnot built yet');
    expect(text).toContain('*Next walk*\nonly on `/plan reindex`');
    expect(text).toContain(
      '*Last walk*\n:warning: failed after 3 pages (`quota_exceeded`) in 1 minute, 4 minutes ago, on `/plan reindex`',
    );
  });
});

describe('who may see it', () => {
  it('refuses politely and says who can add people', () => {
    const message = statusReply({ kind: 'refused' });
    expect(limitViolations(message)).toEqual([]);
    expect(visibleText(message)).toContain('ask an operator to add you to `ADMIN_USER_IDS`');
  });

  it('sends an admin who asked in a channel to a DM or the slash command', () => {
    const text = visibleText(statusReply({ kind: 'not_here' }));
    expect(text).toContain('Ask me in a DM (`plan status`), or with `/plan status`');
  });
});
