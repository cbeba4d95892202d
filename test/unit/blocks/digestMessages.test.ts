import { describe, expect, it } from 'vitest';
import { type DigestAccount } from '../../../src/digests/digestReport.ts';
import { accountLine, digestDetails, digestSummary } from '../../../src/blocks/digestMessages.ts';
import { limitViolations } from '../../../src/blocks/limits.ts';
import { billingSoon, detectChanges, snapshotOf, tiersNearLimit } from '../../../src/digests/changes.ts';
import { planWith as plan } from '../../helpers/plans.ts';
import { visibleText } from '../../helpers/slack.ts';

const now = new Date('2026-11-26T13:00:00Z');

function account(id: string, current: Record<string, unknown> = {}, previous?: Record<string, unknown>): DigestAccount {
  const p = plan(current);
  return {
    accountId: id,
    plan: p,
    changes: detectChanges(previous ? snapshotOf(plan(previous)) : undefined, snapshotOf(p)),
    billingSoon: billingSoon(p, now),
    nearLimit: tiersNearLimit(p),
  };
}

describe('digestSummary', () => {
  it('counts accounts by status and lists the highlights', () => {
    const accounts = [
      account('acct-a', { billing_status: 'Open' }, { billing_status: 'Trial' }),
      account('acct-b', { billing_day_of_month: 28 }),
      account('acct-c', {
        current_tiers: [
          {
            usage_type: 'CONTACTS',
            tier: 1,
            current_usage: 470,
            tier_min: 0,
            tier_max: 500,
            price: 20,
            currency_code: 'USD',
          },
        ],
      }),
      { accountId: 'acct-d', failure: 'not_found', changes: [], nearLimit: [] } as DigestAccount,
    ];
    const message = digestSummary({ accounts, first: false, now, sample: false });
    const text = visibleText(message);
    expect(text).toContain('Plan digest · 4 watched accounts');
    expect(text).toContain('Open 3 · could not load 1');
    expect(text).toMatch(/Changed since the last digest\*\n• `acct-a` Trial → Open/);
    expect(text).toMatch(/Billing in the next 7 days\*\n• `acct-b` Sat, Nov 28, 2026 \(in 2 days\) · \$20.00/);
    expect(text).toMatch(/At 90% or more of a tier\*\n• `acct-c` Contacts 470 of 500 \(94%\)/);
    expect(text).toMatch(/Could not be loaded\*\n• `acct-d` not found at Constant Contact/);
    expect(limitViolations(message)).toEqual([]);
  });

  it('lists the accounts a digest left out for lack of quota apart from those that failed, one list per reason', () => {
    const leftOut = (id: string, failure: 'quota_reserved' | 'quota_exceeded'): DigestAccount => ({
      accountId: id,
      failure,
      changes: [],
      nearLimit: [],
    });
    const accounts = [
      account('acct-a'),
      { accountId: 'acct-b', failure: 'timeout', changes: [], nearLimit: [] } as DigestAccount,
      leftOut('acct-c', 'quota_reserved'),
      leftOut('acct-d', 'quota_reserved'),
      leftOut('acct-e', 'quota_exceeded'),
    ];
    const message = digestSummary({ accounts, first: false, now, sample: false });
    const text = visibleText(message);
    expect(text).toContain('Open 1 · could not load 1 · left out 3 for lack of quota');
    expect(text).toMatch(/Could not be loaded\*\n• `acct-b` Constant Contact didn't answer in time\n/);
    expect(text).toContain(
      "*Left out (kept for people's lookups: today's quota is at its reserve)*\n• `acct-c`\n• `acct-d`\n",
    );
    expect(text).toContain("*Left out (today's request quota is spent)*\n• `acct-e`");
    expect(text).not.toContain('No changes');
    expect(message.text).toContain('1 not loaded, 3 left out for lack of quota');
    const thread = visibleText(digestDetails({ accounts, first: false, now, sample: false })[0]!);
    expect(thread).toContain("`acct-c` · left out: kept for people's lookups: today's quota is at its reserve");
    expect(thread).toContain("`acct-b` · could not load: Constant Contact didn't answer in time");
    expect(limitViolations(message)).toEqual([]);
  });

  it('says on the first digest that changes are counted from now on', () => {
    const text = visibleText(digestSummary({ accounts: [account('acct-a')], first: true, now, sample: false }));
    expect(text).toContain('changes are counted from now on');
  });

  it('says when there is nothing to report', () => {
    const text = visibleText(digestSummary({ accounts: [account('acct-a')], first: false, now, sample: false }));
    expect(text).toContain('No changes, nobody billing in the next 7 days, nobody near a tier limit.');
  });

  it('keeps hostile API text escaped and long lists short', () => {
    const accounts = Array.from({ length: 500 }, (_, i) =>
      account(
        `acct-${i}`,
        { plan_type: '<!channel>', billing_status: 'Open' },
        { plan_type: '<@U1>', billing_status: 'Trial' },
      ),
    );
    const message = digestSummary({ accounts, first: false, now, sample: false });
    expect(JSON.stringify(message)).not.toMatch(/<!channel>|<@U1>/);
    expect(visibleText(message)).toContain('…and 485 more in the thread');
    expect(limitViolations(message)).toEqual([]);
  });
});

describe('digestDetails', () => {
  it.each([0, 1, 150, 151, 500, 1234])('splits %i accounts into thread replies that each fit Block Kit', (n) => {
    const accounts = Array.from({ length: n }, (_, i) => account(`acct-${String(i).padStart(5, '0')}`));
    const replies = digestDetails({ accounts, first: false, now, sample: false });
    // Short lines: a reply holds its most accounts.
    expect(replies).toHaveLength(Math.ceil(n / 150));
    for (const reply of replies) expect(limitViolations(reply)).toEqual([]);
    const listed = replies.flatMap((r) => visibleText(r).match(/`acct-\d+`/g) ?? []);
    expect(listed).toHaveLength(n);
    expect(new Set(listed).size).toBe(n);
    if (n > 150) expect(replies[1]!.text).toBe(`Accounts 151–${Math.min(300, n)} of ${n.toLocaleString('en-US')}`);
  });

  it('keeps long lines within what Slack accepts in one message, in order, none twice', () => {
    const tiers = ['CONTACTS', 'EMAILS', 'SMS'].map((usage_type) => ({
      usage_type: `${usage_type}_${'X'.repeat(40)}`,
      current_usage: 123_456,
      tier: 3,
      tier_min: 0,
      tier_max: 999_999,
      price: 1234.5,
      currency_code: 'USD',
    }));
    const accounts = Array.from({ length: 400 }, (_, i) =>
      account(`acct-${String(i).padStart(5, '0')}-${'y'.repeat(50)}`, { current_tiers: tiers }),
    );
    const chars = accounts.reduce((n, a) => n + accountLine(a).length + 1, 0);
    expect(chars / accounts.length).toBeGreaterThan(250);
    const replies = digestDetails({ accounts, first: false, now, sample: false });
    // Fewer than 150 to a reply, but each reply nearly full.
    expect(replies.length).toBeGreaterThanOrEqual(Math.ceil(chars / 12_000));
    expect(replies.length).toBeLessThanOrEqual(Math.ceil(chars / 11_000));
    for (const reply of replies) expect(limitViolations(reply)).toEqual([]);
    const listed = replies.flatMap((r) => visibleText(r).match(/`acct-[\w-]+`/g) ?? []);
    expect(listed).toEqual(accounts.map((a) => `\`${a.accountId}\``));
  });
});
