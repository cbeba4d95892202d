import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import {
  type FakeConstantContact,
  partnerAccount,
  planAtTier,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { waitFor } from '../helpers/http.ts';
import {
  blockSuggestion,
  globalShortcut,
  interactiveBody,
  messageShortcut,
  startResponseUrlReceiver,
  viewSubmission,
  visibleText,
} from '../helpers/slack.ts';

/**
 * The Slack-native surfaces over real, signed HTTP: the lookup modal and its typeahead, the message
 * shortcut, and the Home tab, with a 5,000-account index behind them.
 */
let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;

const named = [
  partnerAccount(1, {
    encoded_account_id: 'a07eacme0001',
    organization_name: 'Acme Bakery',
    site_owner_name: 'acmebakes',
  }),
  partnerAccount(2, { encoded_account_id: 'a07eacme0002', organization_name: 'Acme Rockets', site_owner_name: 'wile' }),
  partnerAccount(3, { encoded_account_id: 'a07eglob0003', organization_name: 'Globex <!channel> & Co' }),
];

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  cc.partnerAccounts = [...named, ...Array.from({ length: 4_997 }, (_, i) => partnerAccount(1_000 + i))];
  cc.accounts.set('a07eacme0001', planAtTier(2));
  cc.accounts.set('a07eacme0002', samplePlans.open);
  cc.accounts.set('a07eglob0003', planAtTier(1));
  bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    SLACK_API_URL: slack.url,
    CC_RATE_LIMIT: '100',
    ACCOUNT_INDEX_REFRESH_MINUTES: '60',
  });
  await waitFor(() => bot.logs().find((l) => l.event === 'account_index_refresh'), 30_000, 'the first index');
}, 60_000);
afterAll(async () => {
  await bot?.stop();
  await Promise.all([hooks?.close(), cc?.close(), slack?.close()]);
});

const interact = (payload: Record<string, unknown>) => bot.postSigned(interactiveBody(payload));
const lastCall = (method: string) => slack.callsTo(method).at(-1);

