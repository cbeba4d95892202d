import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareActionId } from '../../src/blocks/planCard.ts';
import { startBot, type TestBot } from '../helpers/bot.ts';
import {
  type FakeConstantContact,
  partnerAccount,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { catalogPlan, startFakeRebilly } from '../helpers/fakeRebilly.ts';
import { eventEnvelope, type FakeSlackApi, type SlackCall, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { type FakeSocketMode, startFakeSocketMode } from '../helpers/fakeSocketMode.ts';
import { delay, waitFor } from '../helpers/http.ts';
import {
  blockSuggestion,
  globalShortcut,
  messageShortcut,
  startResponseUrlReceiver,
  viewSubmission,
  visibleText,
} from '../helpers/slack.ts';

/**
 * The whole bot in Socket Mode: Slack's requests come as envelopes over a WebSocket (the fake
 * Socket Mode, reached through the fake Web API's apps.connections.open), and are acknowledged
 * and answered with the same flow control as over HTTP. The port still serves health, metrics and
 * Constant Contact's webhook.
 */
const webhookSecret = 'hook-secret-0123456789abcdef';

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let socket: FakeSocketMode;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;
let n = 0;

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  socket = await startFakeSocketMode(slack, { appToken: 'xapp-test' });
  hooks = await startResponseUrlReceiver();
  cc.accounts.set('a07e1lxtnhz0', samplePlans.open);
  bot = await startBot({
    SLACK_APP_TOKEN: 'xapp-test',
    SLACK_SIGNING_SECRET: '',
    SLACK_API_URL: slack.url,
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    CC_RATE_LIMIT: '1000',
    CC_WEBHOOK_SECRET: webhookSecret,
  });
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([hooks?.close(), socket?.close(), slack?.close(), cc?.close()]);
});

/** A fresh message ts, so each test finds its own answer. */
const nextTs = () => `1700001${String(++n).padStart(3, '0')}.000${n}`;

const threadAnswers = (ts: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts);

async function answerIn(match: (c: SlackCall) => boolean, what: string): Promise<SlackCall> {
  return waitFor(() => slack.callsTo('chat.postMessage').find(match), 15_000, what);
}

function mention(text: string, user = 'U0001') {
  const ts = nextTs();
  return { ts, body: eventEnvelope({ type: 'app_mention', user, text, ts, channel: 'C0001' }) };
}

/** An account with a plan that no lookup has read yet (so none is cached). */
function freshAccount(): string {
  const id = `a07e1fresh${String(++n).padStart(2, '0')}`;
  cc.accounts.set(id, samplePlans.open);
  return id;
}

/** A `/plan` slash command over the socket; its ack and its answer at the response_url. */
async function ask(text: string) {
  const responseUrl = hooks.newUrl();
  const id = socket.sendSlashCommand({ text, responseUrl });
  const ack = await socket.waitForAck(id);
  const [post] = await hooks.waitForPost(responseUrl);
  return { id, ack, post: post!, responseUrl, text: visibleText(post!.body) };
}

const clickPayload = (actionId: string, value: string, responseUrl: string) => ({
  type: 'block_actions',
  user: { id: 'U0SHARER', username: 'dana', team_id: 'T0001' },
  api_app_id: 'A0001',
  token: 'legacy-verification-token',
  container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0001', is_ephemeral: true },
  trigger_id: '123.456.abc',
  team: { id: 'T0001', domain: 'acme' },
  channel: { id: 'C0001', name: 'sales' },
  response_url: responseUrl,
  actions: [{ action_id: actionId, block_id: 'plan_actions', value, type: 'button', action_ts: '1700000001.0002' }],
});

/** The most requests a fake had open at one moment, given each took `tookMs`. */
function mostAtOnce(starts: number[], tookMs: number): number {
  return Math.max(0, ...starts.map((t) => starts.filter((s) => s <= t && t < s + tookMs).length));
}

describe('connecting', () => {
  it('opens its connection with the app-level token, and serves /healthz on PORT with no /slack/events', async () => {
    expect(slack.calls.filter((c) => c.method === 'apps.connections.open').map((c) => c.token)).toEqual(['xapp-test']);
    expect(socket.openConnections).toBe(1);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${bot.url}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(404);
    expect(bot.logs().filter((l) => l.event === 'started')).toMatchObject([{ mode: 'socket' }]);
    expect(bot.logs().filter((l) => l.event === 'slack_socket_connected')).toHaveLength(1);
    expect(bot.rawLog.join('\n')).not.toContain('xapp-test');
  });
});

