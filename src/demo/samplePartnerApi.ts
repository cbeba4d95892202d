import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Demo mode's stand-in for Constant Contact and Rebilly: the same token, plan and catalog
 * endpoints on loopback, answering with sample data, so the real client code runs end to end.
 */
export const sampleAccounts: Record<string, unknown> = {
  'demo-email': {
    plan_type: 'GOOD',
    billing_status: 'Open',
    billing_day_of_month: 15,
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        current_usage: 342,
        tier: 1,
        tier_min: 0,
        tier_max: 500,
        price: 20,
        currency_code: 'USD',
      },
    ],
  },
  'demo-plus': {
    plan_type: 'BETTER',
    billing_status: 'Open',
    billing_day_of_month: 31,
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        // Just past the tier's maximum, and still rising (sampleHistory.ts): likely to bill a tier up.
        current_usage: 2540,
        tier: 3,
        tier_min: 1001,
        tier_max: 2500,
        price: 65,
        currency_code: 'USD',
      },
    ],
  },
  'demo-gold': {
    plan_type: 'GOLD',
    billing_status: 'Open',
    billing_day_of_month: 1,
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        current_usage: 8120,
        tier: 6,
        tier_min: 5001,
        tier_max: 10000,
        price: 145,
        currency_code: 'EUR',
      },
      {
        usage_type: 'SMS_CREDITS',
        current_usage: 40,
        tier: 1,
        tier_min: 0,
        tier_max: 500,
        price: 10,
        currency_code: 'EUR',
      },
    ],
  },
  'demo-trial': { plan_type: 'TRIAL', billing_status: 'Trial', billing_day_of_month: null, current_tiers: [] },
  'demo-ended': { plan_type: 'TRIAL', billing_status: 'Trial End', billing_day_of_month: null, current_tiers: [] },
  'demo-canceled': {
    plan_type: 'BEST',
    billing_status: 'Canceled',
    billing_day_of_month: 3,
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        current_usage: 410,
        tier: 2,
        tier_min: 501,
        tier_max: 1000,
        price: 45,
        currency_code: 'CAD',
      },
    ],
  },
};

/** Who the sample accounts belong to, for finding them by name (`/plan blue river`). */
export const sampleDirectory: Array<Record<string, unknown>> = [
  {
    encoded_account_id: 'demo-email',
    organization_name: 'Northwind Florists',
    site_owner_name: 'Ana Lima',
    billing_status: 'Open',
    subscriber_count: 342,
  },
  {
    encoded_account_id: 'demo-plus',
    organization_name: 'Blue River Outfitters',
    site_owner_name: 'Sam Ortega',
    billing_status: 'Open',
    subscriber_count: 2540,
  },
  {
    encoded_account_id: 'demo-gold',
    organization_name: 'Brûlerie Café GmbH',
    site_owner_name: 'Marie Dubois',
    billing_status: 'Open',
    subscriber_count: 8120,
  },
  {
    encoded_account_id: 'demo-trial',
    organization_name: 'Blue River Bakery',
    site_owner_name: 'Kim Park',
    billing_status: 'Trial',
    subscriber_count: 25,
  },
  {
    encoded_account_id: 'demo-ended',
    organization_name: 'Zephyr Yoga Studio',
    site_owner_name: 'Priya Nair',
    billing_status: 'Trial End',
    subscriber_count: 0,
  },
  {
    encoded_account_id: 'demo-canceled',
    organization_name: "O'Brien & Sons Hardware",
    site_owner_name: "Sean O'Brien",
    billing_status: 'Canceled',
    subscriber_count: 410,
  },
];

