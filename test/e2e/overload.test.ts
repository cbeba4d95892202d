import { afterEach, describe, expect, it } from 'vitest';
import { shareActionId } from '../../src/blocks/planCard.ts';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { type FakeSocketMode, startFakeSocketMode } from '../helpers/fakeSocketMode.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { signedHeaders, startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

/**
 * planbot past what it can take: a window of one request and a queue of two, with a lookup that
 * holds the window (Constant Contact answers after a second). What does not fit is turned away at
 * once, each kind as Slack can show or retry it: a slash command gets "busy" as its ack, a click
 * gets it at its response_url, an event is refused for Slack to send again. Nothing is answered
 * twice, and what was let in is answered.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const holdMs = 1_000;
let accounts = 0;

async function setup(o: { socket?: boolean } = {}) {
  const cc = await startFakeConstantContact();
  const slack = await startFakeSlackApi();
  const hooks = await startResponseUrlReceiver();
  cleanups.push(cc.close, slack.close, hooks.close);
  let socket: FakeSocketMode | undefined;
  if (o.socket) {
    socket = await startFakeSocketMode(slack, { appToken: 'xapp-test' });
    cleanups.push(socket.close);
  }
  const bot = await startBot(
    {
      SLACK_API_URL: slack.url,
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      CC_RATE_LIMIT: '50',
      ...(o.socket ? { SLACK_APP_TOKEN: 'xapp-test', SLACK_SIGNING_SECRET: '' } : {}),
    },
    { frontWindow: 1, frontMaxQueued: 2 },
  );
  cleanups.push(() => bot.stop());
  cc.state.apiDelayMs = holdMs;
  return { cc, slack, hooks, bot, socket };
}

/** An account no lookup has read yet. */
function account(cc: FakeConstantContact): string {
  const id = `a07e1over${String(++accounts).padStart(3, '0')}`;
  cc.accounts.set(id, samplePlans.open);
  return id;
}

/** A lookup that holds the window while Constant Contact takes its time. */
async function holdWindow(cc: FakeConstantContact, send: (id: string) => Promise<unknown>) {
  const id = account(cc);
  await send(id);
  await waitFor(() => cc.planRequests(id).length === 1, 5_000, 'the lookup holding the window');
  return id;
}

function refusals(bot: TestBot) {
  return bot.logs().filter((l) => l.event === 'slack_requests_refused');
}

