import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndex, IndexBuildError } from '../../src/accounts/accountIndex.ts';
import { createAccountIndexStore } from '../../src/accounts/indexStore.ts';
import { searchAccounts } from '../../src/accounts/search.ts';
import { createConstantContactClient } from '../../src/partner/constantContact.ts';
import { createHttpClient } from '../../src/partner/httpClient.ts';
import { createRateGate } from '../../src/partner/rateGate.ts';
import { defaultRetryPolicy } from '../../src/partner/retryPolicy.ts';
import { TokenProvider } from '../../src/partner/tokenProvider.ts';
import { createEmbeddedStore, type Store } from '../../src/store/createStore.ts';
import { partnerAccount, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A fake Constant Contact and a replica's partner client wired as planbot wires them, on a store of its own. */
async function setup({ rateLimit = 10, accounts = 0 } = {}) {
  const cc = await startFakeConstantContact();
  cc.partnerAccounts = Array.from({ length: accounts }, (_, i) => partnerAccount(i));
  const dataDir = mkdtempSync(join(tmpdir(), 'planbot-accounts-'));
  const store = createEmbeddedStore(dataDir);
  cleanups.push(
    cc.close,
    () => store.close(),
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
  return { cc, store, replica: () => replica(cc, store, rateLimit) };
}

function replica(cc: Awaited<ReturnType<typeof startFakeConstantContact>>, store: Store, rateLimit: number) {
  const http = createHttpClient();
  const client = createConstantContactClient({
    http,
    apiUrl: cc.apiUrl,
    apiKey: cc.clientId,
    tokens: new TokenProvider({
      http,
      tokenUrl: cc.tokenUrl,
      clientId: cc.clientId,
      clientSecret: cc.clientSecret,
      store: store.namespace('tokens'),
      lock: store,
      policy: defaultRetryPolicy,
    }),
    gate: createRateGate({ api: 'constant-contact', ratePerSecond: rateLimit }),
    policy: defaultRetryPolicy,
  });
  const index = createAccountIndexStore({ store, build: () => buildIndex({ client, deadlinePerPage: 10_000 }) });
  return { client, index };
}

describe('the account index', () => {
  it('walks every page within CC_RATE_LIMIT on one shared token, alongside people’s lookups', async () => {
    const { cc, replica } = await setup({ rateLimit: 10, accounts: 350 });
    cc.state.maxPageSize = 20;
    cc.state.enforceRate = 10;
    cc.accounts.set('a00000000007', samplePlans.open);
    const { client, index } = replica();

    const [result, plans] = await Promise.all([
      index.refresh(),
      Promise.all([1, 2, 3].map(() => client.getPlan('a00000000007', Date.now() + 10_000))),
    ]);

    expect(result.status).toBe('built');
    const built = result.status === 'built' ? result.index : undefined;
    expect(built?.accounts).toHaveLength(350);
    expect(new Set(built?.accounts.map((a) => a.id)).size).toBe(350);
    expect(built?.accounts[349]).toMatchObject({
      id: 'a00000000349',
      organizationName: 'Organization 349',
      subscriberCount: 449,
    });
    expect(plans.every((p) => p.planType === 'GOOD')).toBe(true);
    expect(cc.listRequests()).toHaveLength(18);
    expect(cc.listRequests()[0]?.rawPath).toBe('/v3/partner/accounts?limit=50');
    expect(cc.listRequests()[1]?.rawPath).toMatch(/^\/v3\/partner\/accounts\?limit=50&offset=[A-Za-z0-9_-]+$/);
    expect(cc.peakPerSecond()).toBeLessThanOrEqual(10);
    expect(cc.state.throttledAnswers).toBe(0);
    expect(cc.state.tokenFetches).toBe(1);
    expect(new Set(cc.state.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer jwt-1']));

    // Another replica on the same store reads the stored index and searches it.
    const stored = await replica().index.load();
    expect(stored?.accounts).toEqual(built?.accounts);
    expect(searchAccounts(stored!, 'organization 123')).toMatchObject({ kind: 'one', account: { id: 'a00000000123' } });
  });

  it('keeps the previous index when a walk fails midway, and builds again afterwards', async () => {
    const { cc, replica } = await setup({ accounts: 100 });
    const { index } = replica();
    const first = await index.refresh();
    expect(first.status === 'built' && first.index.accounts).toHaveLength(100);

    cc.partnerAccounts = Array.from({ length: 300 }, (_, i) => partnerAccount(i));
    cc.state.scriptedPages.set(150, [
      { status: 429, body: { error_key: 'quota_exceeded', error_message: 'Daily quota exceeded' } },
    ]);
    const error = await index.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexBuildError);
    expect(error).toMatchObject({ code: 'upstream', pages: 3, cause: { code: 'quota_exceeded' } });

    expect((await index.load())?.accounts).toHaveLength(100);
    expect((await replica().index.load())?.accounts).toHaveLength(100);
    expect(await index.building()).toBe(false);

    // The claim was given back: the next refresh walks again.
    const again = await index.refresh();
    expect(again.status === 'built' && again.index.accounts).toHaveLength(300);
    expect((await replica().index.load())?.accounts).toHaveLength(300);
  });

  it('is built by one replica at a time: another replica’s refresh meanwhile skips', async () => {
    const { cc, replica } = await setup({ accounts: 120 });
    cc.state.apiDelayMs = 100;
    const a = replica();
    const b = replica();
    const walking = a.index.refresh();
    await expect.poll(() => cc.listRequests().length).toBeGreaterThan(0);
    const [fromA, fromB] = await Promise.all([walking, b.index.refresh()]);
    expect(await b.index.building()).toBe(false);

    expect(fromA.status).toBe('built');
    expect(fromB).toEqual({ status: 'busy' });
    expect(cc.listRequests()).toHaveLength(3);
    expect((await b.index.load())?.accounts).toHaveLength(120);
  });

  it('tells another replica the index is being built while the walk runs', async () => {
    const { cc, replica } = await setup({ accounts: 120 });
    cc.state.apiDelayMs = 150;
    const a = replica();
    const b = replica();
    expect(await b.index.building()).toBe(false);
    const walking = a.index.refresh();
    await expect.poll(() => cc.listRequests().length).toBeGreaterThan(0);
    expect(await b.index.building()).toBe(true);
    expect(await b.index.load()).toBeUndefined();
    await walking;
    expect(await b.index.building()).toBe(false);
  });

  it('walks once for two refreshes at once on one replica', async () => {
    const { cc, replica } = await setup({ accounts: 120 });
    const { index } = replica();
    const [x, y] = await Promise.all([index.refresh(), index.refresh()]);
    expect(x.status).toBe('built');
    expect(y).toBe(x);
    expect(cc.listRequests()).toHaveLength(3);
  });

  it('skips a walk when another replica has just stored a fresh index', async () => {
    const { cc, replica } = await setup({ accounts: 60 });
    await replica().index.refresh();
    const again = await replica().index.refresh({ ifOlderThanMs: 60_000 });
    expect(again.status).toBe('fresh');
    expect(cc.listRequests()).toHaveLength(2);
  });
});
