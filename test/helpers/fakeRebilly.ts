import { delay, json, serve } from './http.ts';

export interface RebillyRequest {
  path: string;
  rawUrl: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Date.now() when it arrived. */
  at: number;
}

interface Scripted {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * A local Rebilly `GET /plans` (optionally under `/organizations/{id}`): REB-APIKEY auth, `q`,
 * `filter` (`field:value`, `,` OR, `;` AND, `!` not), `sort`, `limit`, `offset` capped at 1000,
 * Pagination-* headers and problem+json errors.
 */
export async function startFakeRebilly(options: { apiKey?: string; organization?: string } = {}) {
  const apiKey = options.apiKey ?? 'reb-test-key';
  const state = {
    catalog: [] as Array<Record<string, unknown>>,
    requests: [] as RebillyRequest[],
    scripted: [] as Scripted[],
    delayMs: 0,
  };
  const prefix = options.organization ? `/organizations/${options.organization}` : '';

  const server = await serve(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    state.requests.push({
      path: url.pathname,
      rawUrl: req.url ?? '',
      query: url.searchParams,
      headers: req.headers,
      at: Date.now(),
    });
    if (state.delayMs) await delay(state.delayMs);
    const problem = (status: number, title: string, detail: string, headers: Record<string, string> = {}) =>
      json(
        res,
        status,
        { type: 'about:blank', title, status, detail },
        { 'content-type': 'application/problem+json', ...headers },
      );
    if (req.method !== 'GET' || url.pathname !== `${prefix}/plans`)
      return problem(404, 'Not Found', 'No such resource');
    if (req.headers['reb-apikey'] !== apiKey) return problem(401, 'Unauthorized', 'Invalid credentials were used');
    const scripted = state.scripted.shift();
    if (scripted) {
      if (scripted.delayMs) await delay(scripted.delayMs);
      return json(res, scripted.status, scripted.body, {
        'content-type': 'application/problem+json',
        ...scripted.headers,
      });
    }
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const filter = url.searchParams.get('filter') ?? '';
    const matchesFilter = (p: Record<string, unknown>) =>
      filter
        .split(';')
        .filter(Boolean)
        .every((clause) => {
          const colon = clause.indexOf(':');
          const actual = String(p[clause.slice(0, colon)] ?? '');
          return clause
            .slice(colon + 1)
            .split(',')
            .some((v) => (v.startsWith('!') ? actual !== v.slice(1) : actual === v));
        });
    let found = state.catalog.filter(
      (p) =>
        (!q ||
          [p.id, p.name, p.description].some((t) =>
            String(t ?? '')
              .toLowerCase()
              .includes(q),
          )) &&
        matchesFilter(p),
    );
    const sort = url.searchParams.get('sort');
    if (sort) {
      const keys = sort.split(',');
      found = [...found].sort((a, b) => {
        for (const key of keys) {
          const desc = key.startsWith('-');
          const field = key.replace(/^-/, '');
          const cmp = String(a[field] ?? '').localeCompare(String(b[field] ?? ''));
          if (cmp) return desc ? -cmp : cmp;
        }
        return 0;
      });
    }
    const limit = Math.min(1000, Math.max(0, Number(url.searchParams.get('limit') ?? 100)));
    const offset = Math.min(1000, Math.max(0, Number(url.searchParams.get('offset') ?? 0)));
    json(res, 200, found.slice(offset, offset + limit), {
      'pagination-total': String(found.length),
      'pagination-limit': String(limit),
      'pagination-offset': String(offset),
    });
  });

  return {
    state,
    apiKey,
    url: `${server.url}${prefix}`,
    close: server.close,
    get requests() {
      return state.requests;
    },
  };
}

export type FakeRebilly = Awaited<ReturnType<typeof startFakeRebilly>>;

/** A plan in today's shape; override what a test cares about. */
export function catalogPlan(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Plan ${id}`,
    productId: 'prod-email',
    currency: 'USD',
    isActive: true,
    isTrialOnly: false,
    pricing: { formula: 'fixed-fee', price: 49 },
    recurringInterval: { unit: 'month', length: 1 },
    trial: null,
    setup: null,
    createdTime: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}