describe('slash commands', () => {
  it('acknowledges `/plan <id>` at once with an empty ack and answers it at its response_url', async () => {
    const { ack, post, text } = await ask('a07e1lxtnhz0');
    expect(ack.ms).toBeLessThan(500);
    expect(ack.payload ?? {}).toEqual({});
    expect(post.at).toBeGreaterThanOrEqual(ack.at);
    expect(post.body.response_type).toBe('ephemeral');
    expect(text).toContain('Email (GOOD)');
    expect(text).toContain('$20.00');
  });
});

describe('buttons', () => {
  it('answers a Share in channel click: acknowledged at once, the card posted for the channel', async () => {
    const shareUrl = hooks.newUrl();
    const id = socket.sendInteractive(clickPayload(shareActionId, 'a07e1lxtnhz0', shareUrl));
    const ack = await socket.waitForAck(id);
    expect(ack.ms).toBeLessThan(500);
    expect(socket.deliveries.get(id)?.envelope.accepts_response_payload).toBe(false);
    const [shared] = await hooks.waitForPost(shareUrl);
    expect(shared!.body.response_type).toBe('in_channel');
    expect(visibleText(shared!.body)).toContain('Email (GOOD)');
    expect(visibleText(shared!.body)).toContain('Shared by <@U0SHARER>');
  });
});

describe('events', () => {
  it('answers an app_mention in its thread', async () => {
    const { ts, body } = mention('<@UBOT> plan a07e1lxtnhz0');
    const ack = await socket.waitForAck(socket.sendEvent(body));
    expect(ack.ms).toBeLessThan(500);
    const answer = await answerIn((c) => c.args.thread_ts === ts, 'the answer in the thread');
    expect(answer.args.channel).toBe('C0001');
    expect(visibleText(answer.args)).toContain('Email (GOOD)');
    expect(answer.token).toBe('xoxb-test-bot-token');
  });

  it('answers a direct message (message.im) in the DM', async () => {
    const sent = Date.now();
    const body = eventEnvelope({
      type: 'message',
      channel_type: 'im',
      channel: 'D0001',
      user: 'U0001',
      text: 'plan a07e1lxtnhz0',
      ts: nextTs(),
    });
    await socket.waitForAck(socket.sendEvent(body));
    const answer = await answerIn(
      (c) => c.args.channel === 'D0001' && c.at >= sent && visibleText(c.args).includes('Email (GOOD)'),
      'the answer in the DM',
    );
    expect(answer.args.thread_ts).toBeUndefined();
  });
});

describe('answers in the ack', () => {
  it('hands a block_suggestion to Bolt at once; with no listener for it, an empty ack comes before Slack’s 3 s', async () => {
    const id = socket.sendInteractive({
      type: 'block_suggestion',
      user: { id: 'U0001', username: 'dana', team_id: 'T0001' },
      team: { id: 'T0001', domain: 'acme' },
      api_app_id: 'A0001',
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: 'V0001' },
      action_id: 'nobody_handles_this',
      block_id: 'nobody',
      value: 'acm',
      view: { id: 'V0001', type: 'modal', callback_id: 'nobody', state: { values: {} } },
    });
    expect(socket.deliveries.get(id)?.envelope.accepts_response_payload).toBe(true);
    const ack = await socket.waitForAck(id, 5_000);
    expect(ack.payload ?? {}).toEqual({});
    expect(ack.ms).toBeGreaterThanOrEqual(2_000);
    expect(ack.ms).toBeLessThan(3_000);
    expect(bot.logs().filter((l) => l.event === 'slack_ack_timeout')).toMatchObject([
      { type: 'block_suggestion', ms: 2_500 },
    ]);
  });
});

