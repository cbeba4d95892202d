import { Keyv } from 'keyv';
import { createConstantContactClient } from '../../src/partner/constantContact.ts';
import type { HttpRequest, HttpResponse } from '../../src/partner/httpClient.ts';
import { createRateGate } from '../../src/partner/rateGate.ts';
import type { RetryPolicy } from '../../src/partner/retryPolicy.ts';
import { TokenProvider } from '../../src/partner/tokenProvider.ts';

/**
 * Constant Contact at the HTTP boundary: a token endpoint that hands out jwt-1, jwt-2, … and the
 * API's answers in turn; `apiRequests` are the calls that reached the API (not the token endpoint).
 */
export function fakePartnerHttp(answers: HttpResponse[], retries = 0) {
  const requests: HttpRequest[] = [];
  let tokens = 0;
  const http = async (req: HttpRequest): Promise<HttpResponse> => {
    requests.push(req);
    if (req.url === 'https://token.test/token') {
      tokens++;
      return { status: 200, headers: {}, body: { access_token: `jwt-${tokens}`, expires_in: 3600 } };
    }
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${req.method} ${req.url}`);
    return answer;
  };
  const policy: RetryPolicy = { limit: retries, baseDelayMs: 1, maxDelayMs: 1, attemptTimeoutMs: 1000 };
  const client = createConstantContactClient({
    http,
    apiUrl: 'https://api.test/v3',
    apiKey: 'api-key-1',
    tokens: new TokenProvider({
      http,
      tokenUrl: 'https://token.test/token',
      clientId: 'id',
      clientSecret: 'secret',
      store: new Keyv(),
      policy,
    }),
    gate: createRateGate({ api: 'constant-contact', ratePerSecond: 1000 }),
    policy,
  });
  const apiRequests = () => requests.filter((r) => r.url.startsWith('https://api.test/'));
  return { client, apiRequests };
}

export const answer = (status: number, body?: unknown): HttpResponse => ({ status, headers: {}, body });
