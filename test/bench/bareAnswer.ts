/**
 * The floor for item 1 of `npm run bench`: a bare Bolt app (HTTPReceiver) whose `/plan <id>`
 * listener does the least an answer can: acks, reads the account's plan from Constant Contact with
 * one token fetched at start (kept 60 s, as planbot's plan cache), and posts a card of the plan's
 * tiers to the response_url. No access gate, store, quota, history or audit. Started like planbot
 * (PORT, HOST, SLACK_SIGNING_SECRET, CC_* settings); `GET /healthz` says 200 once it listens.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Agent, request } from 'undici';

const env = (name: string) => process.env[name] ?? '';
const dispatcher = new Agent({ connections: 64 });

const tokenResponse = await request(env('CC_TOKEN_URL'), {
  method: 'POST',
  dispatcher,
  headers: {
    authorization: `Basic ${Buffer.from(`${env('CC_CLIENT_ID')}:${env('CC_CLIENT_SECRET')}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials',
});
const { access_token: token } = (await tokenResponse.body.json()) as { access_token: string };

interface Tier {
  usage_tier_number?: number;
  current_usage?: number;
  tier_max?: number;
  price?: number;
}
const cache = new Map<string, { at: number; plan: { plan_type?: string; plan_tiers?: Tier[] } }>();

async function planOf(id: string) {
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < 60_000) return hit.plan;
  const res = await request(`${env('CC_API_URL')}/partner/accounts/${encodeURIComponent(id)}/plan`, {
    dispatcher,
    headers: { authorization: `Bearer ${token}`, 'x-api-key': env('CC_CLIENT_ID'), accept: 'application/json' },
  });
  const plan = (await res.body.json()) as { plan_type?: string; plan_tiers?: Tier[] };
  cache.set(id, { at: Date.now(), plan });
  return plan;
}

const receiver = new HTTPReceiver({
  signingSecret: env('SLACK_SIGNING_SECRET'),
  endpoints: '/slack/events',
  processBeforeResponse: false,
  logLevel: LogLevel.WARN,
  customRoutes: [
    {
      path: '/healthz',
      method: ['GET', 'HEAD'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
      },
    },
  ],
});
const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-bench' }), logLevel: LogLevel.WARN });

app.command('/plan', async ({ ack, command }) => {
  await ack();
  const id = command.text.trim();
  const plan = await planOf(id);
  const tiers = (plan.plan_tiers ?? []).map((t) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: `Tier ${t.usage_tier_number}: ${t.current_usage} of ${t.tier_max}, $${t.price}` },
  }));
  const card = {
    text: `Billing plan for ${id}`,
    blocks: [{ type: 'header', text: { type: 'plain_text', text: `${id}: ${plan.plan_type}` } }, ...tiers],
  };
  await request(command.response_url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(card),
  }).then((res) => res.body.dump());
});

await receiver.start({ port: Number(env('PORT')), host: env('HOST') || '127.0.0.1' });
