import { describe, expect, it } from 'vitest';
import { accountRequest, billingStep } from '../../../src/usecases/billingStep.ts';
import type { PlanOutcome, PlanUseCases } from '../../../src/usecases/plan.ts';

const asker = { userId: '', channelId: 'Wx1', teamId: 'T0001' };
const plan = {
  planType: 'GOOD',
  billingStatus: 'Open',
  billingDayOfMonth: 29,
  tiers: [{ usageType: 'CONTACTS', level: 1, min: 0, max: 500, usage: 1, price: 20, currency: 'USD' }],
};

/** Plan use cases whose `find` answers `outcome` (or never, for `'hang'`), recording what it was asked. */
function planUseCases(outcome: PlanOutcome | 'hang') {
  const asked: unknown[] = [];
  const uc = {
    find: (request: unknown) => {
      asked.push(request);
      return outcome === 'hang' ? new Promise<PlanOutcome>(() => {}) : Promise.resolve(outcome);
    },
  } as unknown as PlanUseCases;
  return { uc, asked };
}

const index = { builtAt: 0, accounts: 3, now: 0 };
const account = (id: string) => ({
  id,
  organizationName: id,
  siteOwnerName: null,
  billingStatus: 'Open',
  subscriberCount: null,
  lastLoginDate: null,
});

describe('accountRequest', () => {
  it.each([
    { input: 'a07e1lxtnhz0', want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' } },
    { input: ' `a07e1lxtnhz0` ', want: { kind: 'lookup', accountId: 'a07e1lxtnhz0' } },
    { input: 'Blue  River\tBakery', want: { kind: 'find', words: 'Blue River Bakery' } },
    { input: 'Fox & Hound', want: { kind: 'find', words: 'Fox & Hound' } },
    { input: '', want: undefined },
    { input: '  \u200b ', want: undefined },
    { input: '!!!', want: undefined },
    { input: 'x'.repeat(201) + ' y', want: undefined },
    { input: 42, want: undefined },
    { input: undefined, want: undefined },
  ])('$input', ({ input, want }) => {
    expect(accountRequest(input)).toEqual(want);
  });
});

describe('billingStep', () => {
  const now = () => Date.parse('2026-06-10T12:00:00Z');
  const options = (deadline = now() + 12_000) => ({ deadline, command: 'workflow_step' });

  it('turns the card into outputs', async () => {
    const { uc, asked } = planUseCases({ kind: 'card', accountId: 'a07e1', plan, fetchedAt: now() });
    const outcome = await billingStep({ plan: uc, now }, 'a07e1', asker, options());
    expect(asked).toEqual([{ kind: 'lookup', accountId: 'a07e1' }]);
    expect(outcome).toMatchObject({
      kind: 'plan',
      accountId: 'a07e1',
      outputs: { plan_type: 'GOOD', monthly_price: 20, next_billing_date: '2026-06-29' },
    });
  });

  it.each([
    {
      name: 'several matches are ambiguous, with how many',
      found: { kind: 'candidates', words: 'blue', candidates: [account('a1'), account('a2')], index },
      want: { kind: 'ambiguous', input: 'blue river', count: 2, more: false },
    },
    {
      name: 'eleven matches are more than ten',
      found: {
        kind: 'candidates',
        words: 'blue',
        candidates: Array.from({ length: 11 }, (_, i) => account(`a${i}`)),
        index,
      },
      want: { kind: 'ambiguous', input: 'blue river', count: 10, more: true },
    },
    {
      name: 'no match is an unknown account',
      found: { kind: 'no_match', words: 'blue river', index },
      want: { kind: 'unknown_account', input: 'blue river' },
    },
    {
      name: 'an id Constant Contact does not know is an unknown account',
      found: {
        kind: 'failed',
        accountId: 'blue river',
        failure: 'not_found',
        status: 404,
        noIndex: { building: true },
      },
      want: { kind: 'unknown_account', input: 'blue river', namesUnavailable: { building: true } },
    },
    {
      name: 'the quota stays a failure of its own',
      found: { kind: 'failed', accountId: 'a07e1', failure: 'quota_exceeded', status: 429 },
      want: { kind: 'failed', accountId: 'a07e1', failure: 'quota_exceeded', status: 429 },
    },
    { name: 'no credentials', found: { kind: 'not_configured' }, want: { kind: 'not_configured' } },
    {
      name: 'no index yet',
      found: { kind: 'index_not_ready', building: false },
      want: { kind: 'index_not_ready', building: false },
    },
  ] as Array<{ name: string; found: PlanOutcome; want: unknown }>)('$name', async ({ found, want }) => {
    const { uc } = planUseCases(found);
    expect(await billingStep({ plan: uc, now }, 'blue river', asker, options())).toEqual(want);
  });

  it('says the input is invalid without looking anything up', async () => {
    const { uc, asked } = planUseCases('hang');
    expect(await billingStep({ plan: uc, now }, '???', asker, options())).toEqual({
      kind: 'invalid_input',
      input: '???',
    });
    expect(await billingStep({ plan: uc, now }, undefined, asker, options())).toEqual({
      kind: 'invalid_input',
      input: undefined,
    });
    expect(asked).toEqual([]);
  });

  it('gives up at the deadline, however long the lookup would take', async () => {
    const { uc } = planUseCases('hang');
    const started = Date.now();
    expect(await billingStep({ plan: uc, now }, 'a07e1', asker, options(now() + 50))).toEqual({ kind: 'timed_out' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await billingStep({ plan: uc, now }, 'a07e1', asker, options(now() - 1))).toEqual({ kind: 'timed_out' });
  });
});
