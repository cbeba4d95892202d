import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startBot, type TestBot } from '../helpers/bot.ts';
import {
  type FakeConstantContact,
  partnerAccount,
  planAtTier,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { type FakeRebilly, startFakeRebilly } from '../helpers/fakeRebilly.ts';
import { eventEnvelope, type FakeSlackApi, type SlackCall, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';

/** The step's outputs and their types, as manifest.yml declares them for Workflow Builder. */
const declared = (
  parse(readFileSync(join(import.meta.dirname, '../../manifest.yml'), 'utf8')) as {
    functions: { get_billing_plan: { output_parameters: Record<string, { type: string; is_required: boolean }> } };
  }
).functions.get_billing_plan.output_parameters;

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let bot: TestBot;
let n = 0;

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  cc.partnerAccounts = [
    partnerAccount(1, { encoded_account_id: 'a07eacme0001', organization_name: 'Acme, Inc.', site_owner_name: 'wile' }),
    partnerAccount(3, {
      encoded_account_id: 'a07eblue0003',
      organization_name: 'Blue River Outfitters',
      billing_status: 'Trial',
    }),
    partnerAccount(4, { encoded_account_id: 'a07eblue0004', organization_name: 'Blue River Bakery' }),
    partnerAccount(5, { encoded_account_id: 'a07equota005', organization_name: 'Quota Spenders' }),
  ];
  cc.accounts.set('a07eacme0001', planAtTier(1));
  cc.accounts.set('a07eblue0003', samplePlans.trial);
  cc.accounts.set('a07eblue0004', samplePlans.open);
  bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    SLACK_API_URL: slack.url,
    // Names are found in the account index: let its walk run at start.
    ACCOUNT_INDEX_REFRESH_MINUTES: '60',
  });
  await waitFor(() => bot.logs().find((l) => l.event === 'account_index_refresh'), 15_000, 'the first index');
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([slack?.close(), cc?.close()]);
});

/** A `function_executed` delivery of the step, as Slack sends it when a workflow reaches it. */
function stepEvent(account: unknown, o: { team?: string } = {}) {
  const i = ++n;
  const executionId = `Fx0TEST${String(i).padStart(5, '0')}`;
  const token = `xwfp-test-${i}`;
  const envelope = eventEnvelope({
    type: 'function_executed',
    function: {
      id: 'Fn0GETPLAN',
      callback_id: 'get_billing_plan',
      title: 'Get billing plan',
      description: "A customer's Constant Contact billing plan, by account id or name",
      type: 'app',
      input_parameters: [{ type: 'string', name: 'account', title: 'Account', is_required: true }],
      output_parameters: Object.entries(declared).map(([name, p]) => ({ name, ...p })),
      app_id: 'A0001',
      date_created: 1_764_000_000,
      date_updated: 1_764_000_000,
      date_deleted: 0,
    },
    inputs: account === undefined ? {} : { account },
    function_execution_id: executionId,
    workflow_execution_id: `Wx0TEST${String(i).padStart(5, '0')}`,
    event_ts: `1764000000.00${String(i).padStart(4, '0')}`,
    bot_access_token: token,
  });
  if (o.team) {
    envelope.team_id = o.team;
    envelope.authorizations = [{ ...envelope.authorizations[0]!, team_id: o.team }];
  }
  return { executionId, token, envelope };
}

const endings = new Set(['functions.completeSuccess', 'functions.completeError']);

/** Runs the step on `target` and returns how it ended: the one completeSuccess or completeError call. */
async function runStep(account: unknown, o: { team?: string; on?: { bot: TestBot; slack: FakeSlackApi } } = {}) {
  const on = o.on ?? { bot, slack };
  const { executionId, token, envelope } = stepEvent(account, o);
  const started = Date.now();
  const res = await on.bot.sendEvent(envelope);
  expect(res.status).toBe(200);
  const ended: SlackCall = await waitFor(
    () => on.slack.calls.find((c) => endings.has(c.method) && c.args.function_execution_id === executionId),
    15_000,
    `the step ${executionId} to end`,
  );
  // Slack's 15 s, counted from the delivery.
  expect(ended.at - started).toBeLessThan(15_000);
  // Bolt ends the step with the token the event carried, not the bot token.
  expect(ended.token).toBe(token);
  return { ended, executionId };
}

