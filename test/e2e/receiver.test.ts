import { Writable } from 'node:stream';
import { App } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { boltLogger, createLogger } from '../../src/logger.ts';
import { SlackHttpReceiver, type SlackHttpReceiverOptions } from '../../src/receiver/httpReceiver.ts';
import { queuedMs } from '../../src/receiver/queuedMs.ts';
import { createSlackApp } from '../../src/receiver/slackApp.ts';
import { waitFor } from '../helpers/http.ts';
import { buttonClickBody, signedHeaders, signingSecret, slashCommandBody } from '../helpers/slack.ts';

/**
 * planbot's Bolt receiver with a real Bolt App over real HTTP: requests whose answer is the HTTP
 * response (options for an external_select, a modal's response_action) get what their listener
 * acks; everything else is acknowledged with an empty 200 before its listener runs.
 */
const cleanups: Array<() => Promise<void>> = [];
/** Gates still shut when a test ends are opened, so no listener holds up a stop. */
const gates: Array<() => void> = [];
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  while (cleanups.length) await cleanups.pop()?.();
});

interface LogLine {
  level: string;
  event?: string;
  [key: string]: unknown;
}

function capturedLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}

const health = {
  readiness: async () => ({ ready: true, status: 'ready' as const, checks: {} }),
  metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'planbot_up 1\n' }),
};

async function startApp(o: Partial<SlackHttpReceiverOptions> = {}) {
  const { logger, lines } = capturedLogger();
  const receiver = new SlackHttpReceiver({
    port: 0,
    host: '127.0.0.1',
    signingSecret,
    logger,
    window: 4,
    ackTimeoutMs: 300,
    ...health,
    ...o,
  });
  // No Web API call is made: a fake token is all Bolt needs to run the listeners.
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: 'xoxb-test' }),
    logger: boltLogger(logger),
    convoStore: false,
  });
  const port = await receiver.start();
  cleanups.push(() => receiver.stop());
  const url = `http://127.0.0.1:${port}`;
  const post = async (body: string, headers: Record<string, string> = signedHeaders(body)) => {
    const started = Date.now();
    const res = await fetch(`${url}/slack/events`, { method: 'POST', headers, body });
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: await res.text(),
      ms: Date.now() - started,
    };
  };
  const interactive = (payload: unknown) => post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  return { app, receiver, url, post, interactive, logs: lines };
}

/** A promise and the function that settles it: listeners wait on it to stay "in progress". */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  return { opened, open };
}

const team = { id: 'T0001', domain: 'acme' };
const user = { id: 'U0001', username: 'dana', team_id: 'T0001' };
const view = (callbackId: string) => ({
  id: 'V0001',
  type: 'modal',
  callback_id: callbackId,
  team_id: 'T0001',
  private_metadata: '',
  hash: '1700000000.abc',
  state: { values: { account: { account: { type: 'external_select', selected_option: null } } } },
});

const blockSuggestion = (actionId: string, value: string) => ({
  type: 'block_suggestion',
  user,
  team,
  api_app_id: 'A0001',
  token: 'legacy-verification-token',
  container: { type: 'view', view_id: 'V0001' },
  action_id: actionId,
  block_id: 'account',
  value,
  view: view('plan_lookup'),
});

const viewSubmission = (callbackId: string) => ({
  type: 'view_submission',
  team,
  user,
  api_app_id: 'A0001',
  token: 'legacy-verification-token',
  trigger_id: '123.456.abc',
  view: view(callbackId),
  response_urls: [],
});

