import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { catalogPlan, type FakeRebilly, startFakeRebilly } from '../helpers/fakeRebilly.ts';
import { eventEnvelope, type FakeSlackApi, type SlackCall, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let reb: FakeRebilly;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;
let n = 0;

beforeAll(async () => {
  cc = await startFakeConstantContact();
  reb = await startFakeRebilly();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  cc.accounts.set('a07e1lxtnhz0', samplePlans.open);
  reb.state.catalog = Array.from({ length: 15 }, (_, i) =>
    catalogPlan(`gold-${String(i).padStart(2, '0')}`, { name: `Gold ${i}` }),
  );
  bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    REBILLY_API_KEY: reb.apiKey,
    REBILLY_API_URL: reb.url,
    SLACK_API_URL: slack.url,
  });
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([hooks?.close(), slack?.close(), reb?.close(), cc?.close()]);
});

/** A fresh message ts, so each test finds its own answer. */
const nextTs = () => `1700000${String(++n).padStart(3, '0')}.000${n}`;

async function answerTo(ts: string): Promise<SlackCall> {
  let found: SlackCall | undefined;
  for (let i = 0; i < 300 && !found; i++) {
    found = slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts);
    if (!found) await delay(20);
  }
  if (!found) throw new Error(`no answer in thread ${ts}`);
  return found;
}

function mention(text: string, extra: Record<string, unknown> = {}) {
  const ts = nextTs();
  return { ts, envelope: eventEnvelope({ type: 'app_mention', user: 'U0001', text, ts, channel: 'C0001', ...extra }) };
}

