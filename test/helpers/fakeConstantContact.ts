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
  /** The request body as sent ('' when none). */
  body?: string;
  at: number;
}

/** One POST the fake made to a hook URI, as Constant Contact makes them (one entry per attempt). */
export interface SentNotification {
  hookUri: string;
  body: string;
  /** The hook's answer; 0 when the request failed (refused, reset, timed out). */
  status: number;
  ms: number;
  at: number;
  /** The topic whose `POST …/tests` caused it; undefined for `notify` and `notifyRaw`. */
  testOf?: number;
}

/** The webhook topics: what the subscription endpoints call them and the event type each one sends. */
export const webhookTopics: Record<number, { name: string; description: string; eventType: string }> = {
  1: {
    name: 'Billing Tier Upgrade',
    description: "Executes when an account's billing tier is upgraded.",
    eventType: 'tier.increase',
  },
  2: {
    name: 'Billing Tier Downgrade',
    description: "Executes when an account's billing tier is downgraded.",
    eventType: 'tier.decrease',
  },
  3: { name: 'Account Cancelled', description: 'Executes when an account is cancelled.', eventType: 'account.cancel' },
  4: { name: 'Account Disabled', description: 'Executes when an account is disabled.', eventType: 'account.disable' },
};

/** The spec's example account id, used for test notifications while the fake has no plans. */
const exampleAccountId = 'a07e1my9tbw0';

/**
 * A local Constant Contact: the partner token endpoint, `GET /v3/partner/accounts/{id}/plan`, the
 * account list `GET /v3/partner/accounts` and the webhook subscriptions
 * (`/v3/partner/webhooks/subscriptions[/{topic}[/tests]]`), with the real error bodies. Tests script
 * per-account replies and read back what was asked; `notify` posts notifications to a hook as
 * Constant Contact does.
 */
