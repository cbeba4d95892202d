import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type TestBot } from '../helpers/bot.ts';
import { type FakeConstantContact, partnerAccount, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { eventEnvelope, type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { startResponseUrlReceiver, visibleText } from '../helpers/slack.ts';

/**
 * 1 March 2099, noon UTC: the accounts bill on the 29th. Ahead of the real time, as the rate gate's
 * queue measures its deadlines against the real clock.
 */
const base = Date.UTC(2099, 2, 1, 12);
const dayMs = 86_400_000;

/**
 * The book: each account's contacts on day `d` are `first + perDay × d`, and its plan's usage is the
 * same count. Five rise (the radar's candidates for a plan read), one falls, one stands still.
 */
const book = [
  { n: 1, name: 'Rising Fast Co', first: 1000, perDay: 30, tier: { level: 3, min: 1001, max: 1500 } },
  { n: 2, name: 'Growing Co', first: 5000, perDay: 40, tier: { level: 10, min: 4501, max: 100_000 } },
  { n: 3, name: 'Third Co', first: 1000, perDay: 5, tier: { level: 2, min: 501, max: 100_000 } },
  { n: 4, name: 'Fourth Co', first: 2000, perDay: 8, tier: { level: 4, min: 1501, max: 100_000 } },
  { n: 5, name: 'Fifth Co', first: 3000, perDay: 9, tier: { level: 6, min: 2501, max: 100_000 } },
  { n: 6, name: '<!channel> Shrinking Co', first: 2000, perDay: -30, tier: { level: 4, min: 1501, max: 2000 } },
  { n: 7, name: 'Flat Co', first: 700, perDay: 0, tier: { level: 2, min: 501, max: 1000 } },
];
const idOf = (n: number) => `a${String(n).padStart(11, '0')}`;
const countOn = (a: (typeof book)[number], d: number) => a.first + a.perDay * d;

let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
let bot: TestBot;
/** planbot's clock: real time, moved on a whole day per walk. */
let day = 0;
const realStart = Date.now();
const now = () => base + day * dayMs + (Date.now() - realStart);
let walks = 0;

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  slack.directory.channels.set('C0SHARED', { is_ext_shared: true });
  bot = await startBot(
    {
      CC_CLIENT_ID: cc.clientId,
      CC_CLIENT_SECRET: cc.clientSecret,
      CC_TOKEN_URL: cc.tokenUrl,
      CC_API_URL: cc.apiUrl,
      CC_RATE_LIMIT: '50',
      SLACK_API_URL: slack.url,
      RADAR_PLAN_READS_PER_DAY: '2',
    },
    { now },
  );
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([hooks?.close(), slack?.close(), cc?.close()]);
});

const logged = (event: string) => bot.logs().filter((l) => l.event === event);

/** Day `d`: the account list and the plans as they are that day, one walk (`/plan reindex`), and the radar's reads after it. */
async function walkOn(d: number) {
  day = d;
  cc.partnerAccounts = book.map((a) =>
    partnerAccount(a.n, { organization_name: a.name, subscriber_count: countOn(a, d) }),
  );
  for (const a of book)
    cc.accounts.set(idOf(a.n), {
      plan_type: 'BETTER',
      billing_status: 'Open',
      billing_day_of_month: 29,
      current_tiers: [
        {
          usage_type: 'CONTACTS',
          current_usage: countOn(a, d),
          tier: a.tier.level,
          tier_min: a.tier.min,
          tier_max: a.tier.max,
          price: 20 * a.tier.level + 5,
          currency_code: 'USD',
        },
      ],
    });
  walks++;
  await plan('reindex');
  await waitFor(() => logged('account_index_refresh').length >= walks, 15_000, `walk ${walks}`);
  return waitFor(() => logged('radar_reads')[walks - 1], 15_000, `the radar's reads after walk ${walks}`);
}

async function plan(text: string, channelId = 'C0001') {
  const responseUrl = hooks.newUrl();
  await bot.command({ text, responseUrl, channelId });
  const [post] = await hooks.waitForPost(responseUrl);
  return { body: post!.body, text: visibleText(post!.body) };
}

const plansRead = () => cc.planRequests().map((r) => r.path.split('/')[4]);

let n = 0;
const nextTs = () => `1700001${String(++n).padStart(3, '0')}.000${n}`;

