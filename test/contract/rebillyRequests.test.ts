import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createHttpClient } from '../../src/partner/httpClient.ts';
import { createRebillyClient, type PlanSearch } from '../../src/partner/rebilly.ts';
import { defaultRetryPolicy } from '../../src/partner/retryPolicy.ts';
import { catalogPlan, type FakeRebilly, startFakeRebilly } from '../helpers/fakeRebilly.ts';

/** Rebilly's published OpenAPI for /plans (a copy of ../shared/api/rebilly/plans.openapi.yaml). */
const spec = parse(readFileSync(join(import.meta.dirname, 'specs/rebilly-plans.openapi.yaml'), 'utf8'));

interface Parameter {
  name: string;
  in: string;
  style?: string;
  explode?: boolean;
  schema: { type: string; minimum?: number; maximum?: number; items?: { type: string } };
}

function resolve<T>(node: { $ref?: string } & Record<string, unknown>): T {
  if (!node.$ref) return node as T;
  return node.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((acc: Record<string, unknown>, key) => acc[key] as Record<string, unknown>, spec) as T;
}

const operation = spec.paths['/plans'].get;
const parameters = (operation.parameters as Array<{ $ref: string }>).map((p) => resolve<Parameter>(p));
const apiKeyHeader = (spec.components.securitySchemes.SecretApiKey.name as string).toLowerCase();

let reb: FakeRebilly;
beforeAll(async () => {
  reb = await startFakeRebilly({ organization: 'org-contract' });
  reb.state.catalog = Array.from({ length: 30 }, (_, i) => catalogPlan(`plan-${i}`));
});
afterAll(() => reb?.close());

const searches: Array<[string, PlanSearch]> = [
  ['the whole catalog', { limit: 10, offset: 0 }],
  ['words with spaces and accents', { q: 'gold plän & co', limit: 10, offset: 0 }],
  [
    'a filter with every operator',
    { filter: 'isActive:true;currency:USD,EUR;name:!Legacy;createdTime:2026-01-01..', limit: 10, offset: 10 },
  ],
  ['a sort on two fields', { sort: '-createdTime,name', limit: 10, offset: 990 }],
  ['the last page Rebilly serves', { q: 'x', limit: 10, offset: 1000 }],
  ['an offset past the cap (clamped)', { limit: 10, offset: 5000 }],
];

describe('requests to Rebilly match its published spec for GET /plans', () => {
  it.each(searches)('%s', async (_name, search) => {
    const client = createRebillyClient({
      http: createHttpClient(),
      apiUrl: reb.url,
      apiKey: reb.apiKey,
      policy: defaultRetryPolicy,
    });
    const before = reb.requests.length;
    await client.searchPlans(search, Date.now() + 5000);
    const [req] = reb.requests.slice(before);
    expect(req, 'one request per search').toBeDefined();

    // The operation's path under the server base (which may end in /organizations/{id}).
    expect(req!.path).toBe('/organizations/org-contract/plans');
    // The SecretApiKey security scheme: the key in its header.
    expect(req!.headers[apiKeyHeader]).toBe(reb.apiKey);

    for (const [name, value] of req!.query) {
      const param = parameters.find((p) => p.name === name && p.in === 'query');
      expect(param, `query parameter ${name} is declared`).toBeDefined();
      const schema = param!.schema;
      if (schema.type === 'integer') {
        expect(value).toMatch(/^\d+$/);
        const n = Number(value);
        if (schema.minimum !== undefined) expect(n).toBeGreaterThanOrEqual(schema.minimum);
        if (schema.maximum !== undefined) expect(n).toBeLessThanOrEqual(schema.maximum);
      }
      if (schema.type === 'array') {
        // form style, explode false: one comma-separated value.
        expect(param!.style).toBe('form');
        expect(param!.explode).toBe(false);
        expect(req!.query.getAll(name)).toHaveLength(1);
        for (const item of value.split(',')) expect(item).toMatch(/^-?[A-Za-z_][\w.]*$/);
      }
      if (schema.type === 'string') expect(req!.query.getAll(name)).toHaveLength(1);
    }
    // Values are percent-encoded: no raw spaces, and `+` never stands for a space.
    expect(req!.rawUrl).not.toMatch(/[ +]/);
  });
});
