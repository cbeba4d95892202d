import { planPath } from './accountId.ts';
import { UpstreamError } from './errors.ts';
import { type HttpClient, type HttpResponse, headerValue } from './httpClient.ts';
import type { QuotaGovernor, QuotaPurpose } from './quota.ts';
import type { RateGate } from './rateGate.ts';
import { withRetries } from './retry.ts';
import type { RetryPolicy } from './retryPolicy.ts';
import type { TokenProvider } from './tokenProvider.ts';
import {
  type AccountsPage,
  type WebhookSubscription,
  parseAccountsPage,
  parseBillingPlan,
  parseSubscriptions,
} from './parse.ts';
import { type BillingPlan } from '../billing/plan.ts';

export type { WebhookSubscription } from './parse.ts';

/**
 * The partner API as planbot uses it. No Slack here. Each call says what it is for (`purpose`), for
 * the daily quota: a lookup by default for plans, an index walk for the account list, alerts for
 * the webhook subscriptions.
 */
export interface ConstantContactClient {
  getPlan(accountId: string, deadline: number, purpose?: QuotaPurpose): Promise<BillingPlan>;
  /**
   * One page of the partner's client accounts: no offset for the first page, then the previous
   * page's `nextOffset`. An answer that cannot be part of a complete list fails as `upstream`.
   */
  listAccounts(page: { offset?: string }, deadline: number, purpose?: QuotaPurpose): Promise<AccountsPage>;
  /** Topics 1–4 and where each points (hook_uri null when not subscribed). */
  listSubscriptions(deadline: number, purpose?: QuotaPurpose): Promise<WebhookSubscription[]>;
  /** Points `topicId` at `hookUri` (PUT …/subscriptions/{topic_id} with {"hook_uri": …}). */
  putSubscription(topicId: number, hookUri: string, deadline: number, purpose?: QuotaPurpose): Promise<void>;
  /** Asks Constant Contact to send a sample notification for the topic (POST …/subscriptions/{topic_id}/tests). */
  requestTestNotification(topicId: number, deadline: number, purpose?: QuotaPurpose): Promise<void>;
}

export interface ConstantContactOptions {
  http: HttpClient;
  apiUrl: string;
  apiKey: string;
  tokens: TokenProvider;
  gate: RateGate;
  policy: RetryPolicy;
  /** Counts each request against the daily quota and refuses those it has no room for; unset: not counted. */
  quota?: QuotaGovernor;
  /** Where a successful request's count is written: in a quiet moment (see afterAnswers.ts). Unset: at once. */
  later?: (task: () => Promise<void>) => void;
  now?: () => number;
  onRetry?: (error: UpstreamError, delayMs: number) => void;
}

/** The most accounts the list gives per page (it allows 10–50). */
export const accountsPageSize = 50;

