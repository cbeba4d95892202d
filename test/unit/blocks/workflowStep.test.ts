import { describe, expect, it } from 'vitest';
import type { BillingPlan } from '../../../src/billing/plan.ts';
import { stepOutputs } from '../../../src/billing/stepOutputs.ts';
import {
  stepCompletion,
  stepErrorText,
  stepOutputParameters,
  stepRefusalText,
  stepSummary,
} from '../../../src/blocks/workflowStep.ts';
import type { BillingStepOutcome } from '../../../src/usecases/billingStep.ts';

const today = new Date('2026-06-10T15:00:00Z');

function planOutcome(plan: BillingPlan, accountId = 'a07eacme0001'): Extract<BillingStepOutcome, { kind: 'plan' }> {
  return { kind: 'plan', accountId, plan, outputs: stepOutputs(plan, today), fetchedAt: today.getTime() };
}

const paying: BillingPlan = {
  planType: 'BETTER',
  billingStatus: 'Open',
  billingDayOfMonth: 29,
  tiers: [
    { usageType: 'CONTACTS', level: 1, min: 0, max: 500, usage: 490, price: 25, currency: 'USD' },
    { usageType: 'EMAILS', level: 1, min: 0, max: 500, usage: 1, price: 5, currency: 'EUR' },
  ],
};

describe('stepSummary', () => {
  it('says the plan in one line of plain text', () => {
    expect(stepSummary(planOutcome(paying), { sample: false })).toBe(
      'Billing plan for a07eacme0001: Email Plus, Open, $25.00 + €5.00 a month, next billing Mon, Jun 29, 2026, fullest tier 98% used',
    );
  });

  it('says a trial has no tiers, and demo mode says it is sample data', () => {
    const trial = { planType: 'TRIAL', billingStatus: 'Trial', billingDayOfMonth: null, tiers: [] };
    expect(stepSummary(planOutcome(trial), { sample: true })).toBe(
      '[Sample data] Billing plan for a07eacme0001: Trial, Trial, no usage tiers',
    );
  });

  it('keeps API text on one line, with nothing Slack would read as a mention', () => {
    const odd = { ...paying, planType: '<!channel>\nX', billingStatus: 'Open\u202e', tiers: [] };
    const line = stepSummary(planOutcome(odd), { sample: false });
    expect(line).not.toMatch(/[<>\n\u202e]/);
    expect(line).toContain('‹!channel› X');
  });
});

describe('stepCompletion', () => {
  it('is the outputs and the summary, and only outputs the manifest declares', () => {
    const completion = stepCompletion(planOutcome(paying), { sample: false });
    expect(completion).toMatchObject({ plan_type: 'BETTER', monthly_price: 25, currency: 'USD', billing_day: 29 });
    expect(completion.summary).toContain('Email Plus');
    for (const name of Object.keys(completion)) expect(stepOutputParameters).toHaveProperty(name);
  });
});

describe('stepErrorText', () => {
  it.each([
    { outcome: { kind: 'invalid_input', input: undefined }, says: 'The step needs an account' },
    { outcome: { kind: 'invalid_input', input: '!!!' }, says: "“!!!” isn't an account id or a customer name" },
    {
      outcome: { kind: 'ambiguous', input: 'blue river', count: 2, more: false },
      says: '2 accounts match “blue river”',
    },
    { outcome: { kind: 'ambiguous', input: 'org', count: 10, more: true }, says: 'More than 10 accounts match “org”' },
    { outcome: { kind: 'unknown_account', input: 'zzyzx' }, says: 'No account matches “zzyzx”' },
    {
      outcome: { kind: 'unknown_account', input: 'acme', namesUnavailable: { building: true } },
      says: 'its account index is still being built',
    },
    { outcome: { kind: 'index_not_ready', building: false }, says: "account index hasn't been built" },
    { outcome: { kind: 'not_configured' }, says: 'no Constant Contact partner credentials' },
    { outcome: { kind: 'timed_out' }, says: 'took too long' },
    {
      outcome: { kind: 'failed', accountId: 'a07e1', failure: 'quota_exceeded' },
      says: "today's Constant Contact request quota. Lookups work again after 00:00 UTC (in 9h 0m)",
    },
    { outcome: { kind: 'failed', accountId: 'a07e1', failure: 'upstream', status: 503 }, says: '(error 503)' },
    {
      outcome: { kind: 'failed', accountId: 'a07e1', failure: 'internal' },
      says: "Something went wrong on planbot's side",
    },
  ] as Array<{ outcome: Exclude<BillingStepOutcome, { kind: 'plan' }>; says: string }>)(
    '$outcome.kind: $says',
    ({ outcome, says }) => {
      const text = stepErrorText(outcome, today);
      expect(text).toContain(says);
      // Plain words: no mrkdwn, no raw upstream text.
      expect(text).not.toMatch(/[`*<>]/);
    },
  );

  it('refuses another workspace without naming who is allowed', () => {
    expect(stepRefusalText('external_user')).toBe(
      "planbot only runs this step in its own organization's Slack workspace.",
    );
  });
});