describe('the Slack-native surfaces in Socket Mode', () => {
  it('answers the lookup modal’s typeahead with accounts from the index, as the ack’s payload, well within 3 s', async () => {
    cc.partnerAccounts = [
      partnerAccount(1, { encoded_account_id: 'a07esock0001', organization_name: 'Socket Sprockets' }),
      ...Array.from({ length: 60 }, (_, i) => partnerAccount(500 + i)),
    ];
    cc.accounts.set('a07esock0001', samplePlans.open);
    await ask('reindex');
    await waitFor(() => bot.logs().find((l) => l.event === 'account_index_refresh'), 15_000, 'the index');
    const id = socket.sendInteractive(blockSuggestion('account', 'sprock'));
    const ack = await socket.waitForAck(id);
    expect(ack.ms).toBeLessThan(2_500);
    expect((ack.payload as { options: Array<{ value: string }> }).options.map((o) => o.value)).toEqual([
      'a07esock0001',
    ]);
  });

  it('opens the lookup modal from the global shortcut, and answers its submission with the card in the ack', async () => {
    const opened = slack.callsTo('views.open').length;
    const shortcut = globalShortcut('lookup_plan');
    await socket.waitForAck(socket.sendInteractive(shortcut));
    await waitFor(() => slack.callsTo('views.open').length > opened, 5_000, 'views.open');
    expect(slack.callsTo('views.open').at(-1)!.args.trigger_id).toBe(shortcut.trigger_id);

    const id = socket.sendInteractive(
      viewSubmission({
        callback_id: 'plan_lookup',
        private_metadata: JSON.stringify({ stage: 'pick' }),
        values: { account_block: { account: { selected_option: { value: 'a07e1lxtnhz0' } } } },
      }),
    );
    const ack = await socket.waitForAck(id);
    const payload = ack.payload as { response_action: string; view: { blocks: unknown[] } };
    expect(payload.response_action).toBe('update');
    expect(visibleText({ blocks: payload.view.blocks })).toContain('Email (GOOD)');
  });

  it('answers the message shortcut privately at its response_url', async () => {
    const responseUrl = hooks.newUrl();
    await socket.waitForAck(
      socket.sendInteractive(messageShortcut('plan_from_message', { text: 'about a07e1lxtnhz0 please', responseUrl })),
    );
    const [post] = await hooks.waitForPost(responseUrl);
    expect(post!.body.response_type).toBe('ephemeral');
    expect(visibleText(post!.body)).toContain('a07e1lxtnhz0');
  });

  it('publishes the Home tab on app_home_opened', async () => {
    const published = slack.callsTo('views.publish').length;
    socket.sendEvent(
      eventEnvelope({ type: 'app_home_opened', user: 'U0SOCKHOME', channel: 'D0SOCKHOME', tab: 'home' }),
    );
    await waitFor(() => slack.callsTo('views.publish').length > published, 10_000, 'views.publish');
    const call = slack.callsTo('views.publish').at(-1)!;
    expect(call.args.user_id).toBe('U0SOCKHOME');
    expect(visibleText({ blocks: (call.args.view as { blocks: unknown[] }).blocks })).toContain('Look up an account');
  });

  it('runs the Workflow step on function_executed and completes it', async () => {
    const done = slack.callsTo('functions.completeSuccess').length;
    socket.sendEvent(
      eventEnvelope({
        type: 'function_executed',
        function: {
          id: 'Fn0GETPLAN',
          callback_id: 'get_billing_plan',
          title: 'Get billing plan',
          type: 'app',
          app_id: 'A0001',
        },
        inputs: { account: 'a07e1lxtnhz0' },
        function_execution_id: 'Fx0SOCKET0001',
        workflow_execution_id: 'Wx0SOCKET0001',
        event_ts: '1764000001.000100',
        bot_access_token: 'xwfp-socket-1',
      }),
    );
    await waitFor(() => slack.callsTo('functions.completeSuccess').length > done, 15_000, 'the step completed');
    const call = slack.callsTo('functions.completeSuccess').at(-1)!;
    expect(call.args.function_execution_id).toBe('Fx0SOCKET0001');
    expect(call.args.outputs).toMatchObject({ plan_type: 'GOOD', plan_name: 'Email', billing_status: 'Open' });
  });
});

describe('the Constant Contact webhook', () => {
  it('answers on PORT in Socket Mode', async () => {
    cc.accounts.set('acct-sm1', samplePlans.open);
    const r = await cc.notify(
      `${bot.url}/webhooks/constant-contact/${webhookSecret}`,
      { accountId: 'acct-sm1', eventType: 'tier.increase' },
      { maxAttempts: 1 },
    );
    expect(r.attempts.map((a) => a.status)).toEqual([200]);
    await waitFor(() => cc.planRequests('acct-sm1').length === 1, 10_000, 'the plan read');
  });
});

