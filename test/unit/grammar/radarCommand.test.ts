import { describe, expect, it } from 'vitest';
import { parseConversationText } from '../../../src/grammar/conversationText.ts';
import { parsePlanCommand } from '../../../src/grammar/planCommand.ts';

describe('/plan radar', () => {
  it.each([
    ['radar', false],
    [' RADAR ', false],
    ['radar --csv', true],
    ['radar csv', true],
    ['Radar --CSV', true],
    // Phones and macOS turn a typed `--` into a dash.
    ['radar —csv', true],
    ['radar –csv', true],
  ])('%j asks for the radar (csv: %s)', (raw, csv) => {
    expect(parsePlanCommand(raw)).toEqual({ kind: 'radar', csv });
  });

  it.each([
    ['radar acme', { kind: 'find', words: 'radar acme' }],
    ['radar --pdf', { kind: 'find', words: 'radar --pdf' }],
    ['radar csv now', { kind: 'find', words: 'radar csv now' }],
    ['radars', { kind: 'lookup', accountId: 'radars' }],
  ])('%j is not the radar', (raw, want) => {
    expect(parsePlanCommand(raw)).toEqual(want);
  });

  it('reads the same in a mention or a DM, with or without `plan` before it', () => {
    expect(parseConversationText('<@UBOT> plan radar')).toEqual({
      kind: 'plan',
      command: { kind: 'radar', csv: false },
    });
    expect(parseConversationText('<@UBOT> radar --csv')).toEqual({
      kind: 'plan',
      command: { kind: 'radar', csv: true },
    });
    expect(parseConversationText('radar')).toEqual({ kind: 'plan', command: { kind: 'radar', csv: false } });
    expect(parseConversationText('plan radar csv')).toEqual({ kind: 'plan', command: { kind: 'radar', csv: true } });
    expect(parseConversationText('<@UBOT> radar acme')).toEqual({ kind: 'unknown', word: 'radar acme' });
  });
});
