import { describe, expect, it } from 'vitest';
import { cleanCommandText, type PlanCommand, parsePlanCommand } from '../../../src/grammar/planCommand.ts';

describe('parsePlanCommand', () => {
  it.each<{ name: string; raw: string; want: PlanCommand }>([
    { name: 'nothing after /plan asks for help', raw: '', want: { kind: 'help' } },
    { name: 'only spaces ask for help', raw: '   \t ', want: { kind: 'help' } },
    { name: 'help asks for help', raw: 'help', want: { kind: 'help' } },
    { name: 'HELP in capitals asks for help', raw: 'HELP', want: { kind: 'help' } },
    { name: 'a question mark asks for help', raw: '?', want: { kind: 'help' } },
    { name: '--help asks for help', raw: ' --help ', want: { kind: 'help' } },
    { name: 'an account id looks it up', raw: 'a07e1lxtnhz0', want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' } },
    {
      name: 'an account id with spaces around it looks it up',
      raw: '  a07e1lxtnhz0 \n',
      want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' },
    },
    {
      name: 'an account id in backticks looks it up',
      raw: '`a07e1lxtnhz0`',
      want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' },
    },
    {
      name: 'an account id in a code block looks it up',
      raw: '```a07e1lxtnhz0```',
      want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' },
    },
    {
      name: 'an account id in quotes looks it up',
      raw: '"a07e1lxtnhz0"',
      want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' },
    },
    {
      name: 'an account id in curly quotes looks it up',
      raw: '“a07e1lxtnhz0”',
      want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' },
    },
    {
      name: 'zero-width spaces pasted around an id are dropped',
      raw: '\u200ba07e1lxtnhz0\ufeff',
      want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' },
    },
    {
      name: 'ids with dashes and underscores are ids',
      raw: 'abc-123_XYZ',
      want: { kind: 'lookup', accountId: 'abc-123_XYZ' },
    },
    { name: 'a name is searched for', raw: 'acme', want: { kind: 'lookup', accountId: 'acme' } },
    {
      name: 'two words are a name to search for',
      raw: 'a07e1lxtnhz0 please',
      want: { kind: 'find', words: 'a07e1lxtnhz0 please' },
    },
    {
      name: 'a name with accents and punctuation is searched for',
      raw: '  Brûlerie Café, Ltd. ',
      want: { kind: 'find', words: 'Brûlerie Café, Ltd.' },
    },
    { name: "Slack's &amp; is searched as &", raw: 'Fox &amp; Hound', want: { kind: 'find', words: 'Fox & Hound' } },
    { name: 'an escaped < is still refused', raw: '&lt;!channel&gt;', want: { kind: 'invalid', input: '<!channel>' } },
    {
      name: 'a quoted name is searched for without its quotes',
      raw: '“Blue River”',
      want: { kind: 'find', words: 'Blue River' },
    },
    { name: 'reindex rebuilds the account index', raw: 'Reindex', want: { kind: 'reindex' } },
    { name: 'reindex followed by words is a name', raw: 'reindex co', want: { kind: 'find', words: 'reindex co' } },
    { name: 'punctuation alone is not a name', raw: '!!! ...', want: { kind: 'invalid', input: '!!! ...' } },
    {
      name: 'a name over 200 characters is not searched',
      raw: 'ab '.repeat(80),
      want: { kind: 'invalid', input: 'ab '.repeat(80).trim() },
    },
    { name: 'a path is not an account id', raw: '../x', want: { kind: 'invalid', input: '../x' } },
    {
      name: 'a url-encoded path is not an account id',
      raw: '%2e%2e%2fx',
      want: { kind: 'invalid', input: '%2e%2e%2fx' },
    },
    { name: 'a slash is not an account id', raw: 'a/b', want: { kind: 'invalid', input: 'a/b' } },
    { name: 'a mention is not an account id', raw: '<@U123>', want: { kind: 'invalid', input: '<@U123>' } },
    {
      name: 'a link is not a name',
      raw: '<https://evil.example|acme>',
      want: { kind: 'invalid', input: '<https://evil.example|acme>' },
    },
    {
      name: 'a control character splits what was typed',
      raw: 'a07e\u0000lxtnhz0',
      want: { kind: 'find', words: 'a07e lxtnhz0' },
    },
    { name: 'a right-to-left override is not kept', raw: 'abc\u202edef', want: { kind: 'find', words: 'abc def' } },
    {
      name: 'an id longer than 64 characters is not an id',
      raw: 'a'.repeat(65),
      want: { kind: 'find', words: 'a'.repeat(65) },
    },
  ])('$name', ({ raw, want }) => {
    expect(parsePlanCommand(raw)).toEqual(want);
  });

  it('very long input is bounded before it is echoed back', () => {
    const got = parsePlanCommand('x '.repeat(100_000));
    expect(got.kind).toBe('invalid');
    expect(got.kind === 'invalid' && got.input.length).toBeLessThanOrEqual(1000);
  });

  it('a 64-character id is still an id', () => {
    expect(parsePlanCommand('b'.repeat(64))).toEqual({ kind: 'lookup', accountId: 'b'.repeat(64) });
  });
});

describe('cleanCommandText', () => {
  it.each([
    {
      name: 'control characters become spaces and runs of space fold',
      raw: 'a\u0001\u0002b\t\tc\r\nd',
      want: 'a b c d',
    },
    { name: 'DEL and C1 controls are removed', raw: 'a\u007fb\u0085c\u009fd', want: 'a b c d' },
    { name: 'zero-width and bidi characters are removed', raw: '\u200ba\u200db\u202ec\u2066d\ufeff', want: 'a b c d' },
    { name: 'line and paragraph separators are removed', raw: 'a\u2028b\u2029c', want: 'a b c' },
    { name: 'ordinary text is unchanged', raw: 'a07e1lxtnhz0', want: 'a07e1lxtnhz0' },
    { name: 'leading and trailing space is trimmed', raw: '  x  ', want: 'x' },
  ])('$name', ({ raw, want }) => {
    expect(cleanCommandText(raw)).toBe(want);
  });

  it.each([1000, 1001, 10_000])('input of %i characters comes back at most 1000 long', (n) => {
    expect(cleanCommandText('y'.repeat(n))).toHaveLength(1000);
  });
});