/** Demo mode's Rebilly catalog: one plan of each shape and formula. */
export const sampleCatalog: Array<Record<string, unknown>> = [
  {
    id: 'gold-monthly',
    name: 'Gold Monthly',
    productId: 'email-marketing',
    currency: 'USD',
    isActive: true,
    description: 'Everything in Silver, plus automation and A/B testing.',
    pricing: { formula: 'fixed-fee', price: 49 },
    recurringInterval: { unit: 'month', length: 1 },
    trial: { price: 0, period: { unit: 'day', length: 14 } },
    setup: null,
  },
  {
    id: 'gold-annual',
    name: 'Gold Annual',
    productId: 'email-marketing',
    currency: 'USD',
    isActive: true,
    pricing: { formula: 'fixed-fee', price: 490 },
    recurringInterval: { unit: 'year', length: 1 },
    trial: null,
    setup: { price: 25 },
  },
  {
    id: 'silver-monthly',
    name: 'Silver Monthly',
    productId: 'email-marketing',
    currency: 'USD',
    isActive: true,
    pricing: { formula: 'fixed-fee', price: 29 },
    recurringInterval: { unit: 'month', length: 1 },
    trial: { price: 1, period: { unit: 'week', length: 1 } },
  },
  {
    id: 'sms-credits',
    name: 'SMS credits',
    productId: 'sms',
    currency: 'USD',
    isActive: true,
    pricing: { formula: 'flat-rate', price: 3.25, minQuantity: 1, maxQuantity: 100 },
    recurringInterval: null,
  },
  {
    id: 'seats-tiered',
    name: 'Team seats',
    productId: 'seats',
    currency: 'EUR',
    isActive: true,
    pricing: {
      formula: 'tiered',
      brackets: [
        { price: 40, maxQuantity: 3 },
        { price: 30, maxQuantity: 8 },
        { price: 15, maxQuantity: null },
      ],
    },
    recurringInterval: { unit: 'month', length: 1 },
  },
  {
    id: 'contacts-volume',
    name: 'Contacts (volume)',
    productId: 'contacts',
    currency: 'USD',
    isActive: true,
    pricing: {
      formula: 'volume',
      brackets: [
        { price: 10, maxQuantity: 1 },
        { price: 8, maxQuantity: 5 },
        { price: 6, maxQuantity: null },
      ],
    },
    recurringInterval: { unit: 'month', length: 1 },
  },
  {
    id: 'sends-stairstep',
    name: 'Email sends',
    productId: 'sends',
    currency: 'USD',
    isActive: true,
    pricing: {
      formula: 'stairstep',
      brackets: [
        { price: 50, maxQuantity: 1000 },
        { price: 100, maxQuantity: 1500 },
        { price: 200, maxQuantity: 3000 },
        { price: 500, maxQuantity: null },
      ],
    },
    recurringInterval: { unit: 'month', length: 1 },
  },
  {
    id: 'trial-only-30',
    name: 'Gold 30-day trial',
    productId: 'email-marketing',
    currency: 'USD',
    isActive: true,
    isTrialOnly: true,
    trial: { price: 0, period: { unit: 'day', length: 30 } },
    recurringInterval: null,
  },
  {
    id: 'bronze-legacy',
    name: 'Bronze (legacy)',
    productId: 'email-marketing',
    currency: 'USD',
    isActive: false,
    pricing: { formula: 'fixed-fee', price: 12 },
    recurringInterval: { unit: 'month', length: 1 },
  },
  {
    id: 'onboarding',
    name: 'Onboarding session',
    productId: 'services',
    currency: 'CAD',
    isActive: true,
    pricing: { formula: 'fixed-fee', price: 150 },
    recurringInterval: null,
  },
  {
    id: 'gold-quarterly',
    name: 'Gold Quarterly',
    productId: 'email-marketing',
    currency: 'USD',
    isActive: true,
    pricing: { formula: 'fixed-fee', price: 139 },
    recurringInterval: { unit: 'month', length: 3, limit: 4 },
  },
];

