import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { catalogPlan, type FakeRebilly, startFakeRebilly } from '../helpers/fakeRebilly.ts';
import { type ResponsePost, startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

let reb: FakeRebilly;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;

const formulas = [
  catalogPlan('gold-monthly', {
    name: 'Gold Monthly',
    pricing: { formula: 'fixed-fee', price: 49 },
    trial: { price: 0, period: { unit: 'day', length: 14 } },
  }),
  catalogPlan('sms-credits', {
    name: 'SMS credits',
    pricing: { formula: 'flat-rate', price: 3.25 },
    recurringInterval: null,
  }),
  catalogPlan('seats', {
    name: 'Team seats',
    pricing: {
      formula: 'tiered',
      brackets: [
        { price: 15, maxQuantity: 3 },
        { price: 20, maxQuantity: 5 },
        { price: 25, maxQuantity: null },
      ],
    },
  }),
  catalogPlan('contacts', {
    name: 'Contacts',
    pricing: {
      formula: 'volume',
      brackets: [
        { price: 10, maxQuantity: 1 },
        { price: 8, maxQuantity: null },
      ],
    },
  }),
  catalogPlan('sends', {
    name: 'Sends',
    pricing: {
      formula: 'stairstep',
      brackets: [
        { price: 50, maxQuantity: 1000 },
        { price: 100, maxQuantity: null },
      ],
    },
  }),
  catalogPlan('trial-30', {
    name: 'Gold trial',
    isTrialOnly: true,
    pricing: undefined,
    recurringInterval: null,
    trial: { price: 1, period: { unit: 'week', length: 2 } },
  }),
  catalogPlan('mystery', { name: 'Mystery', pricing: { formula: 'quantum', price: 3 } }),
  catalogPlan('legacy', { name: 'Legacy bronze', isActive: false, setup: { price: 10 } }),
  catalogPlan('hostile', {
    name: '<!channel> Free money <https://evil.example|click>',
    description: 'ask <@U123> & co',
  }),
];

beforeAll(async () => {
  reb = await startFakeRebilly({ organization: 'org-1' });
  hooks = await startResponseUrlReceiver();
  bot = await startBot({ REBILLY_API_KEY: reb.apiKey, REBILLY_API_URL: reb.url });
});

afterAll(async () => {
  await bot?.stop();
  await hooks?.close();
  await reb?.close();
});

beforeEach(() => {
  reb.state.catalog = [...formulas];
  reb.state.scripted.length = 0;
  reb.state.delayMs = 0;
});

async function plans(text: string) {
  const responseUrl = hooks.newUrl();
  const sent = Date.now();
  const ack = await bot.command({ command: '/plans', text, responseUrl });
  expect(ack.status).toBe(200);
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return { post: post!, text: visibleText(post!.body), tookMs: post!.at - sent, request: reb.requests.at(-1) };
}

function buttons(post: ResponsePost): Array<{ action_id: string; value: string; text: { text: string } }> {
  const actions = (post.body.blocks as Array<{ type: string; elements?: unknown[] }>).filter(
    (b) => b.type === 'actions',
  );
  return actions.flatMap((b) => b.elements as Array<{ action_id: string; value: string; text: { text: string } }>);
}

async function click(post: ResponsePost, actionId: string) {
  const button = buttons(post).find((b) => b.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button`);
  const responseUrl = hooks.newUrl();
  const res = await bot.click({ actionId, value: button.value, responseUrl });
  expect(res.status).toBe(200);
  const [next] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return { post: next!, text: visibleText(next!.body) };
}

describe('/plans', () => {
  it('sends the words as q only, with the key, and shows a readable page', async () => {
    const { post, text, request } = await plans('gold');
    expect(request?.path).toBe('/organizations/org-1/plans');
    expect(request?.headers['reb-apikey']).toBe(reb.apiKey);
    expect(request?.query.get('q')).toBe('gold');
    expect(request?.query.has('filter')).toBe(false);
    expect(post.body.response_type).toBe('ephemeral');
    expect(text).toContain('Showing 1–2 of 2 plans matching “gold”');
    expect(text).toContain('$49.00 / month');
    expect(text).toContain('Trial: free for 14 days');
    expect(text).toContain('Gold trial');
  });

  it('reads every price formula, the trial-only shape and an unknown formula', async () => {
    const { text } = await plans('');
    expect(text).toContain('$49.00 / month');
    expect(text).toContain('$3.25 per unit');
    expect(text).toMatch(/Tiered \([^)]*\): 1–3: \$15 · 4–5: \$20 · 6\+: \$25/);
    expect(text).toMatch(/Volume \([^)]*\): 1: \$10 · 2\+: \$8/);
    expect(text).toMatch(/Stair-step \([^)]*\): 1–1,000: \$50 · 1,001\+: \$100/);
    expect(text).toContain('Trial only');
    expect(text).toContain('Trial: $1.00 for 2 weeks');
    expect(text).toContain('Price not shown');
    expect(text).toMatch(/Legacy bronze.*inactive/);
    expect(text).toContain('$10.00 setup fee');
  });

  it('escapes hostile plan names and descriptions', async () => {
    const { post, text } = await plans('free money');
    expect(text).toContain('&lt;!channel&gt; Free money');
    expect(JSON.stringify(post.body)).not.toMatch(/<!channel>|<@U123>|<https:\/\/evil/);
  });

  it('passes --filter and --sort through, URL-encoded, and never puts words into the filter', async () => {
    const { request } = await plans(
      'isActive:false;currency:USD --filter isActive:true;currency:USD,EUR --sort -name,id',
    );
    expect(request?.query.get('q')).toBe('isActive:false;currency:USD');
    expect(request?.query.get('filter')).toBe('isActive:true;currency:USD,EUR');
    expect(request?.query.get('sort')).toBe('-name,id');
    expect(request?.rawUrl).toContain('filter=isActive%3Atrue%3Bcurrency%3AUSD%2CEUR');
  });

  it.each([
    ['a filter that is not field:value', '--filter gold', /filter doesn't look right/],
    ['a sort with a bad field', '--sort name;drop', /sort doesn't look right/],
    ['a missing filter value', 'gold --filter', /needs a value/],
  ])('explains %s without calling Rebilly', async (_name, input, want) => {
    const before = reb.requests.length;
    const { text } = await plans(input);
    expect(text).toMatch(want);
    expect(text).toContain('For example');
    expect(reb.requests.length).toBe(before);
  });

  it('says when nothing matches, and what to try', async () => {
    const { text } = await plans('platinum');
    expect(text).toMatch(/No plans matching “platinum”/);
    expect(text).toMatch(/Try fewer or other words/);
  });

  it('explains itself for "/plans help"', async () => {
    const { text } = await plans('help');
    expect(text).toContain('/plans [words] [--filter EXPR] [--sort FIELDS]');
  });
});

describe('paging', () => {
  it('pages forward to the last page and back, replacing the message in place', async () => {
    reb.state.catalog = Array.from({ length: 23 }, (_, i) => catalogPlan(`p${String(i).padStart(2, '0')}`));
    const first = await plans('--sort id');
    expect(first.text).toContain('Showing 1–10 of 23 plans');
    expect(buttons(first.post).map((b) => b.action_id)).toEqual(['plans_next', 'plans_share']);

    const second = await click(first.post, 'plans_next');
    expect(second.post.body.replace_original).toBe(true);
    expect(second.text).toContain('Showing 11–20 of 23 plans');
    expect(reb.requests.at(-1)?.query.get('offset')).toBe('10');
    expect(reb.requests.at(-1)?.query.get('sort')).toBe('id');

    const third = await click(second.post, 'plans_next');
    expect(third.text).toContain('Showing 21–23 of 23 plans');
    expect(buttons(third.post).map((b) => b.action_id)).toEqual(['plans_prev', 'plans_share']);

    const back = await click(third.post, 'plans_prev');
    expect(back.text).toContain('Showing 11–20 of 23 plans');
  });

  it('stops at Rebilly’s offset cap of 1000 and says to narrow the search', async () => {
    reb.state.catalog = Array.from({ length: 1200 }, (_, i) => catalogPlan(`p${String(i).padStart(4, '0')}`));
    const first = await plans('');
    const next = buttons(first.post).find((b) => b.action_id === 'plans_next')!;
    // The Next button 99 pages on, as it would be after paging that far.
    const deep = JSON.stringify({ ...JSON.parse(next.value), o: 990 });
    const responseUrl = hooks.newUrl();
    await bot.click({ actionId: 'plans_next', value: deep, responseUrl });
    const [at990] = await hooks.waitForPost(responseUrl);
    const last = await click(at990!, 'plans_next');
    expect(reb.requests.at(-1)?.query.get('offset')).toBe('1000');
    expect(last.text).toContain('Showing 1,001–1,010 of 1,200 plans');
    expect(last.text).toMatch(/narrow the search/);
    expect(buttons(last.post).map((b) => b.action_id)).not.toContain('plans_next');
  });

  it('refuses a forged button that asks past the cap or smuggles a filter', async () => {
    const before = reb.requests.length;
    for (const value of [
      JSON.stringify({ w: '', f: null, s: null, o: 5000 }),
      JSON.stringify({ w: '', f: 'x', s: null, o: 0 }),
      'not json',
    ]) {
      const responseUrl = hooks.newUrl();
      await bot.click({ actionId: 'plans_next', value, responseUrl });
      const [post] = await hooks.waitForPost(responseUrl);
      expect(visibleText(post!.body)).toMatch(/no longer works/);
    }
    expect(reb.requests.length).toBe(before);
  });

  it('shares a page in the channel, saying who shared it', async () => {
    const first = await plans('gold');
    const shared = await click(first.post, 'plans_share');
    expect(shared.post.body.response_type).toBe('in_channel');
    expect(shared.text).toContain('Shared by <@U0001>');
    expect(shared.text).toContain('Gold Monthly');
  });
});

describe('Rebilly failures', () => {
  it('waits for a rate limit that resets soon, then answers', async () => {
    reb.state.scripted.push({
      status: 429,
      body: { title: 'Rate Limit Exceeded', status: 429 },
      headers: { 'x-ratelimit-retry-after': String(Math.ceil(Date.now() / 1000) + 1) },
    });
    const { text } = await plans('gold');
    expect(text).toContain('Gold Monthly');
  });

  it('tells the person to come back later when the rate limit resets far away', async () => {
    reb.state.scripted.push({
      status: 429,
      body: { title: 'Rate Limit Exceeded', status: 429 },
      headers: { 'x-ratelimit-retry-after': String(Math.ceil(Date.now() / 1000) + 600) },
    });
    const before = reb.requests.length;
    const { text } = await plans('gold');
    expect(text).toMatch(/Try again in (10|11) minutes/);
    expect(reb.requests.length - before).toBe(1);
  });

  it.each([
    [401, /refused planbot's API key/],
    [403, /may not read plans/],
  ])('words a %i plainly', async (status, want) => {
    reb.state.scripted.push({ status, body: { title: 'No', status, detail: 'secret internals' } });
    const { text } = await plans('gold');
    expect(text).toMatch(want);
    expect(text).not.toContain('secret internals');
  });

  it('shows what Rebilly said was wrong with a filter it refused', async () => {
    reb.state.scripted.push({
      status: 422,
      body: { title: 'Invalid filter', status: 422, detail: 'Unknown field <colour>' },
    });
    const { text } = await plans('--filter colour:red');
    expect(text).toContain('Unknown field &lt;colour&gt;');
  });

  it('answers within 15 seconds when Rebilly hangs', async () => {
    reb.state.delayMs = 30_000;
    const { text, tookMs } = await plans('gold');
    expect(text).toMatch(/didn't answer in time/);
    expect(tookMs).toBeLessThan(15_000);
  }, 30_000);
});
