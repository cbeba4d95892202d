import { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { startSamplePartnerApi } from '../../src/demo/samplePartnerApi.ts';
import { createConstantContactClient } from '../../src/partner/constantContact.ts';
import { UpstreamError } from '../../src/partner/errors.ts';
import { createHttpClient } from '../../src/partner/httpClient.ts';
import { createRateGate } from '../../src/partner/rateGate.ts';
import type { RetryPolicy } from '../../src/partner/retryPolicy.ts';
import { TokenProvider } from '../../src/partner/tokenProvider.ts';
import { samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { json, serve, waitFor } from '../helpers/http.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const policy: RetryPolicy = { limit: 2, baseDelayMs: 5, maxDelayMs: 10, attemptTimeoutMs: 2000 };
const deadline = () => Date.now() + 5000;

/** The partner client over real HTTP, wired as planbot wires it. */
function clientFor(api: { apiUrl: string; tokenUrl: string; apiKey: string; clientId: string; clientSecret: string }) {
  const http = createHttpClient();
  return createConstantContactClient({
    http,
    apiUrl: api.apiUrl,
    apiKey: api.apiKey,
    tokens: new TokenProvider({
      http,
      tokenUrl: api.tokenUrl,
      clientId: api.clientId,
      clientSecret: api.clientSecret,
      store: new Keyv(),
      policy,
    }),
    gate: createRateGate({ api: 'constant-contact', ratePerSecond: 100 }),
    policy,
  });
}

async function setup(options: Parameters<typeof startFakeConstantContact>[0] = {}) {
  const cc = await startFakeConstantContact(options);
  cleanups.push(cc.close);
  return { cc, client: clientFor(cc) };
}

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local webhook receiver answering each POST with the next status (then 204). */
async function startHook(statuses: number[] = []) {
  const received: Received[] = [];
  const server = await serve((req, res, body) => {
    received.push({ path: req.url ?? '', headers: req.headers, body });
    json(res, statuses.shift() ?? 204, undefined);
  });
  cleanups.push(server.close);
  return { url: `${server.url}/hooks/s3cret`, received };
}

describe('the Constant Contact client’s webhook subscriptions, against the fake over HTTP', () => {
  it('lists topics 1–4 as unsubscribed at first, with the partner’s key and token', async () => {
    const { cc, client } = await setup();
    await expect(client.listSubscriptions(deadline())).resolves.toEqual([
      { topicId: 1, hookUri: null },
      { topicId: 2, hookUri: null },
      { topicId: 3, hookUri: null },
      { topicId: 4, hookUri: null },
    ]);
    expect(cc.subscriptionRequests()).toMatchObject([
      {
        method: 'GET',
        path: '/v3/partner/webhooks/subscriptions',
        headers: { 'x-api-key': cc.apiKey, authorization: 'Bearer jwt-1' },
      },
    ]);
  });

  it('points a topic at a hook with PUT {"hook_uri"} and then lists it with its name', async () => {
    const { cc, client } = await setup();
    const hook = 'http://127.0.0.1:9/hooks/abc';
    await expect(client.putSubscription(2, hook, deadline())).resolves.toBeUndefined();
    const [put] = cc.subscriptionRequests();
    expect(put).toMatchObject({
      method: 'PUT',
      path: '/v3/partner/webhooks/subscriptions/2',
      headers: { 'content-type': 'application/json', 'x-api-key': cc.apiKey, authorization: 'Bearer jwt-1' },
    });
    expect(JSON.parse(put!.body!)).toEqual({ hook_uri: hook });
    expect(cc.state.subscriptions.get(2)).toBe(hook);
    const listed = await client.listSubscriptions(deadline());
    expect(listed.find((s) => s.topicId === 2)).toEqual({ topicId: 2, hookUri: hook, name: 'Billing Tier Downgrade' });
    expect(listed.filter((s) => s.hookUri === null).map((s) => s.topicId)).toEqual([1, 3, 4]);
  });

  it('lists the subscriptions the fake was started with', async () => {
    const { client } = await setup({ subscriptions: { 1: 'https://a.example/1', 4: 'https://a.example/4' } });
    const listed = await client.listSubscriptions(deadline());
    expect(listed.map((s) => [s.topicId, s.hookUri])).toEqual([
      [1, 'https://a.example/1'],
      [2, null],
      [3, null],
      [4, 'https://a.example/4'],
    ]);
  });

  it('replacing a hook is one more PUT to the same topic', async () => {
    const { cc, client } = await setup({ subscriptions: { 1: 'https://old.example/h' } });
    await client.putSubscription(1, 'https://new.example/h', deadline());
    expect(cc.state.subscriptions.get(1)).toBe('https://new.example/h');
  });

  it.each([
    { name: 'an ftp URI', hook: 'ftp://h.example/x' },
    { name: 'not a URI', hook: 'hooks/abc' },
    { name: 'a URI of 513 characters', hook: `https://h.example/${'x'.repeat(513 - 'https://h.example/'.length)}` },
  ])('refuses $name as bad_request, without retrying', async ({ hook }) => {
    const { cc, client } = await setup();
    const error = await client.putSubscription(1, hook, deadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'bad_request', status: 400 });
    expect(cc.subscriptionRequests()).toHaveLength(1);
    expect(cc.state.subscriptions.size).toBe(0);
  });

  it('takes a hook URI of exactly 512 characters', async () => {
    const { cc, client } = await setup();
    const hook = `https://h.example/${'x'.repeat(512 - 'https://h.example/'.length)}`;
    await client.putSubscription(3, hook, deadline());
    expect(cc.state.subscriptions.get(3)).toBe(hook);
  });

  it('swaps a refused token and sends the PUT once more, body and all', async () => {
    const { cc, client } = await setup();
    await client.listSubscriptions(deadline());
    cc.revokeAllTokens();
    await client.putSubscription(1, 'https://h.example/1', deadline());
    const puts = cc.subscriptionRequests().filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.headers.authorization, r.body])).toEqual([
      ['Bearer jwt-1', '{"hook_uri":"https://h.example/1"}'],
      ['Bearer jwt-2', '{"hook_uri":"https://h.example/1"}'],
    ]);
    expect(cc.state.subscriptions.get(1)).toBe('https://h.example/1');
  });

  it('retries a PUT that met a 5xx or the per-second throttle', async () => {
    const { cc, client } = await setup();
    cc.state.scriptedWebhooks.set('PUT /v3/partner/webhooks/subscriptions/1', [
      { status: 503, body: [{ error_key: 'unavailable' }] },
      { status: 429, body: { error_key: 'throttled' } },
    ]);
    await client.putSubscription(1, 'https://h.example/1', deadline());
    expect(cc.subscriptionRequests()).toHaveLength(3);
    expect(cc.state.subscriptions.get(1)).toBe('https://h.example/1');
  });

  it.each([
    { status: 403, body: [{ error_key: 'forbidden' }], code: 'forbidden' },
    { status: 429, body: { error_key: 'quota_exceeded' }, code: 'quota_exceeded' },
  ])('maps a $status on PUT to $code', async ({ status, body, code }) => {
    const { cc, client } = await setup();
    cc.state.scriptedWebhooks.set('PUT /v3/partner/webhooks/subscriptions/4', [{ status, body }]);
    await expect(client.putSubscription(4, 'https://h.example/4', deadline())).rejects.toMatchObject({
      code,
      status,
    });
  });

  it('fails a list it cannot read as upstream instead of calling every topic unsubscribed', async () => {
    const { cc, client } = await setup({ subscriptions: { 1: 'https://h.example/1' } });
    cc.state.scriptedWebhooks.set('GET /v3/partner/webhooks/subscriptions', [
      { status: 200, body: { items: [] } },
      { status: 200, body: [{ topic: 1 }] },
    ]);
    await expect(client.listSubscriptions(deadline())).rejects.toMatchObject({ code: 'upstream', status: 200 });
    await expect(client.listSubscriptions(deadline())).rejects.toMatchObject({ code: 'upstream', status: 200 });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses topic %s without sending anything', async (topic) => {
    const { cc, client } = await setup();
    await expect(client.putSubscription(topic, 'https://h.example', deadline())).rejects.toThrow(TypeError);
    await expect(client.requestTestNotification(topic, deadline())).rejects.toThrow(TypeError);
    expect(cc.subscriptionRequests()).toEqual([]);
  });

  it('a test request makes the fake POST a sample notification to the topic’s hook', async () => {
    const { cc, client } = await setup();
    cc.accounts.set('a07e1lxtnhz0', samplePlans.open);
    const hook = await startHook();
    await client.putSubscription(1, hook.url, deadline());
    await expect(client.requestTestNotification(1, deadline())).resolves.toBeUndefined();
    const [post] = cc.subscriptionRequests().filter((r) => r.method === 'POST');
    expect(post).toMatchObject({
      path: '/v3/partner/webhooks/subscriptions/1/tests',
      headers: { 'x-api-key': cc.apiKey, authorization: 'Bearer jwt-1' },
      body: '',
    });
    const [got] = await waitFor(() => hook.received.length > 0 && hook.received, 5000, 'the test notification');
    expect(got!.path).toBe('/hooks/s3cret');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got!.body)).toEqual({
      url: `${cc.url}/v3/partner/accounts/a07e1lxtnhz0/plan`,
      api_key: cc.apiKey,
      event_type: 'tier.increase',
    });
    await waitFor(() => cc.state.notifications.length > 0, 5000, 'the record of the notification');
    expect(cc.state.notifications).toMatchObject([{ hookUri: hook.url, status: 204, testOf: 1 }]);
  });

  it('a test notification carries its topic’s event type and the configured sample account', async () => {
    const { cc, client } = await setup({ sampleAccountId: 'acct-sample' });
    const hook = await startHook();
    await client.putSubscription(3, hook.url, deadline());
    await client.requestTestNotification(3, deadline());
    const [got] = await waitFor(() => hook.received.length > 0 && hook.received, 5000, 'the test notification');
    expect(JSON.parse(got!.body)).toMatchObject({
      url: `${cc.url}/v3/partner/accounts/acct-sample/plan`,
      event_type: 'account.cancel',
    });
  });

  it('a test notification for a topic without a subscription is not_found, and nothing is sent', async () => {
    const { cc, client } = await setup();
    await expect(client.requestTestNotification(2, deadline())).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
    });
    expect(cc.state.notifications).toEqual([]);
  });

  it('the fake’s DELETE unsubscribes a topic and GET shows one', async () => {
    const { cc } = await setup({ subscriptions: { 2: 'https://h.example/2' } });
    const token = await fetch(cc.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${cc.clientId}:${cc.clientSecret}`).toString('base64')}` },
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const headers = { 'x-api-key': cc.apiKey, authorization: `Bearer ${token.access_token}` };
    const one = await fetch(`${cc.apiUrl}/partner/webhooks/subscriptions/2`, { headers });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ topic_id: 2, hook_uri: 'https://h.example/2' });
    expect((await fetch(`${cc.apiUrl}/partner/webhooks/subscriptions/2`, { method: 'DELETE', headers })).status).toBe(
      204,
    );
    expect((await fetch(`${cc.apiUrl}/partner/webhooks/subscriptions/2`, { headers })).status).toBe(404);
    expect((await fetch(`${cc.apiUrl}/partner/webhooks/subscriptions/9`, { headers })).status).toBe(404);
    // Without the API key, refused like every partner call.
    const bare = await fetch(`${cc.apiUrl}/partner/webhooks/subscriptions`, {
      headers: { authorization: headers.authorization },
    });
    expect(bare.status).toBe(403);
    expect(cc.subscriptionRequests().map((r) => r.method)).toEqual(['GET', 'DELETE', 'GET', 'GET', 'GET']);
  });
});