describe('the lookup modal', () => {
  it('opens from the global shortcut with an account field that suggests as people type', async () => {
    const before = slack.callsTo('views.open').length;
    const shortcut = globalShortcut('lookup_plan');
    expect((await interact(shortcut)).status).toBe(200);
    await waitFor(() => slack.callsTo('views.open').length > before, 5_000, 'views.open');
    const call = lastCall('views.open')!;
    expect(call.args.trigger_id).toBe(shortcut.trigger_id);
    const view = call.args.view as {
      callback_id: string;
      title: { text: string };
      blocks: Array<Record<string, unknown>>;
    };
    expect(view.callback_id).toBe('plan_lookup');
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.blocks[0]!.element).toMatchObject({
      type: 'external_select',
      action_id: 'account',
      min_query_length: 2,
    });
  });

  it('answers the typeahead in the ack body from the 5,000-account index, well within 2.5 s', async () => {
    const started = Date.now();
    const res = await interact(blockSuggestion('account', 'acme'));
    const ms = Date.now() - started;
    expect(res.status).toBe(200);
    expect(ms).toBeLessThan(2_500);
    const { options } = JSON.parse(res.body) as {
      options: Array<{ text: { type: string; text: string }; value: string }>;
    };
    expect(options.map((o) => o.value)).toEqual(expect.arrayContaining(['a07eacme0001', 'a07eacme0002']));
    expect(options.find((o) => o.value === 'a07eacme0001')!.text).toEqual({
      type: 'plain_text',
      text: 'Acme Bakery · acmebakes · Open',
    });
    expect(options.length).toBeLessThanOrEqual(100);
    expect(options.every((o) => o.text.text.length <= 75 && o.value.length <= 150)).toBe(true);
  });

  it('offers an id typed in full as itself, and at most 100 options for a broad prefix', async () => {
    const typed = JSON.parse((await interact(blockSuggestion('account', 'a07enew00099'))).body) as {
      options: Array<{ value: string }>;
    };
    expect(typed.options[0]!.value).toBe('a07enew00099');
    const broad = JSON.parse((await interact(blockSuggestion('account', 'or'))).body) as { options: unknown[] };
    expect(broad.options.length).toBe(100);
  });

  it('shows the picked account’s card in the modal, with a picker to send it', async () => {
    const res = await interact(
      viewSubmission({
        callback_id: 'plan_lookup',
        private_metadata: JSON.stringify({ stage: 'pick' }),
        values: { account_block: { account: { type: 'external_select', selected_option: { value: 'a07eacme0001' } } } },
      }),
    );
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body) as {
      response_action: string;
      view: { blocks: Array<Record<string, unknown>>; callback_id: string };
    };
    expect(answer.response_action).toBe('update');
    expect(answer.view.callback_id).toBe('plan_lookup');
    expect(answer.view.blocks.length).toBeLessThanOrEqual(100);
    expect(visibleText({ blocks: answer.view.blocks })).toContain('Email Plus');
    expect(answer.view.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(answer.view.blocks.at(-1)!.element).toMatchObject({
      type: 'conversations_select',
      response_url_enabled: true,
    });
  });

  it('asks again when nothing was picked', async () => {
    const res = await interact(
      viewSubmission({
        callback_id: 'plan_lookup',
        values: { account_block: { account: { type: 'external_select' } } },
      }),
    );
    expect(JSON.parse(res.body)).toMatchObject({
      response_action: 'errors',
      errors: { account_block: expect.any(String) },
    });
  });

  it('sends the card to the conversation picked, saying who shared it', async () => {
    const responseUrl = hooks.newUrl();
    const res = await interact(
      viewSubmission(
        {
          callback_id: 'plan_lookup',
          private_metadata: JSON.stringify({ stage: 'card', accountId: 'a07eacme0001' }),
          values: {},
        },
        { responseUrls: [{ channel_id: 'C0SENDTO', response_url: responseUrl }] },
      ),
    );
    expect(JSON.parse(res.body)).toMatchObject({ response_action: 'update' });
    const [post] = await hooks.waitForPost(responseUrl);
    expect(post!.body.response_type).toBe('in_channel');
    const text = visibleText(post!.body);
    expect(text).toContain('Email Plus');
    expect(text).toContain('<@U0001>');
  });

  it('asks for a conversation when Send is pressed without one', async () => {
    const res = await interact(
      viewSubmission({
        callback_id: 'plan_lookup',
        private_metadata: JSON.stringify({ stage: 'card', accountId: 'a07eacme0001' }),
        values: {},
      }),
    );
    expect(JSON.parse(res.body)).toMatchObject({
      response_action: 'errors',
      errors: { send_block: expect.any(String) },
    });
  });

  it('refuses to send into a conversation shared with another organization', async () => {
    slack.directory.channels.set('C0EXTSEND', { is_ext_shared: true });
    const responseUrl = hooks.newUrl();
    const res = await interact(
      viewSubmission(
        {
          callback_id: 'plan_lookup',
          private_metadata: JSON.stringify({ stage: 'card', accountId: 'a07eacme0001' }),
          values: {},
        },
        { responseUrls: [{ channel_id: 'C0EXTSEND', response_url: responseUrl }] },
      ),
    );
    expect(JSON.parse(res.body)).toMatchObject({
      response_action: 'errors',
      errors: { send_block: expect.stringMatching(/shared with another organization/) },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(hooks.postsTo(responseUrl)).toHaveLength(0);
  });
});

describe('the message shortcut', () => {
  async function onMessage(text: string) {
    const responseUrl = hooks.newUrl();
    expect((await interact(messageShortcut('plan_from_message', { text, responseUrl }))).status).toBe(200);
    const [post] = await hooks.waitForPost(responseUrl);
    return { text: visibleText(post!.body), body: post!.body };
  }

  it('answers with the card of the first account id in the message, only for the person', async () => {
    const { text, body } = await onMessage('Customer a07eglob0003 asked about <@U0009> their invoice');
    expect(body.response_type).toBe('ephemeral');
    expect(text).toContain('a07eglob0003');
    expect(text).toContain('Email Plus');
  });

  it('finds the account a message names', async () => {
    const { text } = await onMessage('Renewal call with Acme Bakery next week');
    expect(text).toContain('a07eacme0001');
  });

  it('says so when the message names no account', async () => {
    const { text } = await onMessage('lunch at noon?');
    expect(text).toMatch(/No account/i);
  });
});

describe('the Home tab', () => {
  async function openHome(userId: string, dmChannel: string) {
    const before = slack.callsTo('views.publish').length;
    await bot.sendEvent(
      eventEnvelope({
        type: 'app_home_opened',
        user: userId,
        channel: dmChannel,
        tab: 'home',
        event_ts: '1700000001.000100',
      }),
    );
    await waitFor(() => slack.callsTo('views.publish').length > before, 10_000, 'views.publish');
    const call = lastCall('views.publish')!;
    expect(call.args.user_id).toBe(userId);
    return call.args.view as { type: string; blocks: Array<Record<string, unknown>> };
  }

  it('shows the person’s recent lookups, their own watchlist with marks, their alerts and the index', async () => {
    // A lookup, and a watchlist in the person's DM with planbot.
    const responseUrl = hooks.newUrl();
    await bot.command({ text: 'a07eglob0003', responseUrl, userId: 'U0HOME', channelId: 'C0001' });
    await hooks.waitForPost(responseUrl);
    // Bills today, and its usage is at 98% of its tier.
    cc.accounts.set('a07ehome0009', planAtTier(2, { billing_day_of_month: new Date().getUTCDate() }));
    const watch = hooks.newUrl();
    await bot.command({ text: 'watch a07ehome0009', responseUrl: watch, userId: 'U0HOME', channelId: 'D0HOME' });
    await hooks.waitForPost(watch);

    const view = await openHome('U0HOME', 'D0HOME');
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(Buffer.byteLength(JSON.stringify(view))).toBeLessThan(250 * 1024);
    const text = visibleText({ blocks: view.blocks });
    expect(text).toContain('Look up an account');
    expect(text).toContain('Globex &lt;!channel&gt; &amp; Co');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('a07ehome0009');
    expect(text).toMatch(/near a tier limit/);
    expect(text).toMatch(/bills today/);
    expect(text).toMatch(/Your alerts: off/);
    expect(text).toMatch(/Account index: 5,000 accounts/);
  });

  it('is published again when the person changes their watchlist', async () => {
    const before = slack.callsTo('views.publish').filter((c) => c.args.user_id === 'U0HOME2').length;
    const responseUrl = hooks.newUrl();
    await bot.command({ text: 'watch a07eacme0002', responseUrl, userId: 'U0HOME2', channelId: 'D0HOME2' });
    await hooks.waitForPost(responseUrl);
    await waitFor(
      () => slack.callsTo('views.publish').filter((c) => c.args.user_id === 'U0HOME2').length > before,
      10_000,
      'the Home tab refreshed',
    );
  });

  it('opens the lookup modal from its button, and a card from a recent lookup', async () => {
    const before = slack.callsTo('views.open').length;
    await interact({
      type: 'block_actions',
      user: { id: 'U0HOME', team_id: 'T0001' },
      team: { id: 'T0001' },
      trigger_id: 'trig-home',
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home' },
      actions: [{ action_id: 'home_lookup', block_id: 'home_actions', type: 'button', value: 'lookup' }],
    });
    await waitFor(() => slack.callsTo('views.open').length > before, 5_000, 'the modal');
    expect((lastCall('views.open')!.args.view as { callback_id: string }).callback_id).toBe('plan_lookup');
  });
});

describe('someone the access gate refuses', () => {
  it('gets a modal, options and a Home tab that say why, with no billing data', async () => {
    const strict = await startBot({
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      SLACK_API_URL: slack.url,
      ALLOWED_USER_IDS: 'U0ONLY',
    });
    try {
      const post = (payload: Record<string, unknown>) => strict.postSigned(interactiveBody(payload));
      const opened = slack.callsTo('views.open').length;
      await post(globalShortcut('lookup_plan', { userId: 'U0NOPE' }));
      await waitFor(() => slack.callsTo('views.open').length > opened, 5_000, 'the modal');
      const modal = visibleText({ blocks: (lastCall('views.open')!.args.view as { blocks: unknown[] }).blocks });
      expect(modal).toMatch(/aren't on the list/);

      const options = JSON.parse((await post(blockSuggestion('account', 'acme', { userId: 'U0NOPE' }))).body) as {
        options: Array<{ text: { text: string }; value: string }>;
      };
      expect(options.options).toHaveLength(1);
      expect(options.options[0]!.text.text).toMatch(/aren't on the list/);
      expect(options.options[0]!.value).toBe('-');

      const submitted = JSON.parse(
        (
          await post(
            viewSubmission(
              {
                callback_id: 'plan_lookup',
                values: { account_block: { account: { selected_option: { value: 'a07eacme0001' } } } },
              },
              { userId: 'U0NOPE' },
            ),
          )
        ).body,
      ) as { view: { blocks: unknown[] } };
      expect(visibleText({ blocks: submitted.view.blocks })).not.toContain('Email Plus');

      const published = slack.callsTo('views.publish').length;
      await strict.sendEvent(
        eventEnvelope({ type: 'app_home_opened', user: 'U0NOPE', channel: 'D0NOPE', tab: 'home' }),
      );
      await waitFor(() => slack.callsTo('views.publish').length > published, 5_000, 'the Home tab');
      const home = visibleText({ blocks: (lastCall('views.publish')!.args.view as { blocks: unknown[] }).blocks });
      expect(home).toMatch(/aren't on the list/);
      expect(home).not.toMatch(/recent lookups|watchlist|Account index/i);
    } finally {
      await strict.stop();
    }
  });
});