describe('under a burst', () => {
  it('acknowledges 300 slash commands sent at once within a few hundred ms, and answers each once: its card, or busy in the ack', async () => {
    cc.state.apiDelayMs = 200;
    try {
      const ids = Array.from({ length: 300 }, (_, i) => `a07e1burst${String(i).padStart(3, '0')}`);
      for (const id of ids) cc.accounts.set(id, samplePlans.open);
      const before = cc.requests.length;
      const urls = ids.map(() => hooks.newUrl());

      // From 300 people: one person's lookups are limited to 30 a minute.
      const envelopes = ids.map((id, i) =>
        socket.sendSlashCommand({ text: id, responseUrl: urls[i]!, userId: `U0BURST${i}` }),
      );
      const acks = await Promise.all(envelopes.map((e) => socket.waitForAck(e, 5_000)));

      const slowest = Math.max(...acks.map((a) => a.ms));
      expect(slowest).toBeLessThan(1_000);
      // Acknowledged before the first lookup (200 ms) could have been answered.
      const firstAnswer = Math.min(...hooks.posts.filter((p) => urls.some((u) => u.endsWith(p.path))).map((p) => p.at));
      expect(Math.max(...acks.map((a) => a.at))).toBeLessThanOrEqual(firstAnswer);

      // On a machine too busy to take all 300 in time, some are told "busy" in the ack itself
      // (what Slack shows the person); those get nothing at their response_url. Every other is
      // answered there once, with its card.
      const busyInAck = (i: number) => Object.keys(acks[i]!.payload ?? {}).length > 0;
      const letIn = urls.filter((_, i) => !busyInAck(i));
      expect(letIn.length).toBeGreaterThan(150);
      for (const [i, ack] of acks.entries())
        if (busyInAck(i))
          expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/busy/) });
      const answers = await Promise.all(
        letIn.map(async (u) => visibleText((await hooks.waitForPost(u, 1, 15_000))[0]!.body)),
      );
      expect(answers.filter((a) => a.includes('Email (GOOD)'))).toHaveLength(letIn.length);
      expect(letIn.filter((u) => hooks.postsTo(u).length !== 1)).toEqual([]);
      await delay(200);
      expect(urls.filter((u, i) => busyInAck(i) && hooks.postsTo(u).length > 0)).toEqual([]);
      // Handed to Bolt as the window (16) has room, as over HTTP: the lookups went to Constant
      // Contact a few dozen at a time at most (the window, plus lookups let on while others waited
      // their turn at the rate gate, which the window does not count) and over seconds. All at
      // once, 300 lookups would have started within the 300 ms the rate gate spaces them over.
      const starts = cc.requests
        .slice(before)
        .filter((r) => r.path.includes('/partner/accounts/a07e1burst'))
        .map((r) => r.at);
      expect(starts).toHaveLength(letIn.length);
      expect(mostAtOnce(starts, 200)).toBeLessThan(64);
      expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(1_500);
      expect(envelopes.every((e) => socket.deliveries.get(e)!.acks.length === 1)).toBe(true);
    } finally {
      cc.state.apiDelayMs = 0;
    }
  });
});

/** A bot of its own with a narrow window, searching a fake Rebilly for /plans (no rate gate there). */
async function startNarrowBot(frontWindow: number) {
  const reb = await startFakeRebilly();
  const api = await startFakeSlackApi();
  const fake = await startFakeSocketMode(api, { appToken: 'xapp-narrow' });
  const narrow = await startBot(
    {
      SLACK_APP_TOKEN: 'xapp-narrow',
      SLACK_SIGNING_SECRET: '',
      SLACK_API_URL: api.url,
      REBILLY_API_KEY: reb.apiKey,
      REBILLY_API_URL: reb.url,
    },
    { frontWindow },
  );
  reb.state.catalog = [catalogPlan('gold-monthly', { name: 'Gold monthly' })];
  let stopped = false;
  return {
    reb,
    fake,
    bot: narrow,
    plans: (responseUrl: string) => fake.sendSlashCommand({ command: '/plans', text: 'gold', responseUrl }),
    async stop() {
      if (!stopped) await narrow.stop();
      stopped = true;
      await Promise.all([fake.close(), api.close(), reb.close()]);
    },
  };
}