/** A mention (or a DM) and planbot's answer in its thread. */
async function ask(text: string, o: { channel?: string; external?: boolean; dm?: boolean; threadTs?: string } = {}) {
  const ts = nextTs();
  const channel = o.channel ?? (o.dm ? 'D0DANA' : 'C0002');
  const envelope = eventEnvelope(
    o.dm
      ? { type: 'message', channel_type: 'im', user: 'U0001', text, ts, channel }
      : { type: 'app_mention', user: 'U0001', text: `<@UBOT> ${text}`, ts, channel, thread_ts: o.threadTs },
  );
  if (o.external) envelope.is_ext_shared_channel = true;
  const since = Date.now();
  await bot.sendEvent(envelope);
  const where = o.dm ? undefined : (o.threadTs ?? ts);
  const answer = await waitFor(
    () =>
      slack
        .callsTo('chat.postMessage')
        .find((c) => c.args.channel === channel && c.args.thread_ts === where && c.at >= since),
    15_000,
    `the answer to ${text}`,
  );
  return { ts, answer, text: visibleText(answer.args) };
}

/** The CSV's rows as objects, by its header. */
function rowsOf(csv: string): Array<Record<string, string>> {
  const [head, ...rows] = csv.split('\r\n').filter(Boolean);
  const names = head!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [names[i], cell])));
}

describe('the upgrade radar', () => {
  it('before a week of counts says there is too little history, and reads no plan', async () => {
    for (let d = 0; d <= 5; d++) await walkOn(d);
    expect(plansRead()).toEqual([]);
    const { body, text } = await plan('radar');
    expect(body.response_type).toBe('ephemeral');
    expect(text.match(/too little history/g)).toHaveLength(3);
    expect(text).toContain('at least 7 days of counts');
    expect(text).toContain('7 accounts in the account index');
  });

  it('reads at most RADAR_PLAN_READS_PER_DAY plans a day, fastest-rising first, and more the next day', async () => {
    // The seventh day of counts: five accounts rise, and planbot knows none of their tiers.
    const first = await walkOn(6);
    expect(first).toMatchObject({ candidates: 5, read: 2, spentToday: 2, perDay: 2, ended: 'budget' });
    expect(plansRead()).toEqual([idOf(1), idOf(2)]);
    // A later walk the same day reads nothing more.
    const again = await walkOn(6);
    expect(again).toMatchObject({ read: 0, spentToday: 2, ended: 'budget' });
    expect(plansRead()).toHaveLength(2);

    const next = await walkOn(7);
    expect(next).toMatchObject({ candidates: 3, read: 2, spentToday: 2, ended: 'budget' });
    expect(plansRead().slice(2)).toEqual([idOf(3), idOf(4)]);
    const last = await walkOn(8);
    expect(last).toMatchObject({ candidates: 1, read: 1, spentToday: 1, ended: 'done' });
    expect(plansRead().slice(4)).toEqual([idOf(5)]);
  });

  it('lists the account on course to pass its tier, the fastest growing, and the shrinking one, each with its card', async () => {
    const { body, text } = await plan('radar');
    expect(body.response_type).toBe('ephemeral');
    const blocks = body.blocks as Array<{
      type: string;
      text?: { text: string };
      accessory?: { action_id: string; value: string };
    }>;
    const heading = (title: string) => blocks.findIndex((b) => b.text?.text === `*${title}*`);
    const at = (id: string) => blocks.findIndex((b) => b.accessory?.value === id);
    const likely = heading('Likely to move up a tier before billing');
    const growing = heading('Growing fastest');
    const shrinking = heading('Shrinking');
    expect(likely).toBeGreaterThan(0);
    expect(at(idOf(1))).toBeGreaterThan(likely);
    expect(at(idOf(1))).toBeLessThan(growing);
    // On 9 March at 1,240 and 30 a day: 1,501 on the 18th, before billing on the 29th.
    expect(blocks[at(idOf(1))]!.text!.text).toContain(
      '*Rising Fast Co* `a00000000001`\n1,240 contacts · +240 in 30 days · *passes 1,500*, the top of tier 3, around Mar 18; next billing Mar 29: likely to bill at tier 4',
    );
    expect(at(idOf(2))).toBe(growing + 1);
    expect(at(idOf(6))).toBe(shrinking + 1);
    expect(blocks[at(idOf(6))]!.text!.text).toContain('&lt;!channel&gt; Shrinking Co');
    expect(JSON.stringify(body)).not.toContain('<!channel>');
    expect(at(idOf(7))).toBe(-1);
    expect(blocks[at(idOf(1))]!.accessory!.action_id).toBe('radar_show_plan');
    expect(text).toContain('7 accounts in the account index');

    // Its button: the card, for the person who clicked only.
    const responseUrl = hooks.newUrl();
    await bot.click({ actionId: 'radar_show_plan', value: idOf(1), responseUrl });
    const [card] = await hooks.waitForPost(responseUrl);
    expect(card!.body.response_type).toBe('ephemeral');
    expect(visibleText(card!.body)).toContain(`Billing plan · ${idOf(1)}`);
    await waitFor(
      () => logged('audit').find((l) => l.command === 'radar' && l.action === 'lookup' && l.target === idOf(1)),
      5_000,
      'the click audited',
    );
    expect(logged('audit').some((l) => l.action === 'radar' && l.command === '/plan' && l.outcome === 'radar')).toBe(
      true,
    );
  });

  it('answers a mention in its thread, and a DM in the DM', async () => {
    const { text } = await ask('radar', { threadTs: '1700000999.000100' });
    expect(text).toContain('Rising Fast Co');
    expect(text).not.toContain('<!channel>');
    const dm = await ask('plan radar', { dm: true });
    expect(dm.text).toContain('Growing fastest');
  });

  it('shows the first accounts of each list on the Home tab, with buttons to their cards', async () => {
    const before = slack.callsTo('views.publish').length;
    await bot.sendEvent(
      eventEnvelope({
        type: 'app_home_opened',
        user: 'U0001',
        channel: 'D0DANA',
        tab: 'home',
        event_ts: '1700000001.000100',
      }),
    );
    await waitFor(() => slack.callsTo('views.publish').length > before, 10_000, 'views.publish');
    const view = slack.callsTo('views.publish').at(-1)!.args.view as {
      blocks: Array<{ accessory?: { action_id: string; value: string } }>;
    };
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(visibleText({ blocks: view.blocks })).toContain('Upgrade radar');
    expect(view.blocks.find((b) => b.accessory?.value === idOf(1))?.accessory?.action_id).toBe('home_show_plan');
    expect(view.blocks.some((b) => b.accessory?.value === idOf(6))).toBe(true);
  });
});

