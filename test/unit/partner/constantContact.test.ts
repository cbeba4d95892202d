import { answer, fakePartnerHttp } from '../../helpers/partnerHttp.ts';
import { describe, expect, it } from 'vitest';
import { errorKey } from '../../../src/partner/constantContact.ts';
import { UpstreamError, type UpstreamFailure } from '../../../src/partner/errors.ts';
import type { HttpResponse } from '../../../src/partner/httpClient.ts';

describe('errorKey', () => {
  it.each([
    {
      name: 'an error object',
      body: { error_key: 'quota_exceeded', error_message: 'Daily quota reached' },
      want: { key: 'quota_exceeded', message: 'Daily quota reached' },
    },
    {
      name: 'a list of errors (the first counts)',
      body: [{ error_key: 'not_found' }, { error_key: 'other' }],
      want: { key: 'not_found', message: undefined },
    },
    {
      name: 'fields of the wrong type',
      body: { error_key: 429, error_message: ['x'] },
      want: { key: undefined, message: undefined },
    },
    { name: 'an empty list', body: [], want: {} },
    { name: 'plain text', body: 'Too Many Requests', want: {} },
    { name: 'no body', body: undefined, want: {} },
    { name: 'null', body: null, want: {} },
  ])('reads $name', ({ body, want }) => {
    expect(errorKey(body)).toEqual(want);
  });
});

const plan = { plan_type: 'GOOD', current_tiers: [], billing_status: 'Open', billing_day_of_month: 29 };

/** The partner client over a fake HTTP boundary; `planRequests` are the calls that reached the API. */
function fakeApi(planAnswers: HttpResponse[]) {
  const { client, apiRequests } = fakePartnerHttp(planAnswers);
  return { client, planRequests: apiRequests };
}

const deadline = () => Date.now() + 5000;

describe('the Constant Contact client', () => {
  it('asks for the account’s plan with the API key and a partner token, and reads the answer', async () => {
    const { client, planRequests } = fakeApi([answer(200, plan)]);
    await expect(client.getPlan('a07e1lxtnhz0', deadline())).resolves.toEqual({
      planType: 'GOOD',
      billingStatus: 'Open',
      billingDayOfMonth: 29,
      tiers: [],
    });
    const [req] = planRequests();
    expect(req).toMatchObject({
      method: 'GET',
      url: 'https://api.test/v3/partner/accounts/a07e1lxtnhz0/plan',
      headers: { 'x-api-key': 'api-key-1', authorization: 'Bearer jwt-1' },
    });
  });

  it.each<{ name: string; res: HttpResponse; code: UpstreamFailure }>([
    {
      name: '404 means no such account',
      res: answer(404, [{ error_key: 'not_found', error_message: 'no account' }]),
      code: 'not_found',
    },
    { name: '403 means forbidden', res: answer(403), code: 'forbidden' },
    { name: '400 means the API refused the request', res: answer(400, 'bad'), code: 'bad_request' },
    {
      name: '429 with quota_exceeded means the daily quota is spent',
      res: answer(429, { error_key: 'quota_exceeded' }),
      code: 'quota_exceeded',
    },
    {
      name: '429 without quota_exceeded means throttled',
      res: answer(429, { error_key: 'too_many_requests' }),
      code: 'throttled',
    },
    { name: '500 is an upstream failure', res: answer(500, '<html>oops</html>'), code: 'upstream' },
    { name: '302 is an upstream failure', res: answer(302), code: 'upstream' },
  ])('$name', async ({ res, code }) => {
    const { client } = fakeApi([res]);
    const error = await client.getPlan('a07e1lxtnhz0', deadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code, api: 'constant-contact', status: res.status });
  });

  it('keeps the API’s own explanation for the log', async () => {
    const { client } = fakeApi([answer(404, [{ error_key: 'account.not_found', error_message: 'No such account' }])]);
    const error = await client.getPlan('a07e1lxtnhz0', deadline()).catch((e: unknown) => e);
    expect(error).toMatchObject({ detail: 'account.not_found: No such account' });
  });

  it('a token refused with 401 is swapped for a fresh one and the request tried once more', async () => {
    const { client, planRequests } = fakeApi([answer(401), answer(200, plan)]);
    await expect(client.getPlan('a07e1lxtnhz0', deadline())).resolves.toMatchObject({ planType: 'GOOD' });
    expect(planRequests().map((r) => r.headers?.authorization)).toEqual(['Bearer jwt-1', 'Bearer jwt-2']);
  });

  it('a second 401 in a row is reported as unauthorized', async () => {
    const { client, planRequests } = fakeApi([answer(401), answer(401), answer(200, plan)]);
    const error = await client.getPlan('a07e1lxtnhz0', deadline()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(planRequests()).toHaveLength(2);
  });

  it.each(['../admin', 'a/b', '%2e%2e', ''])('refuses %j as an account id without sending anything', async (id) => {
    const { client, planRequests } = fakeApi([answer(200, plan)]);
    await expect(client.getPlan(id, deadline())).rejects.toThrow(TypeError);
    expect(planRequests()).toEqual([]);
  });
});