describe('@planbot in a channel or thread', () => {
  it('answers `plan <account>` in the thread of the mention, for everyone in it', async () => {
    const parent = '1699999999.000100';
    const { envelope } = mention('<@UBOT> plan a07e1lxtnhz0', { thread_ts: parent });
    const res = await bot.sendEvent(envelope);
    expect(res.status).toBe(200);
    const answer = await answerTo(parent);
    expect(answer.args.channel).toBe('C0001');
    const text = visibleText(answer.args);
    expect(text).toContain('Email (GOOD)');
    expect(text).not.toContain('Only you can see this');
    expect(JSON.stringify(answer.args.blocks)).not.toContain('Share in channel');
    expect(answer.token).toBe('xoxb-test-bot-token');
  });

  it('starts a thread under a top-level mention', async () => {
    const { ts, envelope } = mention('<@UBOT> plan a07e1lxtnhz0');
    await bot.sendEvent(envelope);
    const answer = await answerTo(ts);
    expect(answer.args.thread_ts).toBe(ts);
  });

  it('shows that it is working with a reaction, removed when the answer is posted', async () => {
    const { ts, envelope } = mention('<@UBOT> plan a07e1lxtnhz0');
    await bot.sendEvent(envelope);
    await answerTo(ts);
    // Earlier tests' removals are in the same recorder: wait for this message's own.
    const removed = await waitFor(
      () => slack.callsTo('reactions.remove').find((c) => c.args.timestamp === ts),
      15_000,
      'the reaction on this message to be removed',
    );
    const added = slack.callsTo('reactions.add').find((c) => c.args.timestamp === ts);
    expect(added?.args).toMatchObject({ channel: 'C0001', name: 'hourglass_flowing_sand' });
    expect(removed?.args).toMatchObject({ channel: 'C0001', name: 'hourglass_flowing_sand' });
    const posted = slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts)!;
    expect(added!.at).toBeLessThanOrEqual(posted.at);
  });

  it('answers `plans <words>` with paging buttons that work in the thread', async () => {
    const { ts, envelope } = mention('<@UBOT> plans gold');
    await bot.sendEvent(envelope);
    const answer = await answerTo(ts);
    const blocks = answer.args.blocks as Array<{
      type: string;
      elements?: Array<{ action_id: string; value: string }>;
    }>;
    expect(visibleText(answer.args as { text?: string; blocks?: unknown[] })).toContain(
      'Showing 1–10 of 15 plans matching “gold”',
    );
    const next = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'plans_next');
    expect(next).toBeDefined();
    expect(blocks.flatMap((b) => b.elements ?? []).some((e) => e.action_id === 'plans_share')).toBe(false);

    const responseUrl = hooks.newUrl();
    const payload = {
      type: 'block_actions',
      user: { id: 'U0002', team_id: 'T0001' },
      team: { id: 'T0001' },
      channel: { id: 'C0001' },
      container: { type: 'message', message_ts: 'x', channel_id: 'C0001', is_ephemeral: false },
      message: { ts: 'x', blocks: answer.args.blocks },
      response_url: responseUrl,
      actions: [{ action_id: 'plans_next', block_id: 'plans_paging', value: next!.value, type: 'button' }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    expect((await bot.postSigned(body)).status).toBe(200);
    const [page2] = await hooks.waitForPost(responseUrl);
    expect(page2!.body.replace_original).toBe(true);
    expect(visibleText(page2!.body)).toContain('Showing 11–15 of 15 plans');
    expect(JSON.stringify(page2!.body.blocks)).not.toContain('plans_share');
  });

  it.each([
    ['help', /Here is what I can do/],
    ['dance', /I don't know `dance`/],
    ['plan ../../admin', /isn't an account id/],
    ['plans --filter nope', /filter doesn't look right/],
  ])('answers `@planbot %s` with a short usage note in the thread', async (words, want) => {
    const { ts, envelope } = mention(`<@UBOT> ${words}`);
    await bot.sendEvent(envelope);
    const answer = await answerTo(ts);
    expect(visibleText(answer.args as { text?: string })).toMatch(want);
  });

  it.each([
    ['plans --filter <!channel>', '`&lt;!channel&gt;` is not `field:value`'],
    ['plans --filter x`<!channel>`:1', "`x'&lt;!channel&gt;'` is not a field name"],
    ['plans --sort <@U0123>', '`&lt;@U0123&gt;` is not a field name'],
  ])('quotes `@planbot %s` back escaped, so the thread answer pings and mentions no one', async (words, want) => {
    const { ts, envelope } = mention(`<@UBOT> ${words}`);
    await bot.sendEvent(envelope);
    const answer = await answerTo(ts);
    expect(visibleText(answer.args as { text?: string })).toContain(want);
    expect(JSON.stringify(answer.args)).not.toMatch(/<!channel>|<@U0123>/);
  });

  it('answers a failed lookup in the thread in plain words', async () => {
    const { ts, envelope } = mention('<@UBOT> plan a07e1nosuch0');
    await bot.sendEvent(envelope);
    const answer = await answerTo(ts);
    expect(visibleText(answer.args as { text?: string })).toMatch(/couldn't find account `a07e1nosuch0`/);
  });

  it('never answers a retried delivery of an event it already handled', async () => {
    const { ts, envelope } = mention('<@UBOT> plan a07e1lxtnhz0');
    await bot.sendEvent(envelope);
    await answerTo(ts);
    const again = await bot.sendEvent(envelope, { num: 1, reason: 'http_timeout' });
    expect(again.status).toBe(200);
    await bot.sendEvent(envelope, { num: 2, reason: 'http_timeout' });
    await delay(500);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts)).toHaveLength(1);
    expect(bot.logs().filter((l) => l.eventId === envelope.event_id && l.outcome === 'duplicate')).toHaveLength(2);
  });

  it('ignores its own messages and other bots', async () => {
    const before = slack.callsTo('chat.postMessage').length;
    const own = mention('<@UBOT> plan a07e1lxtnhz0', { bot_id: 'BBOT', user: 'UBOT' });
    const other = mention('<@UBOT> plan a07e1lxtnhz0', { bot_id: 'B0THER', subtype: 'bot_message' });
    const dmFromBot = eventEnvelope({
      type: 'message',
      channel_type: 'im',
      channel: 'D0001',
      user: 'U0BOT2',
      bot_id: 'B0THER',
      text: 'plan a07e1lxtnhz0',
      ts: nextTs(),
    });
    for (const e of [own.envelope, other.envelope, dmFromBot]) expect((await bot.sendEvent(e)).status).toBe(200);
    await delay(500);
    expect(slack.callsTo('chat.postMessage').length).toBe(before);
  });

  it('waits out Slack’s 429 Retry-After and still posts the answer', async () => {
    slack.scripted.set('chat.postMessage', [
      { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } },
    ]);
    const { ts, envelope } = mention('<@UBOT> plan a07e1lxtnhz0');
    const sent = Date.now();
    await bot.sendEvent(envelope);
    const answer = await answerTo(ts);
    expect(answer.at - sent).toBeGreaterThanOrEqual(1000);
    expect(
      slack.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429 && c.args.thread_ts === ts),
    ).toHaveLength(1);
    expect(visibleText(answer.args as { text?: string })).toContain('Email (GOOD)');
  });
});

describe('direct messages', () => {
  it.each([
    ['plan a07e1lxtnhz0', /Email \(GOOD\)/],
    ['plans gold', /plans matching “gold”/],
    ['help', /Here is what I can do/],
  ])('answers `%s` in the DM', async (text, want) => {
    const ts = nextTs();
    const sent = Date.now();
    await bot.sendEvent(
      eventEnvelope({ type: 'message', channel_type: 'im', channel: 'D0001', user: 'U0001', text, ts }),
    );
    let answer: SlackCall | undefined;
    for (let i = 0; i < 300 && !answer; i++) {
      answer = slack
        .callsTo('chat.postMessage')
        .find(
          (c) =>
            c.args.channel === 'D0001' &&
            c.at >= sent &&
            want.test(visibleText(c.args as { text?: string; blocks?: unknown[] })),
        );
      if (!answer) await delay(20);
    }
    expect(answer).toBeDefined();
    expect(answer!.args.thread_ts).toBeUndefined();
  });

  it('ignores edits and other message subtypes in a DM', async () => {
    const before = slack.callsTo('chat.postMessage').length;
    await bot.sendEvent(
      eventEnvelope({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'D0001',
        ts: nextTs(),
        message: { text: 'plan x' },
      }),
    );
    await delay(400);
    expect(slack.callsTo('chat.postMessage').length).toBe(before);
  });
});