describe('the fake’s notifications', () => {
  it('retries anything but a 2xx, and stops at the first 2xx', async () => {
    const { cc } = await setup();
    const hook = await startHook([500, 404, 200]);
    const result = await cc.notify(
      hook.url,
      { accountId: 'a07e1lxtnhz0', eventType: 'tier.decrease' },
      { retryEveryMs: 10, maxAttempts: 5 },
    );
    expect(result.attempts.map((a) => a.status)).toEqual([500, 404, 200]);
    expect(hook.received).toHaveLength(3);
    expect(JSON.parse(hook.received[0]!.body)).toEqual({
      url: `${cc.apiUrl}/partner/accounts/a07e1lxtnhz0/plan`,
      api_key: cc.apiKey,
      event_type: 'tier.decrease',
    });
  });

  it('gives up after maxAttempts, counting a hook that cannot be reached as status 0', async () => {
    const { cc } = await setup();
    const gone = await serve(() => undefined);
    await gone.close();
    const result = await cc.notify(
      `${gone.url}/hook`,
      { accountId: 'a1', eventType: 'account.disable', apiKey: 'forged', urlBase: 'https://api.cc.email/v3' },
      { retryEveryMs: 5, maxAttempts: 3 },
    );
    expect(result.attempts.map((a) => a.status)).toEqual([0, 0, 0]);
    expect(JSON.parse(cc.state.notifications[0]!.body)).toEqual({
      url: 'https://api.cc.email/v3/partner/accounts/a1/plan',
      api_key: 'forged',
      event_type: 'account.disable',
    });
  });

  it('notifyRaw sends one body as given and returns the answer', async () => {
    const { cc } = await setup();
    const server = await serve((req, res, body) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`got ${req.headers['content-type']} ${body}`);
    });
    cleanups.push(server.close);
    const r = await cc.notifyRaw(`${server.url}/h`, '{not json', { 'content-type': 'text/plain' });
    expect(r).toMatchObject({ status: 400, body: 'got text/plain {not json' });
    expect(r.ms).toBeGreaterThanOrEqual(0);
  });
});

describe('the demo’s sample partner API answers the webhook calls', () => {
  it('subscribes, lists and acknowledges a test', async () => {
    const api = await startSamplePartnerApi();
    cleanups.push(api.close);
    const client = clientFor({ ...api, apiKey: 'demo', clientId: 'demo', clientSecret: 'demo' });
    await client.putSubscription(1, 'https://planbot.example/hooks/x', deadline());
    const listed = await client.listSubscriptions(deadline());
    expect(listed[0]).toEqual({ topicId: 1, hookUri: 'https://planbot.example/hooks/x', name: 'Billing Tier Upgrade' });
    expect(listed.slice(1).every((s) => s.hookUri === null)).toBe(true);
    await expect(client.requestTestNotification(1, deadline())).resolves.toBeUndefined();
    await expect(client.requestTestNotification(2, deadline())).rejects.toMatchObject({ code: 'not_found' });
    await expect(client.putSubscription(2, 'mailto:x@example.com', deadline())).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});