async function refusedCount(bot: TestBot, labels: string): Promise<number> {
  const text = await (await fetch(`${bot.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`planbot_slack_requests_refused_total{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const busyText = 'planbot is busy with other requests right now. Try again in a minute.';

describe('overload over HTTP', () => {
  it('answers the slash commands that do not fit with "busy" as the ack body, and each one let in once', async () => {
    const { cc, hooks, bot } = await setup();
    const heldUrl = hooks.newUrl();
    await holdWindow(cc, (id) => bot.command({ text: id, responseUrl: heldUrl }));

    // Two fit in the queue; three do not.
    const urls = Array.from({ length: 5 }, () => hooks.newUrl());
    const acks = await Promise.all(urls.map((responseUrl) => bot.command({ text: account(cc), responseUrl })));

    expect(acks.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const letIn = urls.filter((_, i) => acks[i]!.body === '');
    const turnedAway = urls.filter((_, i) => acks[i]!.body !== '');
    expect(letIn).toHaveLength(2);
    for (const ack of acks.filter((a) => a.body !== '')) {
      const body = JSON.parse(ack.body) as { response_type: string; text: string; blocks: unknown[] };
      expect(body.response_type).toBe('ephemeral');
      expect(body.text).toBe(busyText);
      expect(visibleText(body)).toContain(busyText);
    }

    for (const url of [heldUrl, ...letIn]) {
      const [post] = await hooks.waitForPost(url, 1, 10_000);
      expect(visibleText(post!.body)).toContain('Email (GOOD)');
    }
    await delay(300);
    for (const url of [heldUrl, ...letIn]) expect(hooks.postsTo(url)).toHaveLength(1);
    for (const url of turnedAway) expect(hooks.postsTo(url)).toEqual([]);

    expect(await refusedCount(bot, 'reason="queue_full",kind="command",answer="busy_in_ack"')).toBe(3);
    // The first refusal of a spell is logged as it comes; the rest are counted into one line later.
    expect(refusals(bot)[0]).toMatchObject({
      level: 'warn',
      reason: 'queue_full',
      kind: 'command',
      answer: 'busy_in_ack',
      count: 1,
    });
  });

  it('refuses an Events API delivery that does not fit with 503 and Retry-After, and answers Slack’s retry once', async () => {
    const { cc, slack, hooks, bot } = await setup();
    await holdWindow(cc, (id) => bot.command({ text: id, responseUrl: hooks.newUrl() }));
    const queued = [hooks.newUrl(), hooks.newUrl()];
    for (const responseUrl of queued) expect((await bot.command({ text: account(cc), responseUrl })).body).toBe('');

    const ts = '1700002000.000100';
    const envelope = eventEnvelope({ type: 'app_mention', user: 'U0001', text: '<@UBOT> help', ts, channel: 'C0OVER' });
    const res = await fetch(`${bot.url}/slack/events`, signedEvent(envelope));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(await refusedCount(bot, 'reason="queue_full",kind="event",answer="retry_later"')).toBe(1);

    // Slack sends it again once the queue has room (here: once the queued lookups are answered).
    await Promise.all(queued.map((url) => hooks.waitForPost(url, 1, 10_000)));
    expect((await bot.sendEvent(envelope, { num: 1, reason: 'http_error' })).status).toBe(200);
    const inThread = () => slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    await waitFor(() => inThread().length > 0, 5_000, 'the answer in the thread');
    await delay(300);
    expect(inThread()).toHaveLength(1);
  });

  it('acks a click that does not fit and tells the person at its response_url, without running it', async () => {
    const { cc, slack, hooks, bot } = await setup();
    await holdWindow(cc, (id) => bot.command({ text: id, responseUrl: hooks.newUrl() }));
    for (let i = 0; i < 2; i++)
      expect((await bot.command({ text: account(cc), responseUrl: hooks.newUrl() })).body).toBe('');

    const clickUrl = hooks.newUrl();
    const click = await bot.click({
      actionId: shareActionId,
      value: account(cc),
      responseUrl: clickUrl,
      channelId: 'C0CLICK',
    });

    expect(click).toEqual({ status: 200, body: '' });
    const [post] = await hooks.waitForPost(clickUrl, 1, 5_000);
    expect(post!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: busyText });
    await delay(holdMs * 3 + 500);
    expect(hooks.postsTo(clickUrl)).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0CLICK')).toEqual([]);
    expect(await refusedCount(bot, 'reason="queue_full",kind="interactive",answer="busy_at_response_url"')).toBe(1);
  });
});

describe('overload over Socket Mode', () => {
  it('acks a slash command that does not fit with "busy" as the payload, and leaves an event for Slack to send again', async () => {
    const { cc, slack, hooks, bot, socket } = await setup({ socket: true });
    const fake = socket!;
    await holdWindow(cc, async (id) =>
      fake.waitForAck(fake.sendSlashCommand({ text: id, responseUrl: hooks.newUrl() })),
    );
    const urls = [hooks.newUrl(), hooks.newUrl(), hooks.newUrl()];
    const ids = urls.map((responseUrl) => fake.sendSlashCommand({ text: account(cc), responseUrl }));
    const acks = await Promise.all(ids.map((id) => fake.waitForAck(id)));
    const ts = '1700002000.000200';
    const mention = fake.sendEvent(
      eventEnvelope({ type: 'app_mention', user: 'U0001', text: '<@UBOT> help', ts, channel: 'C0SOCK' }),
    );

    const busy = acks.filter((a) => a.payload !== undefined && Object.keys(a.payload).length > 0);
    expect(busy).toHaveLength(1);
    expect(busy[0]!.payload).toMatchObject({ response_type: 'ephemeral', text: busyText });
    const letIn = urls.filter((_, i) => acks[i] !== busy[0]);
    await Promise.all(letIn.map((url) => hooks.waitForPost(url, 1, 10_000)));
    expect(urls.filter((u) => !letIn.includes(u)).map((u) => hooks.postsTo(u))).toEqual([[]]);
    // Not acknowledged: Slack sends it again (the fake, on the next connection).
    expect(fake.deliveries.get(mention)?.acks).toEqual([]);
    expect(await refusedCount(bot, 'reason="queue_full",kind="event",answer="retry_later"')).toBe(1);

    fake.drop();
    await fake.waitForAck(mention, 10_000);
    const inThread = () => slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts);
    await waitFor(() => inThread().length > 0, 5_000, 'the answer in the thread');
    await delay(300);
    expect(inThread()).toHaveLength(1);
    expect(fake.deliveries.get(mention)?.acks).toHaveLength(1);
  });
});

/** A signed Events API delivery as fetch options (the helper's sendEvent gives no headers back). */
function signedEvent(envelope: unknown): RequestInit {
  const body = JSON.stringify(envelope);
  return { method: 'POST', headers: { ...signedHeaders(body), 'content-type': 'application/json' }, body };
}
