import { describe, expect, it } from 'vitest';
import { parseAlertsCommand } from '../../../src/grammar/alertsCommand.ts';
import { parsePlanCommand } from '../../../src/grammar/planCommand.ts';

const all = ['upgrade', 'downgrade', 'cancellation', 'disabled'];

describe('/plan alerts', () => {
  it('is a subcommand of /plan', () => {
    expect(parsePlanCommand('alerts on upgrades')).toEqual({ kind: 'alerts', args: ['on', 'upgrades'] });
  });

  it.each([
    [[], { kind: 'show' }],
    [['on'], { kind: 'set', scope: 'watched', kinds: all }],
    [['ON', 'upgrades', 'cancellations'], { kind: 'set', scope: 'watched', kinds: ['upgrade', 'cancellation'] }],
    [['all'], { kind: 'set', scope: 'all', kinds: all }],
    [['all', 'downgrades,', 'disabled', 'downgrade'], { kind: 'set', scope: 'all', kinds: ['downgrade', 'disabled'] }],
    [['off'], { kind: 'off' }],
    [['test'], { kind: 'test' }],
    [['on', 'refunds'], { kind: 'invalid', word: 'refunds' }],
    [['sometimes'], { kind: 'invalid', word: 'sometimes' }],
    [['off', 'now'], { kind: 'invalid', word: 'off' }],
  ])('%j', (args, expected) => {
    expect(parseAlertsCommand(args)).toEqual(expected);
  });
});