function outputsOf(call: SlackCall): Record<string, unknown> {
  expect(call.method).toBe('functions.completeSuccess');
  return call.args.outputs as Record<string, unknown>;
}

function errorOf(call: SlackCall): string {
  expect(call.method).toBe('functions.completeError');
  return String(call.args.error);
}

/** Every output is declared in the manifest and has the JSON type declared there. */
function expectDeclaredTypes(outputs: Record<string, unknown>) {
  for (const [name, value] of Object.entries(outputs)) {
    const type = declared[name]?.type;
    expect(type, `${name} is declared`).toBeDefined();
    if (type === 'string') expect(typeof value, name).toBe('string');
    if (type === 'number') expect(typeof value, name).toBe('number');
    if (type === 'integer') expect(Number.isInteger(value), name).toBe(true);
  }
  for (const [name, p] of Object.entries(declared)) if (p.is_required) expect(outputs, name).toHaveProperty(name);
}

describe('the Workflow Builder step get_billing_plan', () => {
  it('given an account id, completes with every output, each of its declared JSON type', async () => {
    const { ended } = await runStep('a07eacme0001');
    const outputs = outputsOf(ended);
    expectDeclaredTypes(outputs);
    const today = new Date().toISOString().slice(0, 10);
    expect(outputs).toEqual({
      plan_type: 'BETTER',
      plan_name: 'Email Plus',
      billing_status: 'Open',
      billing_day: 29,
      next_billing_date: expect.stringMatching(/^\d{4}-\d{2}-(28|29)$/),
      monthly_price: 25,
      currency: 'USD',
      usage_percent: 98,
      summary: expect.stringMatching(
        /^Billing plan for a07eacme0001: Email Plus, Open, \$25\.00 a month, next billing /,
      ),
    });
    expect(String(outputs.next_billing_date) >= today).toBe(true);
    // Every output the manifest declares was given, but the trend ones: one day of history draws no line
    // (test/e2e/cardTrends.test.ts gives them).
    const trendOutputs = ['usage_trend_per_day', 'tier_max_reached_on'];
    expect(Object.keys(outputs).sort()).toEqual(
      Object.keys(declared)
        .filter((k) => !trendOutputs.includes(k))
        .sort(),
    );
  });

  it('given a name that matches one account, completes with that account’s plan', async () => {
    const outputs = outputsOf((await runStep('acme')).ended);
    expect(outputs).toMatchObject({ plan_type: 'BETTER', monthly_price: 25 });
    expect(outputs.summary).toContain('a07eacme0001');
  });

  it('given a name that matches several accounts, fails saying how many and what to give instead', async () => {
    const before = cc.planRequests().length;
    const error = errorOf((await runStep('blue river')).ended);
    expect(error).toBe(
      '2 accounts match “blue river”, and the step needs exactly one. Give the account id, or more of the name.',
    );
    expect(cc.planRequests()).toHaveLength(before);
  });

  it('given an account no one knows, by name or by id, fails in plain words', async () => {
    expect(errorOf((await runStep('zzyzx holdings')).ended)).toContain('No account matches “zzyzx holdings”');
    expect(errorOf((await runStep('a07eghost999')).ended)).toContain('No account matches “a07eghost999”');
  });

  it('given nothing, fails asking for an account', async () => {
    expect(errorOf((await runStep(undefined)).ended)).toContain('The step needs an account');
    expect(errorOf((await runStep('   ')).ended)).toContain('The step needs an account');
  });

  it('for a trial, leaves out the billing day, the next date and everything the tiers would give', async () => {
    const outputs = outputsOf((await runStep('a07eblue0003')).ended);
    expectDeclaredTypes(outputs);
    expect(outputs).toEqual({
      plan_type: 'TRIAL',
      plan_name: 'Trial',
      billing_status: 'Trial',
      summary: 'Billing plan for a07eblue0003: Trial, Trial, no usage tiers',
    });
  });

  it('refuses in another workspace, without asking Constant Contact', async () => {
    const before = cc.planRequests().length;
    const error = errorOf((await runStep('a07eacme0001', { team: 'T0OTHER' })).ended);
    expect(error).toBe("planbot only runs this step in its own organization's Slack workspace.");
    expect(cc.planRequests()).toHaveLength(before);
  });

  it('ends each execution once, even when Slack delivers it again', async () => {
    const { envelope, executionId } = stepEvent('a07eacme0001');
    await bot.sendEvent(envelope);
    await waitFor(
      () => slack.calls.find((c) => endings.has(c.method) && c.args.function_execution_id === executionId),
      15_000,
      'the first ending',
    );
    await bot.sendEvent(envelope, { num: 1, reason: 'http_timeout' });
    await waitFor(
      () =>
        bot.logs().find((l) => l.event === 'workflow_step' && l.execution === executionId && l.outcome === 'duplicate'),
      15_000,
      'the repeat to be dropped',
    );
    await delay(100);
    expect(slack.calls.filter((c) => c.args.function_execution_id === executionId)).toHaveLength(1);
  });

  it('writes one audit line per execution, with its outcome', async () => {
    const { executionId } = await runStep('a07eblue0004');
    const workflow = executionId.replace(/^Fx/, 'Wx');
    const audit = await waitFor(
      () => {
        const lines = bot.logs().filter((l) => l.event === 'audit' && l.channel === workflow);
        // An empty list is not yet: the audit line is written after the step ends.
        return lines.length > 0 && lines;
      },
      5000,
      'the audit line',
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'workflow_step',
      command: 'workflow_step',
      team: 'T0001',
      target: 'a07eblue0004',
      outcome: 'plan',
    });
    expect(audit[0]).not.toHaveProperty('user');
  });

  // Last: Constant Contact's quota_exceeded stops this bot's calls until 00:00 UTC.
  it('when the daily quota is spent, fails saying when lookups work again', async () => {
    cc.scripted.set('a07equota005', [
      { status: 429, body: { error_key: 'quota_exceeded', error_message: 'Daily quota exceeded' } },
    ]);
    const error = errorOf((await runStep('a07equota005')).ended);
    expect(error).toMatch(
      /^planbot has used up today's Constant Contact request quota\. Lookups work again after 00:00 UTC \(in \d+h \d+m\)\.$/,
    );
    expect(error).not.toContain('Daily quota exceeded');
  });
});

describe('the step without partner credentials', () => {
  let reb: FakeRebilly;
  let own: FakeSlackApi;
  let rebillyOnly: TestBot;

  beforeAll(async () => {
    reb = await startFakeRebilly();
    own = await startFakeSlackApi();
    rebillyOnly = await startBot({ REBILLY_API_KEY: reb.apiKey, REBILLY_API_URL: reb.url, SLACK_API_URL: own.url });
  });
  afterAll(async () => {
    await rebillyOnly?.stop();
    await Promise.all([own?.close(), reb?.close()]);
  });

  it('fails saying planbot is not set up, for an id and for a name', async () => {
    for (const account of ['a07eacme0001', 'acme corp']) {
      const error = errorOf((await runStep(account, { on: { bot: rebillyOnly, slack: own } })).ended);
      expect(error).toBe(
        "planbot isn't set up to read billing plans: it has no Constant Contact partner credentials. Ask whoever runs planbot to set them.",
      );
    }
  });
});