export async function startFakeConstantContact(
  options: {
    tokenLifetimeSec?: number;
    clientId?: string;
    clientSecret?: string;
    apiKey?: string;
    /** Topics subscribed from the start: topic id → hook URI (none by default). */
    subscriptions?: Record<number, string>;
    /**
     * The account a test notification (`POST …/tests`) points at; by default the first account
     * given a plan (`accounts`), else the spec's example id.
     */
    sampleAccountId?: string;
  } = {},
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
    /** Webhook subscriptions: topic id (1–4) → hook URI. */
    subscriptions: new Map<number, string>(
      Object.entries(options.subscriptions ?? {}).map(([topic, hook]) => [Number(topic), hook]),
    ),
    /** Replies for a webhook route, keyed `METHOD /v3/partner/webhooks/…`, used before the real answer. */
    scriptedWebhooks: new Map<string, ScriptedReply[]>(),
    /** Every POST the fake made to a hook (test notifications, `notify`, `notifyRaw`), per attempt. */
    notifications: [] as SentNotification[],
    sampleAccountId: options.sampleAccountId,
  };
  /** Ends the waits of `notify` loops still running when the fake closes. */
  const closing = new AbortController();

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
    if (url.pathname === subscriptionsPath && req.method === 'GET') {
      if (await refused(req, res, subscriptionsPath, body)) return;
      if (await scripted(req, res, subscriptionsPath)) return;
      // Only subscribed topics are listed (the spec does not say what an unsubscribed topic looks like).
      return json(res, 200, [...state.subscriptions.keys()].sort((a, b) => a - b).map(subscription));
    }
    const hook = /^\/v3\/partner\/webhooks\/subscriptions\/([^/]+)(\/tests)?$/.exec(url.pathname);
    if (hook?.[1]) {
      if (await refused(req, res, url.pathname, body)) return;
      if (await scripted(req, res, url.pathname)) return;
      return webhookRoute(req, res, hook[1], hook[2] !== undefined, body);
    }
    const match = /^\/v3\/partner\/accounts\/([^/]+)\/plan$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const id = decodeURIComponent(match[1]);
      if (await refused(req, res, `/v3/partner/accounts/${id}/plan`, body)) return;
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
      if (await refused(req, res, '/v3/partner/accounts', body)) return;
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
  async function refused(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<boolean> {
    const now = Date.now();
    const method = req.method ?? 'GET';
    state.requests.push({ method, path, rawPath: req.url ?? '', headers: req.headers, body, at: now });
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

  /** Answers with the next scripted reply for this webhook route, if any; true when it did. */
  async function scripted(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const script = state.scriptedWebhooks.get(`${req.method ?? 'GET'} ${path}`)?.shift();
    if (!script) return false;
    if (script.delayMs) await delay(script.delayMs);
    json(res, script.status, script.body);
    return true;
  }

  /** A topic's subscription as the API shows it. */
  function subscription(topic: number) {
    const t = webhookTopics[topic];
    return {
      topic_id: topic,
      hook_uri: state.subscriptions.get(topic),
      topic_name: t?.name,
      topic_description: t?.description,
    };
  }

  /** GET / PUT / DELETE `…/subscriptions/{topic}` and POST `…/subscriptions/{topic}/tests`, once admitted. */
  function webhookRoute(req: IncomingMessage, res: ServerResponse, rawTopic: string, tests: boolean, body: string) {
    const topic = /^\d{1,9}$/.test(rawTopic) ? Number(rawTopic) : NaN;
    if (!webhookTopics[topic]) return json(res, 404, [{ error_key: 'not_found', error_message: 'Topic not found' }]);
    const hookUri = state.subscriptions.get(topic);
    const notSubscribed = () => json(res, 404, [{ error_key: 'not_found', error_message: 'Subscription not found' }]);
    const notAllowed = () => json(res, 405, [{ error_key: 'method_not_allowed', error_message: 'Method not allowed' }]);
    if (tests) {
      if (req.method !== 'POST') return notAllowed();
      if (hookUri === undefined) return notSubscribed();
      json(res, 201, subscription(topic));
      // Like Constant Contact, the sample notification follows the answer (one attempt).
      const send = () =>
        void deliver(hookUri, JSON.stringify(testNotification(topic)), { retryEveryMs: 0, maxAttempts: 1 }, topic);
      if (res.writableFinished) send();
      else res.once('finish', send);
      return;
    }
    switch (req.method) {
      case 'GET':
        return hookUri === undefined ? notSubscribed() : json(res, 200, subscription(topic));
      case 'DELETE':
        return state.subscriptions.delete(topic) ? json(res, 204, undefined) : notSubscribed();
      case 'PUT': {
        const uri = hookUriIn(body);
        if (uri === undefined)
          return json(res, 400, [
            { error_key: 'bad_request', error_message: 'hook_uri must be an http(s) URI of at most 512 characters' },
          ]);
        state.subscriptions.set(topic, uri);
        return json(res, 200, { topic_id: topic, hook_uri: uri });
      }
      default:
        return notAllowed();
    }
  }

  /** The body of a topic's test notification: the sample account, the fake's own URL and API key. */
  function testNotification(topic: number) {
    const accountId = state.sampleAccountId ?? state.accounts.keys().next().value ?? exampleAccountId;
    return {
      url: `${server.url}/v3/partner/accounts/${accountId}/plan`,
      api_key: apiKey,
      event_type: webhookTopics[topic]?.eventType ?? 'tier.increase',
    };
  }

  /** One POST to a hook, as Constant Contact sends it; a failed request answers status 0 (body: the error). */
  async function post(hookUri: string, body: string, headers: Record<string, string>, timeoutMs: number) {
    const started = performance.now();
    try {
      const res = await fetch(hookUri, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const text = await res.text();
      return { status: res.status, body: text, ms: performance.now() - started };
    } catch (error) {
      return { status: 0, body: String(error), ms: performance.now() - started };
    }
  }

  /** Waits `ms` (a setTimeout, so fake timers can drive it); false when the fake closed meanwhile. */
  function pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (closing.signal.aborted) return resolve(false);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        closing.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      closing.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** POSTs `body` until a 2xx answers or the attempts run out, recording each attempt. */
  async function deliver(
    hookUri: string,
    body: string,
    o: { retryEveryMs?: number; maxAttempts?: number; timeoutMs?: number },
    testOf?: number,
  ): Promise<{ attempts: Array<{ status: number; ms: number }> }> {
    const attempts: Array<{ status: number; ms: number }> = [];
    const maxAttempts = o.maxAttempts ?? 60;
    for (let i = 0; i < maxAttempts; i++) {
      if (i > 0 && !(await pause(o.retryEveryMs ?? 60_000))) break;
      const at = Date.now();
      const r = await post(hookUri, body, { 'content-type': 'application/json' }, o.timeoutMs ?? 10_000);
      attempts.push({ status: r.status, ms: r.ms });
      state.notifications.push({ hookUri, body, status: r.status, ms: r.ms, at, ...(testOf ? { testOf } : {}) });
      if (r.status >= 200 && r.status < 300) break;
    }
    return { attempts };
  }

  return {
    ...state,
    state,
    url: server.url,
    tokenUrl: `${server.url}/oauth2/token`,
    apiUrl: `${server.url}/v3`,
    clientId,
    clientSecret,
    /** The `x-api-key` the fake expects (and puts in notifications as `api_key`). */
    apiKey,
    close: () => {
      closing.abort();
      return server.close();
    },
    planRequests: (id?: string) =>
      state.requests.filter((r) =>
        id === undefined ? r.path.endsWith('/plan') : r.path === `/v3/partner/accounts/${id}/plan`,
      ),
    listRequests: () => state.requests.filter((r) => r.path === '/v3/partner/accounts'),
    /** Requests to the webhook subscription routes. */
    subscriptionRequests: () => state.requests.filter((r) => r.path.startsWith(subscriptionsPath)),
    /** The account test notifications point at (`cc.sampleAccountId = …` works as well as `cc.state.…`). */
    get sampleAccountId(): string | undefined {
      return state.sampleAccountId;
    },
    set sampleAccountId(id: string | undefined) {
      state.sampleAccountId = id;
    },
    /**
     * Sends a notification to `hookUri` as Constant Contact does: `POST` with
     * `{"url": "<urlBase>/partner/accounts/<accountId>/plan", "api_key": …, "event_type": …}` (urlBase
     * defaults to this fake's API URL, apiKey to the key it expects; the account id goes in as given),
     * retried every `retryEveryMs` (60 s) until a 2xx or `maxAttempts` (60) tries. Network failures
     * count as status 0. Resolves with every attempt; stops early when the fake closes.
     */
    notify: (
      hookUri: string,
      n: { accountId: string; eventType: string; apiKey?: string; urlBase?: string },
      o: { retryEveryMs?: number; maxAttempts?: number; timeoutMs?: number } = {},
    ) =>
      deliver(
        hookUri,
        JSON.stringify({
          url: `${n.urlBase ?? `${server.url}/v3`}/partner/accounts/${n.accountId}/plan`,
          api_key: n.apiKey ?? apiKey,
          event_type: n.eventType,
        }),
        o,
      ),
    /**
     * One POST of `rawBody` to `hookUri` (content-type application/json unless `headers` says
     * otherwise), for forged and malformed notifications; status 0 when the request failed.
     */
    notifyRaw: async (
      hookUri: string,
      rawBody: string,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; body: string; ms: number }> => {
      const at = Date.now();
      const r = await post(hookUri, rawBody, { 'content-type': 'application/json', ...headers }, 10_000);
      state.notifications.push({ hookUri, body: rawBody, status: r.status, ms: r.ms, at });
      return r;
    },
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

const subscriptionsPath = '/v3/partner/webhooks/subscriptions';

/** The `hook_uri` of a PUT body when it is an http(s) URI of at most 512 characters (tests use http). */
function hookUriIn(body: string): string | undefined {
  try {
    const hook: unknown = (JSON.parse(body) as Record<string, unknown> | null)?.hook_uri;
    if (typeof hook !== 'string' || hook.length > 512 || !/^https?:\/\//i.test(hook)) return undefined;
    new URL(hook);
    return hook;
  } catch {
    return undefined;
  }
}

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
  /**
   * Long names and large numbers in three tiers: a digest line of about 290 characters, so 40
   * accounts (ids like `acct-dies000`) fill a thread reply, where short lines fit 150.
   */
  wide: {
    plan_type: 'PARTNER_ENTERPRISE_PLAN_WITH_EVERY_FEATURE_AND_ADDON_INCLUDED_X',
    billing_status: 'Open',
    billing_day_of_month: 3,
    current_tiers: [
      'CONTACTS_IN_EVERY_LIST_AND_SEGMENT',
      'EMAIL_SENDS_IN_THE_CURRENT_MONTH',
      'SMS_CREDITS_FOR_EVERY_COUNTRY',
    ].map((usage_type, i) => ({
      usage_type,
      current_usage: 123_456_790 + i,
      tier: 7,
      tier_min: 100_000_000,
      tier_max: 999_999_999,
      price: 12_345.67,
      currency_code: 'USD',
    })),
  },
};

/**
 * A paying plan at tier `level` of the contacts tiers (Email Plus): 500 contacts and $20 a tier,
 * plus $5 (tier 1: 0–500 at $25, tier 2: 501–1,000 at $45, …), usage just under the tier's top.
 */
export function planAtTier(level: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...samplePlans.open,
    plan_type: 'BETTER',
    current_tiers: [
      {
        usage_type: 'CONTACTS',
        current_usage: 500 * level - 10,
        tier: level,
        tier_min: level === 1 ? 0 : 500 * (level - 1) + 1,
        tier_max: 500 * level,
        price: 20 * level + 5,
        currency_code: 'USD',
      },
    ],
    ...fields,
  };
}
