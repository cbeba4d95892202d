import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedStore, type Store } from '../../../src/store/createStore.ts';

describe('the embedded store’s cache views', () => {
  let dir: string | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keep a value for its time to live on the store’s clock, then forget it', async () => {
    let clock = Date.UTC(2026, 11, 6, 12);
    dir = mkdtempSync(join(tmpdir(), 'planbot-store-'));
    store = createEmbeddedStore(dir, { now: () => clock });
    const plans = store.namespace('plans');
    await plans.set('acct1', { plan: 'GOLD' }, 60_000);
    await plans.set('acct2', { plan: 'SILVER' });

    // keyv hands the store what is left of the time to live a moment later: a few ms less.
    clock += 59_000;
    expect(await plans.get('acct1')).toEqual({ plan: 'GOLD' });
    clock += 1_000;
    expect(await plans.get('acct1')).toBeUndefined();
    // Without a time to live a value stays, and namespaces do not see each other's keys.
    clock += 86_400_000;
    expect(await plans.get('acct2')).toEqual({ plan: 'SILVER' });
    expect(await store.namespace('other').get('acct2')).toBeUndefined();
  });
});
