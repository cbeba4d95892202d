import type { IncomingMessage, ServerResponse } from 'node:http';
import { delay, json, serve } from './http.ts';

export interface ScriptedReply {
  status: number;
  body?: unknown;
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  rawPath: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

/**
 * A local Constant Contact: the partner token endpoint, `GET /v3/partner/accounts/{id}/plan` and the
 * account list `GET /v3/partner/accounts`, with the real error bodies. Tests script per-account
 * replies and read back what was asked.
 */
export async function startFakeConstantContact(
  options: { tokenLifetimeSec?: number; clientId?: string; clientSecret?: string; apiKey?: string } = {},
) {
  const clientId = options.clientId ?? 'test-client';
  const clientSecret = options.clientSecret ?? 'test-secret';
  const apiKey = options.apiKey ?? clientId;
  const state = {
    tokenLifetimeSec: options.tokenLifetimeSec ?? 3600,
    tokenDelayMs: 0,
    apiDelayMs: 0,
    tokenFetches: 0,
    tokenBodies: [] as string[],
    tokenAuthHeaders: [] as string[],
    validTokens: new Set<string>(),
    accounts: new Map<string, unknown>(),
    scripted: new Map<string, ScriptedReply[]>(),
    /** Per-second limit the fake enforces with 429 `throttled` (0 = off). */
    enforceRate: 0,
    quotaSpent: false,
    /** 429 `throttled` answers given because of enforceRate. */
    throttledAnswers: 0,
    requests: [] as RecordedRequest[],
    tokenReplies: [] as ScriptedReply[],
    /** The account list's `site_owner_list` entries, in list order (see `partnerAccount`). */
    partnerAccounts: [] as unknown[],
    /** Replies for the list page starting at a position, used before the real page. */
    scriptedPages: new Map<number, ScriptedReply[]>(),
    /** Most accounts a page holds, even when more are asked for (the real API gives 10–50). */
    maxPageSize: 50,
  };

  const server = await serve(async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      state.tokenFetches++;
      state.tokenBodies.push(body);
      state.tokenAuthHeaders.push(String(req.headers.authorization ?? ''));
      if (state.tokenDelayMs) await delay(state.tokenDelayMs);
      const scripted = state.tokenReplies.shift();
      if (scripted) return json(res, scripted.status, scripted.body);
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return json(res, 401, { error: 'invalid_client' });
      const token = `jwt-${state.tokenFetches}`;
      state.validTokens.add(token);
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: state.tokenLifetimeSec });
    }
    const match = /^\/v3\/partner\/accounts\/([^/]+)\/plan$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const id = decodeURIComponent(match[1]);
      if (await refused(req, res, `/v3/partner/accounts/${id}/plan`)) return;
      const script = state.scripted.get(id)?.shift();
      if (script) {
        if (script.delayMs) await delay(script.delayMs);
        return json(res, script.status, script.body);
      }
      const plan = state.accounts.get(id);
      if (plan === undefined) return json(res, 404, [{ error_key: 'not_found', error_message: 'Account not found' }]);
      return json(res, 200, plan);
    }
    if (req.method === 'GET' && url.pathname === '/v3/partner/accounts') {
      if (await refused(req, res, '/v3/partner/accounts')) return;
      // Like the real API: a limit outside 10–50 is ignored for the default, 50.
      const asked = Number(url.searchParams.get('limit') ?? 50);
      const limit = Math.min(Number.isInteger(asked) && asked >= 10 && asked <= 50 ? asked : 50, state.maxPageSize);
      const offset = url.searchParams.get('offset');
      const start = offset === null ? 0 : positionOf(offset);
      if (start === undefined)
        return json(res, 400, [{ error_key: 'bad_request', error_message: 'offset is invalid' }]);
      const script = state.scriptedPages.get(start)?.shift();
      if (script) {
        if (script.delayMs) await delay(script.delayMs);
        return json(res, script.status, script.body);
      }
      const end = start + limit;
      return json(res, 200, {
        site_owner_list: state.partnerAccounts.slice(start, end),
        ...(end < state.partnerAccounts.length
          ? { _links: { next: { href: `/v3/partner/accounts?offset=${offsetOf(end)}&limit=${limit}` } } }
          : {}),
      });
    }
    json(res, 404, [{ error_key: 'not_found', error_message: 'no route' }]);
  });

  /** Records an API request and answers it as the real API refuses one (key, token, quota, rate); true when it did. */
  async function refused(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const now = Date.now();
    state.requests.push({ method: 'GET', path, rawPath: req.url ?? '', headers: req.headers, at: now });
    if (state.apiDelayMs) await delay(state.apiDelayMs);
    if (req.headers['x-api-key'] !== apiKey)
      return refuse(res, 403, [{ error_key: 'forbidden', error_message: 'Forbidden' }]);
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!state.validTokens.has(token))
      return refuse(res, 401, { error_key: 'unauthorized', error_message: 'Unauthorized' });
    if (state.quotaSpent)
      return refuse(res, 429, { error_key: 'quota_exceeded', error_message: 'Daily quota exceeded' });
    if (state.enforceRate > 0) {
      const recent = state.requests.filter((r) => r.at > now - 1000).length;
      if (recent > state.enforceRate) {
        state.throttledAnswers++;
        return refuse(res, 429, { error_key: 'throttled', error_message: 'Too many requests' });
      }
    }
    return false;
  }

  return {
    ...state,
    state,
    url: server.url,
    tokenUrl: `${server.url}/oauth2/token`,
    apiUrl: `${server.url}/v3`,
    clientId,
    clientSecret,
    close: server.close,
    planRequests: (id?: string) =>
      state.requests.filter((r) =>
        id === undefined ? r.path.endsWith('/plan') : r.path === `/v3/partner/accounts/${id}/plan`,
      ),
    listRequests: () => state.requests.filter((r) => r.path === '/v3/partner/accounts'),
    /** The account list's entries (`cc.partnerAccounts = [...]` works as well as `cc.state.partnerAccounts`). */
    get partnerAccounts(): unknown[] {
      return state.partnerAccounts;
    },
    set partnerAccounts(accounts: unknown[]) {
      state.partnerAccounts = accounts;
    },
    /** Most requests seen inside any one-second window. */
    peakPerSecond(): number {
      let peak = 0;
      const times = state.requests.map((r) => r.at).sort((a, b) => a - b);
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) >= 1000) j++;
        peak = Math.max(peak, i - j + 1);
      }
      return peak;
    },
    revokeAllTokens: () => state.validTokens.clear(),
  };
}