describe('/plan radar --csv', () => {
  const uploadsSince = (count: number) => slack.callsTo('files.completeUploadExternal').slice(count);

  it('sends every indexed account, from a channel, to the person’s DM with planbot', async () => {
    const before = slack.callsTo('files.completeUploadExternal').length;
    const { body, text } = await plan('radar --csv');
    expect(body.response_type).toBe('ephemeral');
    expect(text).toMatch(/The radar as a CSV \(7 accounts\) is in your DM with planbot/);
    const [complete] = uploadsSince(before);
    expect(slack.callsTo('conversations.open').at(-1)!.args.users).toBe('U0001');
    expect(complete!.args.channel_id).toBe('DU0001');
    expect(complete!.args.thread_ts).toBeUndefined();
    expect(String(complete!.args.initial_comment)).toMatch(/every account in the account index \(7,/);
    const { id, title } = (complete!.args.files as Array<{ id: string; title: string }>)[0]!;
    expect(title).toBe('Upgrade radar, 2099-03-09');
    const requested = slack.callsTo('files.getUploadURLExternal').at(-1)!.args;
    expect(requested.filename).toBe('planbot-radar-2099-03-09.csv');
    const csv = slack.uploads.get(id)!.content;
    expect(Number(requested.length)).toBe(Buffer.byteLength(csv));
    const rows = rowsOf(csv);
    expect(rows.map((r) => r.account_id)).toEqual(book.map((a) => idOf(a.n)));
    expect(rows[0]).toMatchObject({
      organization_name: 'Rising Fast Co',
      contacts: '1240',
      tier_level: '3',
      tier_max: '1500',
      billing_day: '29',
      next_billing_date: '2099-03-29',
      forecast: 'likely_up',
      reaches_max_on: '2099-03-18',
    });
    expect(rows[5]).toMatchObject({ organization_name: '<!channel> Shrinking Co', forecast: 'shrinking' });
    expect(rows[6]).toMatchObject({ organization_name: 'Flat Co', forecast: 'none', why_no_forecast: 'flat' });
    await waitFor(
      () => logged('audit').find((l) => l.action === 'radar' && l.target === 'csv' && l.outcome === 'csv_uploaded'),
      5_000,
      'the CSV audited',
    );
  });

  it('shares it in the thread of a mention, and in a DM with planbot', async () => {
    const before = slack.callsTo('files.completeUploadExternal').length;
    const { text } = await ask('radar --csv', { threadTs: '1700000888.000100' });
    expect(text).toMatch(/The upgrade radar as a CSV: every account in the account index \(7,/);
    const [inThread] = uploadsSince(before);
    expect(inThread!.args).toMatchObject({ channel_id: 'C0002', thread_ts: '1700000888.000100' });
    await ask('radar csv', { dm: true });
    const [inDm] = uploadsSince(before + 1);
    expect(inDm!.args.channel_id).toBe('D0DANA');
    expect(inDm!.args.thread_ts).toBeUndefined();
  });

  it('never posts it into a channel shared with another organization, and says why', async () => {
    const before = slack.callsTo('files.getUploadURLExternal').length;
    const { text } = await ask('radar --csv', { channel: 'C0SHARED', external: true });
    expect(text).toMatch(/shared with another organization/);
    await delay(200);
    expect(slack.callsTo('files.getUploadURLExternal')).toHaveLength(before);
    expect(slack.uploads.size).toBe(3);
  });
});
