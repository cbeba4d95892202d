import { describe, expect, it } from 'vitest';
import { buildIndex, defaultMaxPages, IndexBuildError } from '../../../src/accounts/accountIndex.ts';
import { UpstreamError } from '../../../src/partner/errors.ts';
import type { AccountsPage } from '../../../src/partner/parse.ts';
import type { PartnerAccount } from '../../../src/billing/account.ts';

const account = (id: string, organizationName = id): PartnerAccount => ({
  id,
  organizationName,
  siteOwnerName: null,
  billingStatus: null,
  subscriberCount: null,
  lastLoginDate: null,
});

/** The list API as a table: the page for each offset (`''` = first), recording what was asked. */
function fakeClient(pages: Record<string, AccountsPage | Error>) {
  const asked: Array<{ offset: string | undefined; deadline: number }> = [];
  return {
    asked,
    client: {
      async listAccounts(page: { offset?: string }, deadline: number): Promise<AccountsPage> {
        asked.push({ offset: page.offset, deadline });
        const answer = pages[page.offset ?? ''];
        if (answer === undefined) throw new Error(`no page for ${page.offset}`);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  };
}

const page = (ids: string[], nextOffset?: string, skipped = 0): AccountsPage => ({
  accounts: ids.map((id) => account(id)),
  nextOffset,
  skipped,
});

describe('buildIndex', () => {
  it('walks every page in order, each with its own deadline, and stamps the time it finished', async () => {
    const { client, asked } = fakeClient({ '': page(['a1', 'a2'], 'p2'), p2: page(['a3'], 'p3', 2), p3: page(['a4']) });
    let clock = 1000;
    const progress: unknown[] = [];
    const index = await buildIndex({
      client,
      deadlinePerPage: 500,
      now: () => (clock += 10),
      onPage: (p) => progress.push(p),
    });
    expect(index.accounts.map((a) => a.id)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(index.builtAt).toBe(1040);
    expect(asked).toEqual([
      { offset: undefined, deadline: 1510 },
      { offset: 'p2', deadline: 1520 },
      { offset: 'p3', deadline: 1530 },
    ]);
    expect(progress).toEqual([
      { pages: 1, accounts: 2, skipped: 0 },
      { pages: 2, accounts: 3, skipped: 2 },
      { pages: 3, accounts: 4, skipped: 2 },
    ]);
  });

  it('lists an account seen on two pages once, as last seen', async () => {
    const moved = { ...page(['a2', 'a3']), accounts: [account('a2', 'Renamed'), account('a3')] };
    const { client } = fakeClient({ '': page(['a1', 'a2'], 'p2'), p2: moved });
    const index = await buildIndex({ client, deadlinePerPage: 500 });
    expect(index.accounts.map((a) => [a.id, a.organizationName])).toEqual([
      ['a1', 'a1'],
      ['a2', 'Renamed'],
      ['a3', 'a3'],
    ]);
  });

  it('builds an empty index when the partner has no accounts', async () => {
    const { client } = fakeClient({ '': page([]) });
    await expect(buildIndex({ client, deadlinePerPage: 500, now: () => 7 })).resolves.toEqual({
      builtAt: 7,
      accounts: [],
    });
  });

  it('fails as upstream when a page fails, with the API’s error as the cause', async () => {
    const quota = new UpstreamError('quota_exceeded', 'constant-contact', 'GET /partner/accounts answered 429');
    const { client } = fakeClient({ '': page(['a1'], 'p2'), p2: quota });
    const error = await buildIndex({ client, deadlinePerPage: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexBuildError);
    expect(error).toMatchObject({ code: 'upstream', pages: 1, cause: quota });
  });

  it('walks a 250,000-account list (5,000 pages) with room, and stops at the default page limit', async () => {
    let asked = 0;
    const endless = {
      listAccounts: async (p: { offset?: string }) => {
        asked++;
        return page([`a${p.offset ?? 0}`], String(Number(p.offset ?? 0) + 1));
      },
    };
    expect(defaultMaxPages).toBeGreaterThanOrEqual(2 * 5_000);
    await expect(buildIndex({ client: endless, deadlinePerPage: 500 })).rejects.toMatchObject({
      code: 'too_many_pages',
      pages: defaultMaxPages,
    });
    expect(asked).toBe(defaultMaxPages);
  });

  it('stops when an offset comes back, instead of walking in a circle', async () => {
    const { client, asked } = fakeClient({ '': page(['a1'], 'p2'), p2: page(['a2'], 'p3'), p3: page(['a3'], 'p2') });
    await expect(buildIndex({ client, deadlinePerPage: 500 })).rejects.toMatchObject({
      code: 'offset_repeated',
      pages: 3,
    });
    expect(asked).toHaveLength(3);
  });

  it('stops at the page limit', async () => {
    const endless = {
      listAccounts: async (p: { offset?: string }) => page([`a${p.offset ?? 0}`], String(Number(p.offset ?? 0) + 1)),
    };
    await expect(buildIndex({ client: endless, deadlinePerPage: 500, maxPages: 5 })).rejects.toMatchObject({
      code: 'too_many_pages',
      pages: 5,
    });
  });

  it('stops between pages once aborted', async () => {
    const controller = new AbortController();
    const { client, asked } = fakeClient({ '': page(['a1'], 'p2'), p2: page(['a2'], 'p3'), p3: page(['a3']) });
    const walk = buildIndex({
      client,
      deadlinePerPage: 500,
      signal: controller.signal,
      onPage: ({ pages }) => pages === 2 && controller.abort(),
    });
    await expect(walk).rejects.toMatchObject({ code: 'aborted', pages: 2 });
    expect(asked).toHaveLength(2);
  });
});
