import { describe, expect, it } from 'vitest';
import { allTexts, bareAmpersands, liveMarkup } from '../helpers/slackText.ts';

// The planCard and messages tests are only as strict as these checks; they must catch what they claim to.
describe('test helpers: finding live Slack markup', () => {
  it.each([
    { text: 'hi <!channel>', want: ['<!channel>'] },
    { text: '<!here|here>', want: ['<!here|here>'] },
    { text: 'cc <@U123>', want: ['<@U123>'] },
    { text: 'in <#C123|general>', want: ['<#C123|general>'] },
    { text: '<https://evil.example|click>', want: ['<https://evil.example|click>'] },
    { text: '<HTTP://EVIL.EXAMPLE>', want: ['<HTTP://EVIL.EXAMPLE>'] },
    { text: '<mailto:a@b.c|mail>', want: ['<mailto:a@b.c|mail>'] },
    { text: 'unclosed <!channel', want: ['<!channel'] },
    { text: '&lt;!channel&gt; &lt;@U1&gt;', want: [] },
    { text: 'Read <!date^1773154770^{date_short_pretty} at {time}|2026-03-10T14:59:30.000Z>', want: [] },
    { text: 'usage (<1%)', want: [] },
  ])('$text → $want', ({ text, want }) => {
    expect(liveMarkup(text)).toEqual(want);
  });

  it('an allowed mention is not reported, others still are', () => {
    expect(liveMarkup('Shared by <@U0OK> and <@U0BAD>', ['<@U0OK>'])).toEqual(['<@U0BAD>']);
  });

  it.each([
    { text: 'Tom & Jerry', want: ['&'] },
    { text: 'cut &am…', want: ['&am…'] },
    { text: '&amp; &lt; &gt;', want: [] },
  ])('bare ampersands in $text', ({ text, want }) => {
    expect(bareAmpersands(text)).toEqual(want);
  });

  it('collects every text at any depth, and nothing else', () => {
    const message = {
      text: 'fallback',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'a' }, fields: [{ type: 'mrkdwn', text: 'b' }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'c' }, value: 'not text' }] },
      ],
    };
    expect(allTexts(message).sort()).toEqual(['a', 'b', 'c', 'fallback']);
  });
});
