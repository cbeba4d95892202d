import { Writable } from 'node:stream';
import { App } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { boltLogger, createLogger } from '../../src/logger.ts';
import { queuedMs } from '../../src/receiver/queuedMs.ts';
import { SlackSocketReceiver, type SlackSocketReceiverOptions } from '../../src/receiver/socketReceiver.ts';
import { eventEnvelope, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { startFakeSocketMode } from '../helpers/fakeSocketMode.ts';
import { delay, waitFor } from '../helpers/http.ts';

/**
 * planbot's Socket Mode receiver with a real Bolt App over a real WebSocket (the fake Socket Mode):
 * envelopes whose answer is the ack (an external_select's options, a modal's response_action)
 * carry what their listener acks; everything else is acknowledged with an empty ack before its
 * listener runs, and handed to Bolt as the window allows — as the HTTP receiver does.
 */
const cleanups: Array<() => Promise<void>> = [];
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
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l) as LogLine);
      }
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines, raw };
}

async function startApp(o: Partial<SlackSocketReceiverOptions> = {}) {
  const { logger, lines, raw } = capturedLogger();
  const api = await startFakeSlackApi();
  const socket = await startFakeSocketMode(api, { appToken: 'xapp-1-A0001-secret' });
  const receiver = new SlackSocketReceiver({
    appToken: 'xapp-1-A0001-secret',
    slackApiUrl: api.url,
    logger,
    window: 4,
    ackTimeoutMs: 300,
    ...o,
  });
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: 'xoxb-test' }),
    logger: boltLogger(logger),
    convoStore: false,
  });
  await receiver.start();
  cleanups.push(api.close, socket.close, () => receiver.stop());
  return { app, receiver, api, socket, logs: lines, raw };
}

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
  state: { values: {} },
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
const command = (text: string) => ({ text, responseUrl: 'http://127.0.0.1:9/r' });

describe('connecting', () => {
  it('asks apps.connections.open with the app-level token, connects, and logs it once without the token', async () => {
    const { api, socket, logs, raw } = await startApp();
    expect(api.calls.filter((c) => c.method === 'apps.connections.open').map((c) => c.token)).toEqual([
      'xapp-1-A0001-secret',
    ]);
    expect(socket.connectionCount).toBe(1);
    expect(logs.filter((l) => l.event === 'slack_socket_connected')).toHaveLength(1);
    expect(raw.join('\n')).not.toContain('A0001-secret');
  });

  it('fails to start when Slack refuses the token', async () => {
    const { logger } = capturedLogger();
    const api = await startFakeSlackApi();
    const socket = await startFakeSocketMode(api, { appToken: 'xapp-right' });
    cleanups.push(api.close, socket.close);
    const receiver = new SlackSocketReceiver({ appToken: 'xapp-wrong', slackApiUrl: api.url, logger, window: 4 });
    new App({ receiver, authorize: async () => ({ botToken: 'xoxb-test' }), convoStore: false });
    await expect(receiver.start()).rejects.toThrow(/invalid_auth/);
    await receiver.stop();
  });
});