describe('the window', () => {
  it('works on no more than its window at a time, as over HTTP, answering every one', async () => {
    // At most 2 searches at Rebilly at once (Bolt's own receiver would start all 8 at once).
    const { reb, fake, plans, stop } = await startNarrowBot(2);
    try {
      reb.state.delayMs = 300;
      const urls = Array.from({ length: 8 }, () => hooks.newUrl());
      const acks = await Promise.all(urls.map((u) => fake.waitForAck(plans(u))));
      expect(Math.max(...acks.map((a) => a.ms))).toBeLessThan(300);
      // All eight were acknowledged before the first search (300 ms) could have been answered.
      expect(urls.filter((u) => hooks.postsTo(u).length > 0)).toEqual([]);

      const answers = await Promise.all(
        urls.map(async (u) => visibleText((await hooks.waitForPost(u, 1, 15_000))[0]!.body)),
      );
      expect(answers.every((a) => a.includes('Gold monthly'))).toBe(true);
      const starts = reb.requests.map((r) => r.at);
      expect(starts).toHaveLength(8);
      expect(mostAtOnce(starts, 300)).toBeLessThanOrEqual(2);
    } finally {
      await stop();
    }
  });

  it('on stop, answers everything it acknowledged, then closes the connection for good', async () => {
    const { reb, fake, bot: narrow, plans, stop } = await startNarrowBot(1);
    try {
      reb.state.delayMs = 100;
      const urls = Array.from({ length: 6 }, () => hooks.newUrl());
      await Promise.all(urls.map((u) => fake.waitForAck(plans(u))));
      // Most are still waiting in the receiver, acknowledged, when the bot is told to stop.
      expect(urls.filter((u) => hooks.postsTo(u).length > 0).length).toBeLessThan(6);

      await narrow.stop();

      expect(urls.map((u) => hooks.postsTo(u).length)).toEqual(urls.map(() => 1));
      await waitFor(() => fake.openConnections === 0, 2_000, 'the connection to close');
      expect(narrow.logs().filter((l) => l.event === 'slack_socket_disconnected')).toHaveLength(1);
      await delay(300);
      expect(fake.connectionCount).toBe(1);
    } finally {
      await stop();
    }
  });
});

describe('reconnecting', () => {
  it('after Slack’s disconnect, connects again; what was in flight is answered, none lost and none twice', async () => {
    cc.state.apiDelayMs = 500;
    try {
      const connection = socket.connectionCount;
      const before = Array.from({ length: 6 }, () => hooks.newUrl());
      const mentions = [mention(`<@UBOT> plan ${freshAccount()}`), mention(`<@UBOT> plan ${freshAccount()}`)];
      const sent = [
        ...before.map((responseUrl) => socket.sendSlashCommand({ text: freshAccount(), responseUrl })),
        ...mentions.map((m) => socket.sendEvent(m.body)),
      ];
      await Promise.all(sent.map((id) => socket.waitForAck(id)));
      // Acknowledged, their answers still being worked on (the lookup takes 500 ms) …
      expect(before.filter((u) => hooks.postsTo(u).length > 0)).toEqual([]);

      // … when Slack asks for a new connection; what it sends meanwhile waits for that one.
      socket.disconnect('refresh_requested');
      const after = Array.from({ length: 3 }, () => hooks.newUrl());
      const later = after.map((responseUrl) => socket.sendSlashCommand({ text: freshAccount(), responseUrl }));
      await socket.waitForConnection(connection + 1, 10_000);
      const lateAcks = await Promise.all(later.map((id) => socket.waitForAck(id)));
      expect(lateAcks.every((a) => a.connection === connection + 1)).toBe(true);

      await Promise.all([...before, ...after].map((u) => hooks.waitForPost(u, 1, 15_000)));
      for (const m of mentions) await answerIn((c) => c.args.thread_ts === m.ts, 'the mention’s answer');
      await delay(800);
      expect([...before, ...after].map((u) => hooks.postsTo(u).length)).toEqual([...before, ...after].map(() => 1));
      expect(mentions.map((m) => threadAnswers(m.ts).length)).toEqual([1, 1]);
      expect([...sent, ...later].every((id) => socket.deliveries.get(id)!.acks.length === 1)).toBe(true);
      expect(bot.logs().filter((l) => l.event === 'slack_socket_reconnecting')).toMatchObject([
        { reason: 'refresh_requested' },
      ]);
    } finally {
      cc.state.apiDelayMs = 0;
    }
  });

  it('after a dropped connection, Slack sends what was not acknowledged again, and each event is answered once', async () => {
    const connection = socket.connectionCount;
    const mentions = Array.from({ length: 5 }, (_, i) => mention('<@UBOT> plan a07e1lxtnhz0', `U0DROP${i}`));
    const sent = mentions.map((m) => socket.sendEvent(m.body));
    // The connection fails before any ack can reach the fake.
    socket.drop();

    await socket.waitForConnection(connection + 1, 10_000);
    const acks = await Promise.all(sent.map((id) => socket.waitForAck(id)));
    expect(acks.every((a) => a.connection === connection + 1)).toBe(true);
    for (const id of sent) {
      const d = socket.deliveries.get(id)!;
      expect(d.sent.map((s) => s.retryAttempt)).toEqual([0, 1]);
    }

    for (const m of mentions) await answerIn((c) => c.args.thread_ts === m.ts, 'the mention’s answer');
    await delay(800);
    expect(mentions.map((m) => threadAnswers(m.ts).length)).toEqual(mentions.map(() => 1));
  });
});
