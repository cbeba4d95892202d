import { describe, expect, it } from 'vitest';
import { parseConversationText } from '../../../src/grammar/conversationText.ts';
import { parsePlanCommand } from '../../../src/grammar/planCommand.ts';

describe('/plan status', () => {
  it.each(['status', ' STATUS ', 'Status'])('%j asks for the status', (raw) => {
    expect(parsePlanCommand(raw)).toEqual({ kind: 'status' });
  });

  it.each([
    ['status acme', { kind: 'find', words: 'status acme' }],
    ['statuses', { kind: 'lookup', accountId: 'statuses' }],
  ])('%j is not the status', (raw, want) => {
    expect(parsePlanCommand(raw)).toEqual(want);
  });

  it('reads the same in a mention or a DM, with or without `plan` before it', () => {
    expect(parseConversationText('<@UBOT> plan status')).toEqual({ kind: 'plan', command: { kind: 'status' } });
    expect(parseConversationText('<@UBOT> status')).toEqual({ kind: 'plan', command: { kind: 'status' } });
    expect(parseConversationText('plan status')).toEqual({ kind: 'plan', command: { kind: 'status' } });
    expect(parseConversationText('status')).toEqual({ kind: 'plan', command: { kind: 'status' } });
    expect(parseConversationText('<@UBOT> status now')).toEqual({ kind: 'unknown', word: 'status now' });
  });
});
