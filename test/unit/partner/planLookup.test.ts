import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { createAfterAnswers } from '../../../src/lifecycle/afterAnswers.ts';
import { createPlanLookup, type PlanResult } from '../../../src/partner/planLookup.ts';
import { samplePlans } from '../../helpers/fakeConstantContact.ts';
import { answer, fakePartnerHttp } from '../../helpers/partnerHttp.ts';

function lookupWith(answers: Parameters<typeof fakePartnerHttp>[0], cache = new Keyv(), now = Date.now) {
  const partner = fakePartnerHttp(answers);
  const errors: unknown[] = [];
  const later = createAfterAnswers({ onError: (error) => errors.push(error) });
  const reads: string[] = [];
  const lookup = createPlanLookup({
    client: partner.client,
    cache,
    ttlMs: 60_000,
    now,
    onRead: (accountId) => reads.push(accountId),
    later: later.defer,
  });
  return { lookup, later, errors, reads, cache, apiRequests: partner.apiRequests };
}

const deadline = () => Date.now() + 5_000;

describe('plan lookups and their bookkeeping', () => {
  it('answers before the cache write, and a second lookup meanwhile costs no call', async () => {
    const { lookup, later, reads, cache, apiRequests } = lookupWith([answer(200, samplePlans.open)]);
    const first = await lookup.get('acct-1', deadline());
    expect(first.plan.planType).toBe('GOOD');
    // The write and the alert state wait for a quiet moment...
    expect(await cache.get('cc:plan:acct-1')).toBeUndefined();
    expect(reads).toEqual([]);
    // ...and a lookup in between gets the plan just read, without asking again.
    expect(await lookup.get('acct-1', deadline())).toBe(first);
    await later.settled();
    expect(await cache.get<PlanResult>('cc:plan:acct-1')).toMatchObject({ plan: { planType: 'GOOD' } });
    expect(reads).toEqual(['acct-1']);
    expect((await lookup.get('acct-1', deadline())).plan.planType).toBe('GOOD');
    expect(apiRequests()).toHaveLength(1);
  });

  it('reads afresh when asked to, even while the last read is not yet written', async () => {
    const { lookup, later, apiRequests } = lookupWith([answer(200, samplePlans.open), answer(200, samplePlans.open)]);
    await lookup.get('acct-1', deadline());
    await lookup.get('acct-1', deadline(), { fresh: true });
    expect(apiRequests()).toHaveLength(2);
    await later.settled();
  });

  it('gives the person the card when the cache cannot be written, and says so to the deferrer', async () => {
    const broken = new Keyv();
    broken.set = async () => {
      throw new Error('disk full');
    };
    const { lookup, later, errors, apiRequests } = lookupWith(
      [answer(200, samplePlans.open), answer(200, samplePlans.open)],
      broken,
    );
    expect((await lookup.get('acct-1', deadline())).plan.planType).toBe('GOOD');
    await later.settled();
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full']);
    // Nothing was kept: the next lookup asks again.
    await lookup.get('acct-1', deadline());
    expect(apiRequests()).toHaveLength(2);
    await later.settled();
  });

  it('shows a read for the cache’s time from when it was read, however late its write runs', async () => {
    let clock = Date.now();
    const { lookup, later, cache, apiRequests } = lookupWith(
      [answer(200, samplePlans.open), answer(200, samplePlans.trial), answer(200, samplePlans.open)],
      new Keyv(),
      () => clock,
    );
    expect((await lookup.get('acct-1', deadline())).plan.planType).toBe('GOOD');
    // A minute on, before the read's write has run: too old to show, so Constant Contact is asked.
    clock += 60_000;
    expect((await lookup.get('acct-1', deadline())).plan.billingStatus).toBe('Trial');
    expect(apiRequests()).toHaveLength(2);
    await later.settled();

    // A write that runs a minute after its read keeps nothing: the read is already too old.
    await lookup.get('acct-2', deadline());
    clock += 60_000;
    await later.settled();
    expect(await cache.get('cc:plan:acct-2')).toBeUndefined();
    expect(await cache.get<PlanResult>('cc:plan:acct-1')).toMatchObject({ plan: { billingStatus: 'Trial' } });
  });
});
