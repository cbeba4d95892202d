import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/audit/audit.ts';
import { waitText } from '../../../src/blocks/accessMessages.ts';
import { auditDigest, auditLine } from '../../../src/blocks/auditMessages.ts';
import { limitViolations } from '../../../src/blocks/limits.ts';

const entry = (o: Partial<AuditEntry> = {}): AuditEntry & { at: number } => ({
  action: 'lookup',
  command: '/plan',
  user: 'U0001',
  team: 'T0001',
  channel: 'C0001',
  target: 'a07e1lxtnhz0',
  outcome: 'card',
  durationMs: 123.4,
  at: Date.parse('2026-11-21T09:08:07Z'),
  ...o,
});

describe('audit lines for the audit channel', () => {
  it('say when, who, what, where and how it went, in one line', () => {
    expect(auditLine(entry())).toBe('`09:08:07` `U0001` /plan `a07e1lxtnhz0` in `C0001` → card (123 ms)');
  });

  it('name planbot for its own scheduled posts', () => {
    expect(
      auditLine(
        entry({
          user: undefined,
          action: 'digest_post',
          command: 'scheduled',
          target: '12 accounts',
          outcome: 'posted',
        }),
      ),
    ).toBe('`09:08:07` planbot scheduled `12 accounts` in `C0001` → posted (123 ms)');
  });

  it('never let typed text ping, link or break out of its code span', () => {
    const line = auditLine(entry({ target: 'x` <!channel> <@U0BOSS> <https://evil.example|click>' }));
    expect(line).not.toMatch(/<[!@#h]/);
    expect(line).toContain('&lt;!channel&gt;');
    expect(line.match(/`/g)?.length).toBe(8);
  });

  it('pack many entries into messages that each fit a section, noting what was left out', () => {
    const entries = Array.from({ length: 300 }, (_, i) => entry({ target: `acct-${i}-${'x'.repeat(40)}` }));
    const messages = auditDigest(entries, 17);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(limitViolations(m)).toEqual([]);
    const all = messages.map((m) => m.text).join('\n');
    for (let i = 0; i < 300; i++) expect(all).toContain(`acct-${i}-`);
    expect(all).toContain('17 more entries were left out of this channel under load');
  });
});

describe('waitText', () => {
  it.each([
    [0, '1 second'],
    [1000, '1 second'],
    [1001, '2 seconds'],
    [42_000, '42 seconds'],
    [89_000, '89 seconds'],
    [90_000, '2 minutes'],
    [600_000, '10 minutes'],
  ])('%d ms is "%s"', (ms, text) => {
    expect(waitText(ms)).toBe(text);
  });
});
