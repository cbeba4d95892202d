import { planPath } from './accountId.ts';
import { UpstreamError } from './errors.ts';
import { type HttpClient, type HttpResponse, headerValue } from './httpClient.ts';
import type { RateGate } from './rateGate.ts';
import { withRetries } from './retry.ts';
import type { RetryPolicy } from './retryPolicy.ts';
import type { TokenProvider } from './tokenProvider.ts';
import { type AccountsPage, parseAccountsPage, parseBillingPlan } from './parse.ts';
import { type BillingPlan } from '../billing/plan.ts';

/** The partner API as planbot uses it. No Slack here. */
export interface ConstantContactClient {
  getPlan(accountId: string, deadline: number): Promise<BillingPlan>;
  /**
   * One page of the partner's client accounts: no offset for the first page, then the previous
   * page's `nextOffset`. An answer that cannot be part of a complete list fails as `upstream`.
   */
  listAccounts(page: { offset?: string }, deadline: number): Promise<AccountsPage>;
}

export interface ConstantContactOptions {
  http: HttpClient;
  apiUrl: string;
  apiKey: string;
  tokens: TokenProvider;
  gate: RateGate;
  policy: RetryPolicy;
  now?: () => number;
  onRetry?: (error: UpstreamError, delayMs: number) => void;
}

/** The most accounts the list gives per page (it allows 10–50). */
export const accountsPageSize = 50;

export function createConstantContactClient(o: ConstantContactOptions): ConstantContactClient {
  const now = o.now ?? Date.now;

  /** One gated request with the current token; a 401 swaps the token and tries once more. */
  async function send(path: string, deadline: number, timeoutMs: number): Promise<HttpResponse> {
    for (let tokenRetry = 0; ; tokenRetry++) {
      await o.gate.acquire(deadline);
      const token = await o.tokens.get(deadline);
      const res = await o.http({
        api: 'constant-contact',
        method: 'GET',
        url: `${o.apiUrl}${path}`,
        headers: { 'x-api-key': o.apiKey, authorization: `Bearer ${token}`, accept: 'application/json' },
        timeoutMs: Math.max(1, Math.min(timeoutMs, deadline - now())),
      });
      if (res.status === 401 && tokenRetry === 0) {
        // The token died early (revoked, clock skew): a fresh one, and one more try.
        await o.tokens.invalidate(token);
        continue;
      }
      return res;
    }
  }

  /** A GET answered 200, with the retry policy applied; `target` names the call in errors. */
  async function get(path: string, target: string, deadline: number): Promise<HttpResponse> {
    return withRetries(
      async (timeoutMs) => {
        const r = await send(path, deadline, timeoutMs);
        if (r.status === 200) return r;
        throw failure(r, target);
      },
      { api: 'constant-contact', policy: o.policy, deadline, now, onRetry: o.onRetry },
    );
  }

  return {
    async getPlan(accountId, deadline) {
      const path = planPath(accountId);
      const res = await get(path, `GET ${path}`, deadline);
      return parseBillingPlan(res.body);
    },

    async listAccounts(page, deadline) {
      // The offset is opaque and only ever sent back to our own API URL, encoded as one parameter.
      const path = `/partner/accounts?limit=${accountsPageSize}${page.offset === undefined ? '' : `&offset=${encodeURIComponent(page.offset)}`}`;
      const target = 'GET /partner/accounts';
      const res = await get(path, target, deadline);
      const parsed = parseAccountsPage(res.body);
      if (parsed.problem)
        throw new UpstreamError('upstream', 'constant-contact', `${target} answered 200 but ${parsed.problem}`, {
          status: 200,
        });
      return parsed;
    },
  };
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
