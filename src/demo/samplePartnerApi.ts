import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Demo mode's stand-in for Constant Contact: the same token endpoint and plan endpoint on
 * loopback, answering for a few sample accounts, so the real client code path runs end to end.
 */
export const sampleAccounts: Record<string, unknown> = {
  'demo-email': {
    plan_type: 'GOOD',
    billing_status: 'Open',
    billing_day_of_month: 15,
    current_tiers: [{ usage_type: 'CONTACTS', current_usage: 342, tier: 1, tier_min: 0, tier_max: 500, price: 20, currency_code: 'USD' }],
  },
  'demo-plus': {
    plan_type: 'BETTER',
    billing_status: 'Open',
    billing_day_of_month: 31,
    current_tiers: [
      { usage_type: 'CONTACTS', current_usage: 2310, tier: 3, tier_min: 1001, tier_max: 2500, price: 65, currency_code: 'USD' },
    ],
  },
  'demo-gold': {
    plan_type: 'GOLD',
    billing_status: 'Open',
    billing_day_of_month: 1,
    current_tiers: [
      { usage_type: 'CONTACTS', current_usage: 8120, tier: 6, tier_min: 5001, tier_max: 10000, price: 145, currency_code: 'EUR' },
      { usage_type: 'SMS_CREDITS', current_usage: 40, tier: 1, tier_min: 0, tier_max: 500, price: 10, currency_code: 'EUR' },
    ],
  },
  'demo-trial': { plan_type: 'TRIAL', billing_status: 'Trial', billing_day_of_month: null, current_tiers: [] },
  'demo-ended': { plan_type: 'TRIAL', billing_status: 'Trial End', billing_day_of_month: null, current_tiers: [] },
  'demo-canceled': {
    plan_type: 'BEST',
    billing_status: 'Canceled',
    billing_day_of_month: 3,
    current_tiers: [
      { usage_type: 'CONTACTS', current_usage: 410, tier: 2, tier_min: 501, tier_max: 1000, price: 45, currency_code: 'CAD' },
    ],
  },
};

export interface SampleApi {
  tokenUrl: string;
  apiUrl: string;
  close(): Promise<void>;
}

export async function startSamplePartnerApi(): Promise<SampleApi> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sample');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/token') {
      req.resume();
      return json(200, { access_token: 'sample-token', token_type: 'Bearer', expires_in: 3600 });
    }
    const match = /^\/v3\/partner\/accounts\/([^/]+)\/plan$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const plan = sampleAccounts[decodeURIComponent(match[1])];
      return plan ? json(200, plan) : json(404, [{ error_key: 'not_found', error_message: 'Account not found' }]);
    }
    json(404, [{ error_key: 'not_found', error_message: 'Not found' }]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    apiUrl: `http://127.0.0.1:${port}/v3`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
