import { maxOffset, type PlanSearchPage } from '../billing/catalog.ts';
import type { CatalogPlan } from '../billing/catalog.ts';
import { parseCatalogPlan } from './catalogPlan.ts';
import { NotConfiguredError, UpstreamError } from './errors.ts';
import { type HttpClient, type HttpResponse, headerValue } from './httpClient.ts';
import { withRetries } from './retry.ts';
import type { RetryPolicy } from './retryPolicy.ts';

/** The largest page Rebilly serves; a `Pagination-Limit` outside 1…100 is not believed. */
const maxLimit = 100;

export interface PlanSearch {
  q?: string;
  filter?: string;
  sort?: string;
  limit: number;
  offset: number;
}

export interface RebillyClient {
  /** False for the stand-in planbot uses without a Rebilly API key. */
  readonly configured: boolean;
  searchPlans(search: PlanSearch, deadline: number): Promise<PlanSearchPage>;
}

export interface RebillyOptions {
  http: HttpClient;
  /** `https://api.rebilly.com`, optionally followed by `/organizations/{id}`. */
  apiUrl: string;
  apiKey: string;
  policy: RetryPolicy;
  now?: () => number;
  onRetry?: (error: UpstreamError, delayMs: number) => void;
}

/** Without a Rebilly API key: every search says planbot isn't set up for it. */
export const unconfiguredRebilly: RebillyClient = {
  configured: false,
  async searchPlans() {
    throw new NotConfiguredError('no Rebilly API key is set');
  },
};

/** Query string with every value percent-encoded (spaces as %20, never `+`). */
export function plansQuery(search: PlanSearch): string {
  const params: Array<[string, string]> = [];
  if (search.q) params.push(['q', search.q]);
  if (search.filter) params.push(['filter', search.filter]);
  if (search.sort) params.push(['sort', search.sort]);
  params.push(['limit', String(search.limit)], ['offset', String(Math.min(Math.max(0, search.offset), maxOffset))]);
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

export function createRebillyClient(o: RebillyOptions): RebillyClient {
  const now = o.now ?? Date.now;
  const base = o.apiUrl.replace(/\/+$/, '');
  return {
    configured: true,
    async searchPlans(search, deadline) {
      const res = await withRetries(
        async (timeoutMs) => {
          const r = await o.http({
            api: 'rebilly',
            method: 'GET',
            url: `${base}/plans?${plansQuery(search)}`,
            headers: { 'REB-APIKEY': o.apiKey, accept: 'application/json' },
            timeoutMs,
          });
          if (r.status === 200) return r;
          throw failure(r, now());
        },
        { api: 'rebilly', policy: o.policy, deadline, now, onRetry: o.onRetry },
      );
      // Never more than was asked for: a longer answer would not fit in one message (50 blocks).
      const items: unknown[] = Array.isArray(res.body) ? res.body.slice(0, search.limit) : [];
      const total = Number(headerValue(res.headers, 'pagination-total'));
      const limit = Number(headerValue(res.headers, 'pagination-limit'));
      const offset = Number(headerValue(res.headers, 'pagination-offset'));
      return {
        plans: items.map(parseCatalogPlan).filter((p): p is CatalogPlan => p !== null),
        total: Number.isFinite(total) && total >= 0 ? total : null,
        // The paging buttons step by this: a fraction or an absurd number would make offsets no button can carry.
        limit:
          Number.isInteger(limit) && limit >= 1 && limit <= maxLimit ? Math.min(limit, search.limit) : search.limit,
        offset: Number.isFinite(offset) && offset >= 0 ? offset : search.offset,
      };
    },
  };
}

/** Reads a problem+json body: `title` and `detail`, plus any invalid fields. */
export function problemDetail(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return typeof body === 'string' ? body.slice(0, 300) : undefined;
  const p = body as Record<string, unknown>;
  const parts = [p.title, p.detail].filter((x): x is string => typeof x === 'string' && x !== '');
  if (Array.isArray(p.invalidFields)) {
    for (const f of p.invalidFields.slice(0, 3)) {
      const field = f && typeof f === 'object' ? (f as Record<string, unknown>) : {};
      if (typeof field.message === 'string')
        parts.push(`${typeof field.field === 'string' ? field.field : ''}: ${field.message}`);
    }
  }
  return parts.length ? parts.join(' — ').slice(0, 300) : undefined;
}

function failure(res: HttpResponse, nowMs: number): UpstreamError {
  const detail = problemDetail(res.body);
  const opts = { status: res.status, detail };
  const summary = `GET /plans answered ${res.status}${detail ? ` (${detail})` : ''}`;
  if (res.status === 429) {
    // X-RateLimit-Retry-After is a Unix time (seconds) at which the limit resets.
    const resetAt = Number(headerValue(res.headers, 'x-ratelimit-retry-after'));
    const retryAfterMs = Number.isFinite(resetAt) && resetAt > 0 ? Math.max(0, resetAt * 1000 - nowMs) : undefined;
    return new UpstreamError('throttled', 'rebilly', summary, { ...opts, retryAfterMs });
  }
  if (res.status === 401) return new UpstreamError('unauthorized', 'rebilly', summary, opts);
  if (res.status === 403) return new UpstreamError('forbidden', 'rebilly', summary, opts);
  if (res.status === 404) return new UpstreamError('not_found', 'rebilly', summary, opts);
  if (res.status === 400 || res.status === 422) return new UpstreamError('bad_request', 'rebilly', summary, opts);
  return new UpstreamError('upstream', 'rebilly', summary, opts);
}