describe('answers in the ack', () => {
  it('sends the options a block_suggestion listener acks as the ack payload, at once', async () => {
    const { app, socket } = await startApp();
    const seen: number[] = [];
    app.options('account', async ({ ack, options, context }) => {
      seen.push(queuedMs(context));
      await ack({
        options: [{ text: { type: 'plain_text', text: `Acme (${options.value})` }, value: 'a07e1lxtnhz0' }],
      });
    });

    const id = socket.sendInteractive(blockSuggestion('account', 'acm'));
    const ack = await socket.waitForAck(id);

    expect(socket.deliveries.get(id)?.envelope.accepts_response_payload).toBe(true);
    expect(ack.payload).toEqual({
      options: [{ text: { type: 'plain_text', text: 'Acme (acm)' }, value: 'a07e1lxtnhz0' }],
    });
    expect(ack.ms).toBeLessThan(300);
    expect(seen).toEqual([0]);
  });

  it('sends the response_action a view_submission listener acks as the ack payload', async () => {
    const { app, socket } = await startApp();
    app.view('plan_lookup', async ({ ack }) => {
      await ack({ response_action: 'errors', errors: { account: 'Pick an account' } });
    });

    const ack = await socket.waitForAck(socket.sendInteractive(viewSubmission('plan_lookup')));

    expect(ack.payload).toEqual({ response_action: 'errors', errors: { account: 'Pick an account' } });
  });

  it('sends an empty ack when no listener acks within the bound, with a warning, and drops a late ack', async () => {
    const { app, socket, logs } = await startApp({ ackTimeoutMs: 200 });
    const late = gate();
    let lateAck: Promise<void> | undefined;
    app.view('slow_lookup', async ({ ack }) => {
      await late.opened;
      lateAck = ack({ response_action: 'clear' });
      await lateAck;
    });

    const id = socket.sendInteractive(viewSubmission('slow_lookup'));
    const ack = await socket.waitForAck(id);

    expect(ack.payload ?? {}).toEqual({});
    expect(ack.ms).toBeGreaterThanOrEqual(180);
    expect(ack.ms).toBeLessThan(2_000);
    expect(logs.filter((l) => l.event === 'slack_ack_timeout')).toMatchObject([
      { level: 'warn', type: 'view_submission', ms: 200 },
    ]);
    late.open();
    await waitFor(() => logs.some((l) => l.event === 'slack_ack_late'), 2_000, 'the late ack');
    await expect(lateAck).resolves.toBeUndefined();
    expect(socket.deliveries.get(id)?.acks).toHaveLength(1);
  });

  it('sends no ack when Bolt fails before any listener acks, so Slack shows its error', async () => {
    const { app, socket, logs } = await startApp({ ackTimeoutMs: 500 });
    app.view('broken', async () => {
      throw new Error('the listener broke');
    });

    const id = socket.sendInteractive(viewSubmission('broken'));
    await waitFor(() => logs.some((l) => l.event === 'slack_dispatch_failed'), 2_000, 'the failure');
    await delay(700);

    expect(socket.deliveries.get(id)?.acks).toEqual([]);
  });

  it('is not held behind a full window: options come back while earlier envelopes still wait', async () => {
    const { app, socket } = await startApp({ window: 1 });
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

    const ids = ['a', 'b', 'c', 'd'].map((text) => socket.sendSlashCommand(command(text)));
    await Promise.all(ids.map((id) => socket.waitForAck(id)));
    await waitFor(() => commandsRun === 1, 2_000, 'the first command');

    const ack = await socket.waitForAck(socket.sendInteractive(blockSuggestion('account', 'x')));
    expect(ack.payload).toEqual({ options: [] });
    expect(commandsRun).toBe(1);

    held.open();
    await waitFor(() => commandsRun === 4, 2_000, 'the rest');
  });
});

