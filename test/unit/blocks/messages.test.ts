import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../../src/blocks/limits.ts';
import { type SlackMessage } from '../../../src/slackApi/message.ts';
import {
  exampleAccountId,
  invalidAccountId,
  lookupFailure,
  overloadedReply,
  planNotConfigured,
  planUsage,
  untilUtcMidnight,
} from '../../../src/blocks/messages.ts';
import type { UpstreamFailure } from '../../../src/partner/errors.ts';
import { allTexts, liveMarkup } from '../../helpers/slackText.ts';

const now = new Date('2026-03-10T18:40:00Z');
const accountId = 'a07e1lxtnhz0';

/** The one section's text, which is also the notification fallback. */
function body(m: SlackMessage): string {
  expect(m.blocks).toHaveLength(1);
  const [block] = m.blocks;
  expect(block?.type).toBe('section');
  const text = block?.type === 'section' ? block.text?.text : undefined;
  expect(text).toBe(m.text);
  return m.text;
}

describe('lookupFailure', () => {
  const cases: { failure: UpstreamFailure | 'internal'; status?: number; says: string[] }[] = [
    { failure: 'not_found', says: [`I couldn't find account \`${accountId}\``, `\`${exampleAccountId}\``] },
    { failure: 'bad_request', says: [`didn't accept \`${accountId}\``] },
    { failure: 'unauthorized', says: ["refused planbot's partner credentials", 'Ask whoever runs planbot'] },
    { failure: 'forbidden', says: [`didn't let planbot read account \`${accountId}\``] },
    { failure: 'throttled', says: ['Try again in a minute'] },
    { failure: 'quota_exceeded', says: ['00:00 UTC', 'in 5h 20m'] },
    { failure: 'timeout', says: ["didn't answer in time"] },
    { failure: 'busy', says: ['busy with other lookups'] },
    { failure: 'upstream', status: 503, says: ['had a problem answering (error 503)'] },
    { failure: 'upstream', says: ['had a problem answering. Try again'] },
    { failure: 'internal', says: ["on planbot's side", 'in its log'] },
  ];

  it.each(cases)('$failure $status reads as a short plain explanation', ({ failure, status, says }) => {
    const text = body(lookupFailure(failure, { accountId, status, now }));
    for (const s of says) expect(text).toContain(s);
    expect(text.length).toBeLessThan(300);
    expect(text).not.toMatch(/\n|\bat .+:\d+|Error|undefined|null|\{|GET |https?:/);
  });

  it('every failure code has its own wording', () => {
    const texts = cases.map(({ failure, status }) => lookupFailure(failure, { accountId, status, now }).text);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it.each(['not_found', 'bad_request', 'forbidden'] as const)('%s escapes an account id that is not one', (failure) => {
    const m = lookupFailure(failure, { accountId: '<!channel> `x`', now });
    expect(m.text).toContain('&lt;!channel&gt;');
    for (const t of allTexts(m)) expect(liveMarkup(t)).toEqual([]);
  });
});

describe('the daily quota message', () => {
  it.each([
    { name: 'late afternoon UTC waits hours and minutes', now: '2026-03-10T18:40:00Z', want: '5h 20m' },
    { name: 'just before midnight waits a minute, never 0', now: '2026-03-10T23:59:30Z', want: '1m' },
    { name: 'a part-minute counts as a whole minute', now: '2026-03-10T23:15:00.001Z', want: '45m' },
    { name: 'an hour before midnight', now: '2026-03-10T23:00:00Z', want: '1h 0m' },
    { name: 'just after midnight waits a full day', now: '2026-03-11T00:00:00Z', want: '24h 0m' },
    { name: 'the last day of a leap February rolls into March', now: '2028-02-29T22:30:00Z', want: '1h 30m' },
    { name: 'New Year’s Eve rolls into the new year', now: '2026-12-31T20:05:00Z', want: '3h 55m' },
  ])('$name', ({ now, want }) => {
    expect(untilUtcMidnight(new Date(now))).toBe(want);
    expect(lookupFailure('quota_exceeded', { accountId, now: new Date(now) }).text).toContain(
      `after 00:00 UTC (in ${want})`,
    );
  });
});

describe('planUsage', () => {
  it('explains /plan with an example account id', () => {
    const text = body(planUsage());
    expect(text).toContain(`\`/plan <account id>\``);
    expect(text).toContain(`\`/plan ${exampleAccountId}\``);
    expect(text).toContain('Share in channel');
    expect(text).not.toContain('Demo mode');
  });

  it('in demo mode offers the sample accounts to try', () => {
    const text = body(planUsage(['demo1', 'demo2']));
    expect(text).toContain('`/plan demo1`');
    expect(text).toContain('Demo mode');
    expect(text).toContain('`demo1`, `demo2`');
  });
});

describe('invalidAccountId', () => {
  it.each([
    { name: 'two words are echoed back in code', input: 'hello world', echo: '`hello world`' },
    { name: 'a channel ping is echoed as text', input: '<!channel>', echo: '`&lt;!channel&gt;`' },
    {
      name: 'a link is echoed as text',
      input: '<https://evil.example|click>',
      echo: '`&lt;https://evil.example|click&gt;`',
    },
    { name: 'a backtick cannot break out of the code span', input: 'a` <@U123> `b', echo: "`a' &lt;@U123&gt; 'b`" },
  ])('$name', ({ input, echo }) => {
    const m = invalidAccountId(input);
    const text = body(m);
    expect(text.startsWith(`${echo} isn't an account id or a customer name.`)).toBe(true);
    expect(text).toContain(`\`/plan ${exampleAccountId}\``);
    for (const t of allTexts(m)) expect(liveMarkup(t)).toEqual([]);
  });

  it('a very long input is echoed only in part', () => {
    const m = invalidAccountId('<!channel>'.repeat(1000));
    expect(m.text.length).toBeLessThan(400);
    expect(limitViolations(m)).toEqual([]);
    for (const t of allTexts(m)) expect(liveMarkup(t)).toEqual([]);
  });
});

describe('planNotConfigured', () => {
  it('says /plan is not set up and who can fix it', () => {
    const text = body(planNotConfigured());
    expect(text).toContain("`/plan` isn't set up yet");
    expect(text).toContain('Ask whoever runs planbot');
  });
});

describe('overloadedReply', () => {
  it('tells the person alone that planbot is busy and when to try again, within Block Kit’s limits', () => {
    const m = overloadedReply();
    expect(m.response_type).toBe('ephemeral');
    expect(body(m)).toBe('planbot is busy with other requests right now. Try again in a minute.');
    expect(limitViolations(m)).toEqual([]);
  });
});
