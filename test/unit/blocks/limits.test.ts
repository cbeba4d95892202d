import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../../src/blocks/limits.ts';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (over: Record<string, unknown> = {}) => ({
  type: 'button' as const,
  action_id: 'a',
  text: { type: 'plain_text' as const, text: 'Go' },
  value: 'v',
  ...over,
});

describe('limitViolations', () => {
  it('a small, well-formed message has no violations', () => {
    expect(
      limitViolations({
        text: 'hello',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Title' } },
          section('body'),
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'note' }] },
          { type: 'actions', elements: [button()] },
        ],
      }),
    ).toEqual([]);
  });

  // Each case breaks exactly one limit; the check must notice it, or the planCard tests that rely on it prove nothing.
  it.each([
    { name: 'missing fallback text', text: '', blocks: [section('x')], want: 'fallback text' },
    {
      name: 'fallback text over 3000 characters',
      text: 'x'.repeat(3001),
      blocks: [section('x')],
      want: 'fallback text',
    },
    {
      name: 'more than 50 blocks',
      text: 't',
      blocks: Array.from({ length: 51 }, () => section('x')),
      want: '51 blocks',
    },
    { name: 'section text over 3000 characters', text: 't', blocks: [section('x'.repeat(3001))], want: 'text 3001' },
    {
      name: 'more than 10 fields',
      text: 't',
      blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      want: '11 fields',
    },
    {
      name: 'a field over 2000 characters',
      text: 't',
      blocks: [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }],
      want: 'field 2001',
    },
    { name: 'an empty section', text: 't', blocks: [{ type: 'section' }], want: 'empty section' },
    {
      name: 'a header over 150 characters',
      text: 't',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      want: 'header',
    },
    {
      name: 'more than 10 context elements',
      text: 't',
      blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }],
      want: '11 elements',
    },
    {
      name: 'context text over 2000 characters',
      text: 't',
      blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'c'.repeat(2001) }] }],
      want: 'context text',
    },
    {
      name: 'a button label over 75 characters',
      text: 't',
      blocks: [{ type: 'actions', elements: [button({ text: { type: 'plain_text', text: 'b'.repeat(76) } })] }],
      want: 'button label',
    },
    {
      name: 'a button value over 2000 characters',
      text: 't',
      blocks: [{ type: 'actions', elements: [button({ value: 'v'.repeat(2001) })] }],
      want: 'button value',
    },
    {
      name: 'an action_id over 255 characters',
      text: 't',
      blocks: [{ type: 'actions', elements: [button({ action_id: 'a'.repeat(256) })] }],
      want: 'action_id',
    },
    {
      name: 'more than 25 action elements',
      text: 't',
      blocks: [{ type: 'actions', elements: Array.from({ length: 26 }, () => button()) }],
      want: 'too many elements',
    },
  ] as { name: string; text: string; blocks: KnownBlock[]; want: string }[])(
    'notices $name',
    ({ text, blocks, want }) => {
      const problems = limitViolations({ text, blocks });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(want);
    },
  );
});