describe('acks first', () => {
  it('acknowledges a slash command with an empty ack before its listener has run', async () => {
    const { app, socket } = await startApp();
    const held = gate();
    let started = false;
    let finished = false;
    let waited = -1;
    app.command('/plan', async ({ ack, context }) => {
      started = true;
      waited = queuedMs(context);
      await ack();
      await held.opened;
      finished = true;
    });

    const id = socket.sendSlashCommand(command('help'));
    const ack = await socket.waitForAck(id);

    expect(ack.payload ?? {}).toEqual({});
    expect(finished).toBe(false);
    await waitFor(() => started, 2_000, 'the listener');
    expect(waited).toBeGreaterThanOrEqual(0);
    held.open();
    await waitFor(() => finished, 2_000, 'the listener to finish');
    expect(socket.deliveries.get(id)?.acks).toHaveLength(1);
  });

  it('acknowledges a button click and an event before their listeners, and passes the retry on to Bolt', async () => {
    const { app, socket } = await startApp();
    const clicked: string[] = [];
    const retries: Array<[number | undefined, string | undefined]> = [];
    app.action('plan_share', async ({ ack, action }) => {
      await ack();
      clicked.push((action as { value: string }).value);
    });
    app.event('app_mention', async ({ context }) => {
      retries.push([context.retryNum, context.retryReason]);
    });

    const click = socket.sendInteractive({
      type: 'block_actions',
      user,
      team,
      api_app_id: 'A0001',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0001', is_ephemeral: true },
      trigger_id: '123.456.abc',
      channel: { id: 'C0001', name: 'sales' },
      response_url: 'http://127.0.0.1:9/r',
      actions: [{ action_id: 'plan_share', block_id: 'plan_actions', value: 'a07e1lxtnhz0', type: 'button' }],
    });
    const mention = socket.sendEvent(
      eventEnvelope({ type: 'app_mention', user: 'U0001', text: '<@UBOT> help', ts: '1.2', channel: 'C0001' }),
    );

    expect((await socket.waitForAck(click)).ms).toBeLessThan(1_000);
    expect((await socket.waitForAck(mention)).ms).toBeLessThan(1_000);
    await waitFor(() => clicked.length === 1 && retries.length === 1, 2_000, 'the listeners');
    expect(clicked).toEqual(['a07e1lxtnhz0']);
    // A first delivery: Slack's retry_attempt 0 and empty retry_reason, as Bolt's own receiver passes them.
    expect(retries).toEqual([[0, '']]);
  });

  it('on stop, hands every acknowledged envelope to Bolt, resolves once its listeners are through, and closes', async () => {
    const { app, socket, receiver, logs } = await startApp({ window: 1 });
    const ran: string[] = [];
    app.command('/plan', async ({ ack, command: c }) => {
      await ack();
      await delay(30);
      ran.push(c.text);
    });
    const texts = ['a', 'b', 'c', 'd', 'e'];
    const ids = texts.map((text) => socket.sendSlashCommand(command(text)));
    await Promise.all(ids.map((id) => socket.waitForAck(id)));

    await receiver.stop();

    expect([...ran].sort()).toEqual(texts);
    await waitFor(() => socket.openConnections === 0, 2_000, 'the connection to close');
    expect(logs.filter((l) => l.event === 'slack_socket_disconnected')).toHaveLength(1);
    // Stopped means stopped: no reconnection.
    await delay(300);
    expect(socket.connectionCount).toBe(1);
  });
});

describe('the connection', () => {
  it('connects again at once when Slack asks (refresh_requested), logging each change once', async () => {
    const { app, socket, logs } = await startApp({ reconnectDelaysMs: [0, 100] });
    const ran: string[] = [];
    app.command('/plan', async ({ ack, command: c }) => {
      await ack();
      ran.push(c.text);
    });

    socket.disconnect('refresh_requested');
    // Sent while the app has no usable connection: it waits for the next one.
    const id = socket.sendSlashCommand(command('after'));
    await socket.waitForConnection(2, 5_000);
    const ack = await socket.waitForAck(id);

    expect(ack.connection).toBe(2);
    await waitFor(() => ran.includes('after'), 2_000, 'the command');
    expect(logs.filter((l) => l.event === 'slack_socket_reconnecting')).toMatchObject([
      { level: 'warn', reason: 'refresh_requested' },
    ]);
    expect(logs.filter((l) => l.event === 'slack_socket_connected')).toHaveLength(2);
  });

  it('connects again after a dropped connection, and again while Slack cannot be reached, without crashing', async () => {
    const { socket, api, logs } = await startApp({ reconnectDelaysMs: [0, 100, 200] });
    api.scripted.set('apps.connections.open', [
      { status: 200, body: { ok: false, error: 'internal_error' } },
      { status: 200, body: { ok: false, error: 'internal_error' } },
    ]);

    socket.drop();
    await socket.waitForConnection(2, 5_000);
    // The fake sees the connection before the app has read its hello and says it is connected.
    await waitFor(() => logs.filter((l) => l.event === 'slack_socket_connected').length >= 2, 2_000, 'connected');

    expect(logs.filter((l) => l.event === 'slack_socket_connect_failed')).toHaveLength(2);
    expect(logs.filter((l) => l.event === 'slack_socket_reconnecting')).toHaveLength(1);
    expect(logs.filter((l) => l.event === 'slack_socket_connected')).toHaveLength(2);
  });
});
