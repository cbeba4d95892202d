import { answer, fakePartnerHttp } from '../../helpers/partnerHttp.ts';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/partner/errors.ts';
import type { HttpResponse } from '../../../src/partner/httpClient.ts';

const fakeApi = (answers: HttpResponse[]) => fakePartnerHttp(answers, 2);

const deadline = () => Date.now() + 5000;
const account = { encoded_account_id: 'a08e1izvh8t9', organization_name: 'Zenomatic' };

describe('listing the partner’s accounts', () => {
  it('asks for the first page, 50 at a time, with the API key and a partner token', async () => {
    const { client, apiRequests } = fakeApi([
      answer(200, {
        site_owner_list: [account],
        _links: { next: { href: '/v3/partner/accounts?offset=NTA&limit=50' } },
      }),
    ]);
    const page = await client.listAccounts({}, deadline());
    expect(page).toMatchObject({
      accounts: [{ id: 'a08e1izvh8t9', organizationName: 'Zenomatic' }],
      nextOffset: 'NTA',
    });
    expect(apiRequests()).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: 'https://api.test/v3/partner/accounts?limit=50',
        headers: { 'x-api-key': 'api-key-1', authorization: 'Bearer jwt-1', accept: 'application/json' },
      }),
    ]);
  });

  it('sends the offset back encoded, always to its own API URL whatever host the next link named', async () => {
    const { client, apiRequests } = fakeApi([
      answer(200, {
        site_owner_list: [],
        _links: { next: { href: 'https://evil.example/x?offset=a%26b%3D%2F..%2F&limit=50' } },
      }),
      answer(200, { site_owner_list: [] }),
    ]);
    const first = await client.listAccounts({}, deadline());
    expect(first.nextOffset).toBe('a&b=/../');
    await client.listAccounts({ offset: first.nextOffset }, deadline());
    expect(apiRequests()[1]?.url).toBe('https://api.test/v3/partner/accounts?limit=50&offset=a%26b%3D%2F..%2F');
  });

  it('retries a throttled page and shares the token across pages', async () => {
    const { client, apiRequests } = fakeApi([
      answer(429, { error_key: 'throttled' }),
      answer(200, { site_owner_list: [account] }),
    ]);
    await expect(client.listAccounts({ offset: 'x' }, deadline())).resolves.toMatchObject({
      accounts: [{ id: 'a08e1izvh8t9' }],
    });
    expect(apiRequests().map((r) => r.headers?.authorization)).toEqual(['Bearer jwt-1', 'Bearer jwt-1']);
  });

  it.each([
    { status: 429, body: { error_key: 'quota_exceeded' }, code: 'quota_exceeded' },
    { status: 403, body: [{ error_key: 'forbidden' }], code: 'forbidden' },
    { status: 400, body: [{ error_key: 'bad_request', error_message: 'offset is invalid' }], code: 'bad_request' },
  ])('fails as $code on a $status', async ({ status, body, code }) => {
    const { client } = fakeApi([answer(status, body)]);
    const error = await client.listAccounts({ offset: 'x' }, deadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code, status, message: expect.stringContaining('GET /partner/accounts answered') });
  });

  it.each([
    { name: 'an answer without the list', body: '<html>Bad Gateway</html>' },
    {
      name: 'a next link without an offset',
      body: { site_owner_list: [account], _links: { next: { href: '/v3/partner/accounts?limit=50' } } },
    },
  ])('fails as upstream on $name, so a walk never ends early looking complete', async ({ body }) => {
    const { client, apiRequests } = fakeApi([answer(200, body)]);
    await expect(client.listAccounts({}, deadline())).rejects.toMatchObject({ code: 'upstream', status: 200 });
    expect(apiRequests()).toHaveLength(1);
  });
});