describe('answers in the ack', () => {
  it('answers a block_suggestion with the options its listener acks, at once', async () => {
    const { app, interactive } = await startApp();
    const seen: number[] = [];
    app.options('account', async ({ ack, options, context }) => {
      seen.push(queuedMs(context));
      await ack({
        options: [{ text: { type: 'plain_text', text: `Acme (${options.value})` }, value: 'a07e1lxtnhz0' }],
      });
    });

    const res = await interactive(blockSuggestion('account', 'acm'));

    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({
      options: [{ text: { type: 'plain_text', text: 'Acme (acm)' }, value: 'a07e1lxtnhz0' }],
    });
    expect(res.ms).toBeLessThan(300);
    // Handed over at once: it never waited in the queue.
    expect(seen).toEqual([0]);
  });

  it('answers a view_submission with the response_action its listener acks', async () => {
    const { app, interactive } = await startApp();
    app.view('plan_lookup', async ({ ack }) => {
      await ack({ response_action: 'errors', errors: { account: 'Pick an account' } });
    });

    const res = await interactive(viewSubmission('plan_lookup'));

    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ response_action: 'errors', errors: { account: 'Pick an account' } });
  });

  it('answers an empty 200 when no listener acks within the bound, with a warning, and drops a late ack', async () => {
    const { app, interactive, logs } = await startApp({ ackTimeoutMs: 200 });
    const late = gate();
    let lateAck: Promise<void> | undefined;
    app.view('slow_lookup', async ({ ack }) => {
      await late.opened;
      lateAck = ack({ response_action: 'clear' });
      await lateAck;
    });

    const res = await interactive(viewSubmission('slow_lookup'));

    expect(res).toMatchObject({ status: 200, body: '' });
    expect(res.ms).toBeGreaterThanOrEqual(180);
    expect(res.ms).toBeLessThan(2_000);
    expect(logs.filter((l) => l.event === 'slack_ack_timeout')).toMatchObject([
      { level: 'warn', type: 'view_submission', ms: 200 },
    ]);

    late.open();
    await waitFor(() => logs.some((l) => l.event === 'slack_ack_late'), 2_000, 'the late ack');
    await expect(lateAck).resolves.toBeUndefined();
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('answers a bare 500, as Bolt does, when the request fails before any listener acks', async () => {
    const { app, interactive, logs } = await startApp({ ackTimeoutMs: 2_000 });
    app.view('broken', async () => {
      throw new Error('the listener broke');
    });

    const res = await interactive(viewSubmission('broken'));

    expect(res).toMatchObject({ status: 500, body: '' });
    expect(res.ms).toBeLessThan(1_000);
    expect(logs.filter((l) => l.event === 'slack_dispatch_failed')).toHaveLength(1);
  });

  it('is not held behind a full window: options come back while earlier requests still wait', async () => {
    const { app, post, interactive } = await startApp({ window: 1 });
    const held = gate();
    let commandsRun = 0;
    app.command('/plan', async ({ ack }) => {
      await ack();
      commandsRun++;
      await held.opened;
    });
    app.options('account', async ({ ack }) => {
      await ack({ options: [] });
    });

    // The first command takes the whole window; the next three wait, acknowledged.
    const acks = await Promise.all(
      ['a', 'b', 'c', 'd'].map((text) => post(slashCommandBody({ text, responseUrl: 'http://127.0.0.1:9/r' }))),
    );
    expect(acks.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    await waitFor(() => commandsRun === 1, 2_000, 'the first command');

    const res = await interactive(blockSuggestion('account', 'x'));
    expect(res).toMatchObject({ status: 200, body: '{"options":[]}' });
    expect(commandsRun).toBe(1);

    held.open();
    await waitFor(() => commandsRun === 4, 2_000, 'the rest');
  });
});

describe('acks first', () => {
  it('acknowledges a block_actions click with an empty 200 before its listener has run', async () => {
    const { app, post } = await startApp();
    const held = gate();
    let started = false;
    let finished = false;
    let waited = -1;
    app.action('plan_share', async ({ ack, context }) => {
      started = true;
      waited = queuedMs(context);
      await ack();
      await held.opened;
      finished = true;
    });

    const res = await post(
      buttonClickBody({ actionId: 'plan_share', value: 'x', responseUrl: 'http://127.0.0.1:9/r' }),
    );

    expect(res).toMatchObject({ status: 200, body: '' });
    expect(finished).toBe(false);
    await waitFor(() => started, 2_000, 'the listener');
    expect(waited).toBeGreaterThanOrEqual(0);
    held.open();
    await waitFor(() => finished, 2_000, 'the listener to finish');
  });

  it('acknowledges a slash command with an empty 200 before its listener has finished', async () => {
    const { app, post } = await startApp();
    const held = gate();
    let finished = false;
    app.command('/plan', async ({ ack }) => {
      await ack();
      await held.opened;
      finished = true;
    });

    const res = await post(slashCommandBody({ text: 'help', responseUrl: 'http://127.0.0.1:9/r' }));

    expect(res).toMatchObject({ status: 200, body: '' });
    expect(finished).toBe(false);
    held.open();
    await waitFor(() => finished, 2_000, 'the listener to finish');
  });

  it('on stop, hands every acknowledged request to Bolt and resolves once its listeners are through', async () => {
    const { app, post, receiver, url } = await startApp({ window: 1 });
    const ran: string[] = [];
    app.command('/plan', async ({ ack, command }) => {
      await ack();
      await new Promise((r) => setTimeout(r, 30));
      ran.push(command.text);
    });
    const texts = ['a', 'b', 'c', 'd', 'e'];
    for (const text of texts)
      expect((await post(slashCommandBody({ text, responseUrl: 'http://127.0.0.1:9/r' }))).status).toBe(200);

    await receiver.stop();

    expect([...ran].sort()).toEqual(texts);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('the operational routes', () => {
  it('serves /healthz (once ready), /readyz and /metrics beside /slack/events', async () => {
    const { receiver, url } = await startApp();
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
    receiver.setReady(true);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', checks: {} });
    expect(await (await fetch(`${url}/metrics`)).text()).toBe('planbot_up 1\n');
    expect(receiver.port).toBe(Number(new URL(url).port));
  });

  it('in Socket Mode, serves them without any /slack/events', async () => {
    const { logger } = capturedLogger();
    const slack = createSlackApp(
      { botToken: 'xoxb-test', signingSecret: undefined, appToken: 'xapp-test', apiUrl: 'http://127.0.0.1:9/api/' },
      logger,
      { port: 0, host: '127.0.0.1', window: 4, ...health },
    );
    const port = await slack.front.start();
    cleanups.push(() => slack.front.stop());
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
    slack.front.setReady(true);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    const body = slashCommandBody({ text: 'help', responseUrl: 'http://127.0.0.1:9/r' });
    const res = await fetch(`${url}/slack/events`, { method: 'POST', headers: signedHeaders(body), body });
    expect(res.status).toBe(404);
  });
});
