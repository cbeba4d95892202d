import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import {
  type FakeConstantContact,
  partnerAccount,
  samplePlans,
  startFakeConstantContact,
} from '../helpers/fakeConstantContact.ts';
import { eventEnvelope } from '../helpers/fakeSlackApi.ts';
import { waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let cc: FakeConstantContact;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;

/** 241 accounts over 5 pages, with a few real-looking names among the generated ones. */
const named = [
  partnerAccount(1, {
    encoded_account_id: 'a07eacme0001',
    organization_name: 'Acme, Inc.',
    site_owner_name: 'wile.coyote',
  }),
  partnerAccount(2, {
    encoded_account_id: 'a07ebrul0002',
    organization_name: 'Brûlerie Café Ltd',
    site_owner_name: 'marie',
  }),
  partnerAccount(3, {
    encoded_account_id: 'a07eblue0003',
    organization_name: 'Blue River Outfitters',
    site_owner_name: 'sam',
    billing_status: 'Trial',
  }),
  partnerAccount(4, {
    encoded_account_id: 'a07eblue0004',
    organization_name: 'Blue River Bakery',
    site_owner_name: 'kim',
    subscriber_count: 4321,
  }),
  partnerAccount(5, {
    encoded_account_id: 'a07eevil0005',
    organization_name: '<!channel> Evil <@U0BOSS> Corp',
    site_owner_name: '<https://evil.example|x>',
  }),
  partnerAccount(6, {
    encoded_account_id: 'a07eevil0006',
    organization_name: 'Evil Twins <!here>',
    billing_status: '<!subteam^S1>',
  }),
];

beforeAll(async () => {
  cc = await startFakeConstantContact();
  hooks = await startResponseUrlReceiver();
  cc.partnerAccounts = [...named, ...Array.from({ length: 235 }, (_, i) => partnerAccount(100 + i))];
  for (const a of cc.partnerAccounts as Array<{ encoded_account_id: string }>)
    cc.accounts.set(a.encoded_account_id, samplePlans.open);
  bot = await startBot({
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    CC_RATE_LIMIT: '20',
    ACCOUNT_INDEX_REFRESH_MINUTES: '60',
  });
  await waitFor(() => bot.logs().find((l) => l.event === 'account_index_refresh'), 15_000, 'the first index');
});
afterAll(async () => {
  await bot?.stop();
  await Promise.all([hooks?.close(), cc?.close()]);
});

async function plan(text: string) {
  const responseUrl = hooks.newUrl();
  await bot.command({ text, responseUrl });
  const [post] = await hooks.waitForPost(responseUrl, 1, 15_000);
  return { text: visibleText(post!.body), body: post!.body };
}

describe('/plan <name>', () => {
  it('built the index at start by walking every page of the account list', () => {
    // 5 pages an hour is 120 requests a day of the partner's daily quota: the log says so.
    expect(bot.logs().find((l) => l.event === 'account_index_refresh')).toMatchObject({
      trigger: 'start',
      accounts: 241,
      pages: 5,
      requestsPerDay: 120,
    });
    expect(cc.listRequests().length).toBe(5);
  });

  it('shows the card of the one account a name means, saying it came from the index and how old it is', async () => {
    const { text } = await plan('acme');
    expect(text).toContain('Email (GOOD)');
    expect(text).toContain('a07eacme0001');
    expect(text).toMatch(/Found by name in the account index \(241 accounts, updated (just now|\d+ minutes? ago)\)/);
  });

  it('forgives case, accents, punctuation and a small typo', async () => {
    for (const words of ['BRULERIE cafe', 'brulerie, café!', 'brulrie'])
      expect((await plan(words)).text).toContain('a07ebrul0002');
  });

  it('offers up to 10 candidates as buttons when several match, and a click shows that card in place', async () => {
    const { body, text } = await plan('blue river');
    expect(text).toContain('2 accounts match');
    expect(text).toContain('Blue River Bakery');
    expect(text).toContain('4,321 subscribers');
    const buttons = (
      body.blocks as Array<{ accessory?: { action_id: string; value: string; text: { text: string } } }>
    ).flatMap((b) => (b.accessory ? [b.accessory] : []));
    expect(buttons.map((b) => b.value).sort()).toEqual(['a07eblue0003', 'a07eblue0004']);
    expect(buttons.map((b) => b.text.text).sort()).toEqual(['Blue River Bakery', 'Blue River Outfitters']);
    const pickUrl = hooks.newUrl();
    await bot.click({
      actionId: buttons.find((b) => b.value === 'a07eblue0004')!.action_id,
      value: 'a07eblue0004',
      responseUrl: pickUrl,
    });
    const [picked] = await hooks.waitForPost(pickUrl);
    expect(picked!.body.replace_original).toBe(true);
    expect(visibleText(picked!.body)).toContain('Email (GOOD)');
    expect(visibleText(picked!.body)).toContain('a07eblue0004');
  });

  it('caps the candidates at 10', async () => {
    const { body, text } = await plan('organization');
    expect(text).toContain(
      'More than 10 accounts match `organization`; these are the closest (add a word to narrow it).',
    );
    expect((body.blocks as Array<{ accessory?: unknown }>).filter((b) => b.accessory)).toHaveLength(10);
  });

  it('says when nothing matches, and how old the index is', async () => {
    const calls = cc.planRequests().length;
    const { text } = await plan('zzyzx holdings');
    expect(text).toMatch(/No account matches `zzyzx holdings` in the account index \(241 accounts, updated/);
    expect(cc.planRequests()).toHaveLength(calls);
  });

  it('escapes names from the API', async () => {
    const { text, body } = await plan('evil');
    expect(text).toContain('2 accounts match');
    expect(text).toContain('&lt;!channel&gt; Evil &lt;@U0BOSS&gt; Corp');
    expect(JSON.stringify(body)).not.toMatch(/<[!@#]|<https/);
  });

  it('still takes an encoded account id as before, even one the index does not have yet', async () => {
    cc.accounts.set('a07enew00099', samplePlans.trial);
    const { text } = await plan('a07enew00099');
    expect(text).toContain('Trial');
    expect(text).not.toContain('Found by name');
  });

  it('answers the same way in a thread', async () => {
    const ts = '1700000900.000100';
    await bot.sendEvent(
      eventEnvelope({ type: 'app_mention', user: 'U0001', text: '<@UBOT> plan acme', channel: 'C0001', ts }),
    );
    const reply = await waitFor(
      () => bot.slack?.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts),
      15_000,
    );
    expect(JSON.stringify(reply.args.blocks)).toContain('a07eacme0001');
  });

  it('answers in a DM, with the candidates to pick from when several match', async () => {
    const ts = '1700000901.000100';
    await bot.sendEvent(
      eventEnvelope({
        type: 'message',
        channel_type: 'im',
        channel: 'D0FIND',
        user: 'U0001',
        text: 'plan blue river',
        ts,
      }),
    );
    const reply = await waitFor(
      () => bot.slack?.callsTo('chat.postMessage').find((c) => c.args.channel === 'D0FIND'),
      15_000,
    );
    const text = visibleText(reply.args);
    expect(text).toContain('2 accounts match `blue river`');
    expect(text).toContain('Blue River Outfitters');
  });
});

describe('/plan reindex', () => {
  it('rebuilds in the background while lookups go on with the last complete index', async () => {
    cc.partnerAccounts = [
      ...cc.partnerAccounts,
      partnerAccount(999, { encoded_account_id: 'a07ezeta0999', organization_name: 'Zeta Widgets' }),
    ];
    cc.state.tokenDelayMs = 0;
    const before = cc.listRequests().length;
    const { text } = await plan('reindex');
    expect(text).toContain('Rebuilding the account index now. The current index has 241 accounts');
    // Meanwhile the old index answers.
    expect((await plan('acme')).text).toContain('a07eacme0001');
    await waitFor(
      () => bot.logs().find((l) => l.event === 'account_index_refresh' && l.trigger === 'command'),
      15_000,
      'the rebuilt index',
    );
    expect(cc.listRequests().length - before).toBe(5);
    expect((await plan('zeta widgets')).text).toContain('a07ezeta0999');
  });
});

describe('an index that is still being built at start', () => {
  it('says so instead of "no match", and answers by name once it is built', async () => {
    const slow = await startFakeConstantContact();
    slow.partnerAccounts = named;
    for (const a of named) slow.accounts.set(a.encoded_account_id as string, samplePlans.open);
    slow.state.tokenDelayMs = 1500;
    const early = await startBot({
      CC_CLIENT_ID: slow.clientId,
      CC_CLIENT_SECRET: slow.clientSecret,
      CC_TOKEN_URL: slow.tokenUrl,
      CC_API_URL: slow.apiUrl,
      ACCOUNT_INDEX_REFRESH_MINUTES: '60',
    });
    try {
      const responseUrl = hooks.newUrl();
      await early.command({ text: 'acme', responseUrl });
      const [post] = await hooks.waitForPost(responseUrl);
      expect(visibleText(post!.body)).toContain('the account index is still being built');
      await waitFor(() => early.logs().find((l) => l.event === 'account_index_refresh'), 15_000, 'the index');
      const again = hooks.newUrl();
      await early.command({ text: 'acme', responseUrl: again });
      const [card] = await hooks.waitForPost(again);
      expect(visibleText(card!.body)).toContain('a07eacme0001');
    } finally {
      await early.stop();
      await slow.close();
    }
  });
});

describe('/plan watch <name>', () => {
  it('watches the one account a name means', async () => {
    const { text } = await plan('watch acme');
    expect(text).toContain('Now watching `a07eacme0001` in this channel.');
  });

  it('asks with Watch buttons when a name is ambiguous, and a click watches the one picked', async () => {
    const { text, body } = await plan('watch blue river');
    expect(text).toContain('2 accounts match `blue river`. Pick the one to watch in this channel:');
    const buttons = (
      body.blocks as Array<{ accessory?: { action_id: string; value: string; text: { text: string } } }>
    ).flatMap((b) => (b.accessory ? [b.accessory] : []));
    expect(buttons.map((b) => b.text.text).sort()).toEqual(['Watch Blue River Bakery', 'Watch Blue River Outfitters']);
    const pick = buttons.find((b) => b.value === 'a07eblue0004')!;
    const clickUrl = hooks.newUrl();
    await bot.click({ actionId: pick.action_id, value: pick.value, responseUrl: clickUrl });
    const [done] = await hooks.waitForPost(clickUrl);
    expect(done!.body.replace_original).toBe(true);
    expect(visibleText(done!.body)).toContain('Now watching `a07eblue0004` in this channel.');
    expect((await plan('watchlist')).text).toContain('a07eblue0004');
    expect((await plan('watchlist')).text).not.toContain('a07eblue0003');
  });

  it('says when no account has the name, and watches nothing', async () => {
    const before = (await plan('watchlist')).text;
    const planCalls = cc.planRequests().length;
    const { text } = await plan('watch zzyzx holdings');
    expect(text).toMatch(/No account matches `zzyzx holdings`/);
    expect((await plan('watchlist')).text).toBe(before);
    expect(cc.planRequests()).toHaveLength(planCalls);
  });

  it('still watches ids the index does not have yet, and unwatches by name', async () => {
    cc.accounts.set('a07enew00777', samplePlans.open);
    expect((await plan('watch a07enew00777')).text).toContain('Now watching `a07enew00777`');
    expect((await plan('unwatch acme')).text).toContain('Stopped watching `a07eacme0001`.');
    expect((await plan('watchlist')).text).not.toContain('a07eacme0001');
  });
});

describe('ACCOUNT_INDEX_REFRESH_MINUTES', () => {
  const boot = (c: FakeConstantContact, minutes: string) =>
    startBot({
      CC_CLIENT_ID: c.clientId,
      CC_CLIENT_SECRET: c.clientSecret,
      CC_TOKEN_URL: c.tokenUrl,
      CC_API_URL: c.apiUrl,
      CC_RATE_LIMIT: '20',
      ACCOUNT_INDEX_REFRESH_MINUTES: minutes,
      // A quota this large leaves the setting as it is (a small one stretches the interval to fit it).
      CC_DAILY_QUOTA: '100000000',
    });
  const ask = async (b: TestBot, text: string) => {
    const responseUrl = hooks.newUrl();
    await b.command({ text, responseUrl });
    const [post] = await hooks.waitForPost(responseUrl);
    return visibleText(post!.body);
  };

  it('walks the list again once the index is older than the setting, and finds accounts added since', async () => {
    const c = await startFakeConstantContact();
    c.partnerAccounts = named;
    for (const a of named) c.accounts.set(a.encoded_account_id as string, samplePlans.open);
    // 0.02 minutes: 1.2 seconds.
    const b = await boot(c, '0.02');
    try {
      await waitFor(
        () => b.logs().find((l) => l.event === 'account_index_refresh' && l.trigger === 'start'),
        15_000,
        'the first index',
      );
      c.partnerAccounts = [
        ...named,
        partnerAccount(50, { encoded_account_id: 'a07enewco050', organization_name: 'Newcomer Kites' }),
      ];
      c.accounts.set('a07enewco050', samplePlans.open);
      await waitFor(
        () => b.logs().find((l) => l.event === 'account_index_refresh' && l.trigger === 'schedule'),
        15_000,
        'a scheduled refresh',
      );
      expect(await ask(b, 'newcomer kites')).toContain('a07enewco050');
    } finally {
      await b.stop();
      await c.close();
    }
  });

  it('0 walks nothing on its own: names wait for /plan reindex, ids work meanwhile', async () => {
    const c = await startFakeConstantContact();
    c.partnerAccounts = named;
    for (const a of named) c.accounts.set(a.encoded_account_id as string, samplePlans.open);
    const b = await boot(c, '0');
    try {
      expect(await ask(b, 'acme corp')).toContain("the account index hasn't been built. `/plan reindex` builds it");
      // One word may be an id: it is looked up as one, and the answer says why names don't work yet.
      expect(await ask(b, 'acme')).toContain(
        "If you meant a customer name: the account index hasn't been built; `/plan reindex` builds it.",
      );
      expect(await ask(b, 'a07eacme0001')).toContain('Email (GOOD)');
      const unknown = await ask(b, 'a07enosuch01');
      expect(unknown).toMatch(/couldn't find account/i);
      expect(unknown).toContain("If you meant a customer name: the account index hasn't been built");
      expect(c.listRequests()).toHaveLength(0);
      expect(await ask(b, 'reindex')).toContain('Rebuilding the account index now.');
      await waitFor(
        () => b.logs().find((l) => l.event === 'account_index_refresh' && l.trigger === 'command'),
        15_000,
        'the index',
      );
      expect(await ask(b, 'acme')).toMatch(
        /a07eacme0001[\s\S]*Found by name in the account index \(6 accounts, updated just now\)/,
      );
    } finally {
      await b.stop();
      await c.close();
    }
  });
});

describe('demo mode', () => {
  it('finds the sample accounts by name', async () => {
    const demo = await startBot({ DEMO_MODE: 'true', ACCOUNT_INDEX_REFRESH_MINUTES: '60' });
    try {
      await waitFor(() => demo.logs().find((l) => l.event === 'account_index_refresh'), 15_000, 'the sample index');
      const ask = async (text: string) => {
        const responseUrl = hooks.newUrl();
        await demo.command({ text, responseUrl });
        const [post] = await hooks.waitForPost(responseUrl);
        return visibleText(post!.body);
      };
      expect(await ask('blue river')).toContain('2 accounts match');
      const card = await ask('northwind');
      expect(card).toContain('demo-email');
      expect(card).toMatch(/sample data/i);
    } finally {
      await demo.stop();
    }
  });
});
