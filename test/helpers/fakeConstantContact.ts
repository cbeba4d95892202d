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
 * A local Constant Contact: the partner token endpoint and `GET /v3/partner/accounts/{id}/plan`,
 * with the real error bodies. Tests script per-account replies and read back what was asked.
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
      const now = Date.now();
      state.requests.push({
        method: 'GET',
        path: `/v3/partner/accounts/${id}/plan`,
        rawPath: req.url ?? '',
        headers: req.headers,
        at: now,
      });
      if (state.apiDelayMs) await delay(state.apiDelayMs);
      if (req.headers['x-api-key'] !== apiKey) return json(res, 403, [{ error_key: 'forbidden', error_message: 'Forbidden' }]);
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!state.validTokens.has(token)) return json(res, 401, { error_key: 'unauthorized', error_message: 'Unauthorized' });
      if (state.quotaSpent) return json(res, 429, { error_key: 'quota_exceeded', error_message: 'Daily quota exceeded' });
      if (state.enforceRate > 0) {
        const recent = state.requests.filter((r) => r.at > now - 1000).length;
        if (recent > state.enforceRate) {
          state.throttledAnswers++;
          return json(res, 429, { error_key: 'throttled', error_message: 'Too many requests' });
        }
      }
      const script = state.scripted.get(id)?.shift();
      if (script) {
        if (script.delayMs) await delay(script.delayMs);
        return json(res, script.status, script.body);
      }
      const plan = state.accounts.get(id);
      if (plan === undefined) return json(res, 404, [{ error_key: 'not_found', error_message: 'Account not found' }]);
      return json(res, 200, plan);
    }
    json(res, 404, [{ error_key: 'not_found', error_message: 'no route' }]);
  });

  return {
    ...state,
    state,
    url: server.url,
    tokenUrl: `${server.url}/oauth2/token`,
    apiUrl: `${server.url}/v3`,
    clientId,
    clientSecret,
    close: server.close,
    planRequests: (id?: string) => state.requests.filter((r) => id === undefined || r.path === `/v3/partner/accounts/${id}/plan`),
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

export const samplePlans = {
  open: {
    plan_type: 'GOOD',
    billing_status: 'Open',
    billing_day_of_month: 29,
    current_tiers: [
      { usage_type: 'CONTACTS', current_usage: 1.0, tier: 1, tier_min: 0.0, tier_max: 500.0, price: 20.0, currency_code: 'USD' },
    ],
  },
  trial: { plan_type: 'TRIAL', billing_status: 'Trial', billing_day_of_month: null, current_tiers: [] },
};