/** Just enough of Rebilly's `q` and `filter` (field:value, `,` OR, `;` AND, `!` not) for trying it out. */
function sampleSearch(url: URL): {
  items: Array<Record<string, unknown>>;
  total: number;
  limit: number;
  offset: number;
} {
  const q = (url.searchParams.get('q') ?? '').toLowerCase();
  const filter = url.searchParams.get('filter') ?? '';
  const matches = (plan: Record<string, unknown>) =>
    filter
      .split(';')
      .filter(Boolean)
      .every((clause) => {
        const [field = '', values = ''] = clause.split(/:(.*)/s);
        const value = plan[field];
        const actual =
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
        return values.split(',').some((v) => (v.startsWith('!') ? actual !== v.slice(1) : actual === v));
      });
  const found = sampleCatalog.filter(
    (p) => (!q || JSON.stringify([p.id, p.name, p.description]).toLowerCase().includes(q)) && matches(p),
  );
  const limit = Math.min(1000, Math.max(0, Number(url.searchParams.get('limit') ?? 100)));
  const offset = Math.min(1000, Math.max(0, Number(url.searchParams.get('offset') ?? 0)));
  return { items: found.slice(offset, offset + limit), total: found.length, limit, offset };
}

export interface SampleApi {
  tokenUrl: string;
  apiUrl: string;
  rebillyUrl: string;
  /**
   * Moves a sample account up a tier (the first of `preferred` that is a sample account with a
   * tier, else `demo-email`) and returns the notification Constant Contact would send about it.
   */
  simulateUpgrade(preferred: string[]): { accountId: string; body: string };
  close(): Promise<void>;
}

interface SampleTier {
  tier: number;
  tier_min: number;
  tier_max: number;
  price: number;
}

/** The plan one tier up: the next range, twice as wide, $20 more a month. */
function upgraded(plan: Record<string, unknown>): Record<string, unknown> {
  const tiers = (plan.current_tiers as SampleTier[]).map((t, i) =>
    i === 0 ? { ...t, tier: t.tier + 1, tier_min: t.tier_max + 1, tier_max: t.tier_max * 2, price: t.price + 20 } : t,
  );
  return { ...plan, current_tiers: tiers };
}

/**
 * Each sample plan, and the same plan one tier up as `simulateUpgrade` makes it: the tiers (and
 * prices) demo mode knows from the start, so a card can quote the tier above a sample account's.
 */
export function samplePriceList(): Array<Record<string, unknown>> {
  return Object.values(sampleAccounts)
    .map((plan) => plan as Record<string, unknown>)
    .flatMap((plan) => ((plan.current_tiers as unknown[]).length > 0 ? [plan, upgraded(plan)] : []));
}

/** The partner webhook topics, as the subscription endpoints name them. */
const sampleTopics: Record<number, { topic_name: string; topic_description: string }> = {
  1: { topic_name: 'Billing Tier Upgrade', topic_description: "Executes when an account's billing tier is upgraded." },
  2: {
    topic_name: 'Billing Tier Downgrade',
    topic_description: "Executes when an account's billing tier is downgraded.",
  },
  3: { topic_name: 'Account Cancelled', topic_description: 'Executes when an account is cancelled.' },
  4: { topic_name: 'Account Disabled', topic_description: 'Executes when an account is disabled.' },
};