export function createConstantContactClient(o: ConstantContactOptions): ConstantContactClient {
  const now = o.now ?? Date.now;

  /**
   * One gated request with the current token; a 401 swaps the token and tries once more. A `body`
   * goes as JSON. The quota admits each attempt before it waits at the gate, and counts it once sent.
   */
  async function send(req: ApiRequest, deadline: number, timeoutMs: number): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'x-api-key': o.apiKey, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    for (let tokenRetry = 0; ; tokenRetry++) {
      await o.quota?.admit(req.purpose);
      let sent = false;
      let token: string;
      let res: HttpResponse;
      try {
        await o.gate.acquire(deadline);
        token = await o.tokens.get(deadline);
        sent = true;
        res = await o.http({
          api: 'constant-contact',
          method: req.method,
          url: `${o.apiUrl}${req.path}`,
          headers: { ...headers, authorization: `Bearer ${token}` },
          body,
          timeoutMs: Math.max(1, Math.min(timeoutMs, deadline - now())),
        });
      } catch (error) {
        // A request that failed on the way (a timeout, a reset) may still have reached the API: counted.
        if (sent) void o.quota?.spent(req.purpose);
        else o.quota?.unsent();
        throw error;
      }
      // Counted after the answer, not before it: spent() never rejects, and the count is the store's
      // business, not the person's wait. A success is counted in a quiet moment (see later); anything
      // else at once, so that what follows from it (a spent quota, a retry) sees it counted.
      if (res.status < 300 && o.later && o.quota) {
        const quota = o.quota;
        o.later(() => quota.spent(req.purpose));
      } else void o.quota?.spent(req.purpose);
      if (res.status === 401 && tokenRetry === 0) {
        // The token died early (revoked, clock skew): a fresh one, and one more try.
        await o.tokens.invalidate(token);
        continue;
      }
      return res;
    }
  }

  /**
   * A request answered with success, with the retry policy applied: a GET wants 200, a PUT or POST
   * any 2xx (the spec says 200 for PUT and 201 for the test POST). `target` names the call in errors.
   */
  async function call(req: ApiRequest, target: string, deadline: number): Promise<HttpResponse> {
    const ok = (status: number) => (req.method === 'GET' ? status === 200 : status >= 200 && status < 300);
    return withRetries(
      async (timeoutMs) => {
        const r = await send(req, deadline, timeoutMs);
        if (ok(r.status)) return r;
        const error = failure(r, target);
        if (error.code === 'quota_exceeded') await o.quota?.exhausted();
        throw error;
      },
      { api: 'constant-contact', policy: o.policy, deadline, now, onRetry: o.onRetry },
    );
  }

  const get = (path: string, target: string, deadline: number, purpose: QuotaPurpose) =>
    call({ method: 'GET', path, purpose }, target, deadline);

  return {
    async getPlan(accountId, deadline, purpose = 'lookup') {
      const path = planPath(accountId);
      const res = await get(path, `GET ${path}`, deadline, purpose);
      return parseBillingPlan(res.body);
    },

    async listAccounts(page, deadline, purpose = 'index') {
      // The offset is opaque and only ever sent back to our own API URL, encoded as one parameter.
      const path = `/partner/accounts?limit=${accountsPageSize}${page.offset === undefined ? '' : `&offset=${encodeURIComponent(page.offset)}`}`;
      const target = 'GET /partner/accounts';
      const res = await get(path, target, deadline, purpose);
      const parsed = parseAccountsPage(res.body);
      if (parsed.problem)
        throw new UpstreamError('upstream', 'constant-contact', `${target} answered 200 but ${parsed.problem}`, {
          status: 200,
        });
      return parsed;
    },

    async listSubscriptions(deadline, purpose = 'alert') {
      const target = `GET ${subscriptionsPath}`;
      const res = await get(subscriptionsPath, target, deadline, purpose);
      const parsed = parseSubscriptions(res.body);
      if ('problem' in parsed)
        throw new UpstreamError('upstream', 'constant-contact', `${target} answered 200 but ${parsed.problem}`, {
          status: 200,
        });
      return parsed;
    },

    async putSubscription(topicId, hookUri, deadline, purpose = 'alert') {
      const path = subscriptionPath(topicId);
      await call({ method: 'PUT', path, body: { hook_uri: hookUri }, purpose }, `PUT ${path}`, deadline);
    },

    async requestTestNotification(topicId, deadline, purpose = 'alert') {
      // Retried like any call: a repeated test only means one more sample notification, which a hook
      // has to take in its stride anyway (Constant Contact itself redelivers).
      const path = `${subscriptionPath(topicId)}/tests`;
      await call({ method: 'POST', path, purpose }, `POST ${path}`, deadline);
    },
  };
}

interface ApiRequest {
  method: 'GET' | 'PUT' | 'POST';
  /** Under the API URL, query included. */
  path: string;
  /** Sent as JSON when present. */
  body?: unknown;
  /** What the request is for, for the daily quota. */
  purpose: QuotaPurpose;
}

const subscriptionsPath = '/partner/webhooks/subscriptions';

/** One topic's subscription path; the topic must be a positive integer, so it is one plain segment. */
function subscriptionPath(topicId: number): string {
  if (!Number.isSafeInteger(topicId) || topicId < 1) throw new TypeError('not a webhook topic id');
  return `${subscriptionsPath}/${topicId}`;
}

/** Reads Constant Contact's error bodies: an object or an array of `{error_key, error_message}`. */
export function errorKey(body: unknown): { key?: string; message?: string } {
  const first: unknown = Array.isArray(body) ? body[0] : body;
  if (!first || typeof first !== 'object') return {};
  const o = first as Record<string, unknown>;
  return {
    key: typeof o.error_key === 'string' ? o.error_key : undefined,
    message: typeof o.error_message === 'string' ? o.error_message : undefined,
  };
}

function failure(res: HttpResponse, target: string): UpstreamError {
  const { key, message } = errorKey(res.body);
  const detail = [key, message].filter(Boolean).join(': ') || undefined;
  const retryAfter = Number(headerValue(res.headers, 'retry-after'));
  const opts = {
    status: res.status,
    detail,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  };
  const summary = `${target} answered ${res.status}${detail ? ` (${detail})` : ''}`;
  switch (true) {
    case res.status === 404:
      return new UpstreamError('not_found', 'constant-contact', summary, opts);
    case res.status === 401:
      return new UpstreamError('unauthorized', 'constant-contact', summary, opts);
    case res.status === 403:
      return new UpstreamError('forbidden', 'constant-contact', summary, opts);
    case res.status === 429 && key === 'quota_exceeded':
      return new UpstreamError('quota_exceeded', 'constant-contact', summary, opts);
    case res.status === 429:
      return new UpstreamError('throttled', 'constant-contact', summary, opts);
    case res.status === 400:
      return new UpstreamError('bad_request', 'constant-contact', summary, opts);
    default:
      return new UpstreamError('upstream', 'constant-contact', summary, opts);
  }
}