export type FakeConstantContact = Awaited<ReturnType<typeof startFakeConstantContact>>;

function refuse(res: ServerResponse, status: number, body: unknown): true {
  json(res, status, body);
  return true;
}

/** The list's opaque offset: the position, base64url-encoded, so clients cannot do arithmetic on it. */
const offsetOf = (position: number) => Buffer.from(`pos:${position}`).toString('base64url');
function positionOf(offset: string): number | undefined {
  const match = /^pos:(\d{1,9})$/.exec(Buffer.from(offset, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

/** A `site_owner_list` entry as the API sends it; `i` makes the id and the default names. */
export function partnerAccount(i: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    encoded_account_id: `a${String(i).padStart(11, '0')}`,
    organization_name: `Organization ${i}`,
    site_owner_name: `owner${i}`,
    billing_status: 'Open',
    subscriber_count: 100 + i,
    last_login_date: '2026-01-15T10:00:00.000Z',
    ...fields,
  };
}

export const samplePlans = {
  open: {
    plan_type: 'GOOD',
    billing_status: 'Open',
    billing_day_of_month: 29,
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        current_usage: 1.0,
        tier: 1,
        tier_min: 0.0,
        tier_max: 500.0,
        price: 20.0,
        currency_code: 'USD',
      },
    ],
  },
  trial: { plan_type: 'TRIAL', billing_status: 'Trial', billing_day_of_month: null, current_tiers: [] },
};