/** A hook URI the demo accepts: http(s), at most 512 characters (the real API wants https). */
function hookUriOf(body: string): string | undefined {
  try {
    const hook: unknown = (JSON.parse(body) as Record<string, unknown> | null)?.hook_uri;
    if (typeof hook !== 'string' || hook.length > 512 || !/^https?:\/\//i.test(hook)) return undefined;
    new URL(hook);
    return hook;
  } catch {
    return undefined;
  }
}

export async function startSamplePartnerApi(): Promise<SampleApi> {
  /** Webhook subscriptions by topic; in memory, gone when the demo stops. */
  const subscriptions = new Map<number, string>();
  /** Plans changed by `simulateUpgrade`, over the shared samples: each demo has its own. */
  const changed = new Map<string, Record<string, unknown>>();
  const planOf = (id: string) => changed.get(id) ?? (sampleAccounts[id] as Record<string, unknown> | undefined);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sample');
    const json = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const subscription = (topic: number) => ({
      topic_id: topic,
      hook_uri: subscriptions.get(topic),
      ...sampleTopics[topic],
    });
    if (req.method === 'POST' && url.pathname === '/token') {
      req.resume();
      return json(200, { access_token: 'sample-token', token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.method === 'GET' && url.pathname === '/rebilly/plans') {
      const page = sampleSearch(url);
      res.writeHead(200, {
        'content-type': 'application/json',
        'pagination-total': String(page.total),
        'pagination-limit': String(page.limit),
        'pagination-offset': String(page.offset),
      });
      return res.end(JSON.stringify(page.items));
    }
    if (req.method === 'GET' && url.pathname === '/v3/partner/accounts') {
      // One page holds every sample account: no next link.
      return json(200, { site_owner_list: sampleDirectory, _links: {} });
    }
    if (req.method === 'GET' && url.pathname === '/v3/partner/webhooks/subscriptions') {
      return json(200, [...subscriptions.keys()].sort((a, b) => a - b).map(subscription));
    }
    const hook = /^\/v3\/partner\/webhooks\/subscriptions\/(\d{1,9})(\/tests)?$/.exec(url.pathname);
    if (hook?.[1]) {
      const topic = Number(hook[1]);
      if (!sampleTopics[topic]) return json(404, [{ error_key: 'not_found', error_message: 'Topic not found' }]);
      const noSubscription = () => json(404, [{ error_key: 'not_found', error_message: 'Subscription not found' }]);
      if (hook[2]) {
        // A test notification is acknowledged only: nothing is sent to the hook in demo mode.
        if (req.method !== 'POST')
          return json(405, [{ error_key: 'method_not_allowed', error_message: 'Not allowed' }]);
        req.resume();
        return subscriptions.has(topic) ? json(201, subscription(topic)) : noSubscription();
      }
      if (req.method === 'GET') return subscriptions.has(topic) ? json(200, subscription(topic)) : noSubscription();
      if (req.method === 'DELETE') {
        req.resume();
        return subscriptions.delete(topic) ? json(204) : noSubscription();
      }
      if (req.method === 'PUT') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const uri = hookUriOf(Buffer.concat(chunks).toString('utf8'));
          if (!uri) return json(400, [{ error_key: 'bad_request', error_message: 'hook_uri is invalid' }]);
          subscriptions.set(topic, uri);
          json(200, { topic_id: topic, hook_uri: uri });
        });
        return;
      }
      return json(405, [{ error_key: 'method_not_allowed', error_message: 'Not allowed' }]);
    }
    const match = /^\/v3\/partner\/accounts\/([^/]+)\/plan$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const plan = planOf(decodeURIComponent(match[1]));
      return plan ? json(200, plan) : json(404, [{ error_key: 'not_found', error_message: 'Account not found' }]);
    }
    json(404, [{ error_key: 'not_found', error_message: 'Not found' }]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    apiUrl: `http://127.0.0.1:${port}/v3`,
    rebillyUrl: `http://127.0.0.1:${port}/rebilly`,
    simulateUpgrade(preferred) {
      const hasTier = (id: string) => ((planOf(id)?.current_tiers as unknown[] | undefined)?.length ?? 0) > 0;
      const accountId = preferred.find((id) => Object.hasOwn(sampleAccounts, id) && hasTier(id)) ?? 'demo-email';
      changed.set(accountId, upgraded(planOf(accountId) as Record<string, unknown>));
      const body = JSON.stringify({
        url: `http://127.0.0.1:${port}/v3/partner/accounts/${accountId}/plan`,
        api_key: 'demo',
        event_type: 'tier.increase',
      });
      return { accountId, body };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
