import { describe, expect, it } from 'vitest';
import { code, escapeMrkdwn, safeText, truncate, truncateEscaped } from '../../../src/text/mrkdwn.ts';

describe('escapeMrkdwn', () => {
  it.each([
    { name: 'a channel ping becomes text', input: '<!channel>', want: '&lt;!channel&gt;' },
    { name: 'a user mention becomes text', input: '<@U123>', want: '&lt;@U123&gt;' },
    {
      name: 'a disguised link becomes text',
      input: '<https://evil.example|click>',
      want: '&lt;https://evil.example|click&gt;',
    },
    { name: 'an ampersand is escaped so it cannot start an entity', input: 'Tom & Jerry', want: 'Tom &amp; Jerry' },
    {
      name: 'text that is already escaped is escaped again, not trusted',
      input: '&lt;!here&gt;',
      want: '&amp;lt;!here&amp;gt;',
    },
    { name: 'ordinary text is unchanged', input: 'Email Plus *bold* _it_', want: 'Email Plus *bold* _it_' },
  ])('$name', ({ input, want }) => {
    expect(escapeMrkdwn(input)).toBe(want);
  });
});

describe('truncate', () => {
  it.each([
    { name: 'text within the limit is unchanged', text: 'abcdef', max: 6, want: 'abcdef' },
    { name: 'text over the limit is cut and marked', text: 'abcdefg', max: 6, want: 'abcde…' },
    { name: 'a limit of 1 leaves only the mark', text: 'abc', max: 1, want: '…' },
  ])('$name', ({ text, max, want }) => {
    expect(truncate(text, max)).toBe(want);
    expect(truncate(text, max).length).toBeLessThanOrEqual(max);
  });
});

describe('truncateEscaped', () => {
  it.each([
    { name: 'escaped text within the limit is unchanged', text: '2.00 &gt;', max: 9, want: '2.00 &gt;' },
    { name: 'a cut inside `&gt;` drops the partial entity (not "&gt…")', text: '2.00 &gt; x', max: 9, want: '2.00 …' },
    { name: 'a cut after `&g` drops it too', text: '2.00 &gt;', max: 8, want: '2.00 …' },
    { name: 'a cut right after a whole entity keeps it', text: 'a &amp; b', max: 8, want: 'a &amp;…' },
    {
      name: 'text that only looks like an entity start after a whole one is kept',
      text: '&amp;lt;!x',
      max: 8,
      want: '&amp;lt…',
    },
  ])('$name', ({ text, max, want }) => {
    expect(truncateEscaped(text, max)).toBe(want);
  });
});

describe('safeText', () => {
  it.each([
    { name: 'short hostile text is escaped whole', text: '<!channel>', max: 50, want: '&lt;!channel&gt;' },
    { name: 'a cut never leaves half an entity behind', text: 'ab&cd', max: 5, want: 'ab…' },
    { name: 'a cut just after a whole entity keeps it', text: 'a&bcdef', max: 8, want: 'a&amp;b…' },
    { name: 'a cut inside a run of escaped brackets drops the partial one', text: '<<<<', max: 10, want: '&lt;&lt;…' },
  ])('$name', ({ text, max, want }) => {
    expect(safeText(text, max)).toBe(want);
  });

  it.each(Array.from({ length: 12 }, (_, i) => i + 2))(
    'cut to %i characters stays within the limit and ends on a whole entity',
    (max) => {
      const out = safeText('<&>'.repeat(20), max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/&/);
    },
  );
});

describe('code', () => {
  it.each([
    { name: 'wraps text as inline code', text: 'a07e1lxtnhz0', want: '`a07e1lxtnhz0`' },
    {
      name: 'a backtick cannot break out of the code span',
      text: 'x` <!channel> `y',
      want: "`x' &lt;!channel&gt; 'y`",
    },
    { name: 'long text is cut inside the span', text: 'z'.repeat(300), want: `\`${'z'.repeat(199)}…\`` },
  ])('$name', ({ text, want }) => {
    expect(code(text)).toBe(want);
  });
});
