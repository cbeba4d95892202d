import { Agent, type Dispatcher, request, errors as undiciErrors } from 'undici';
import { withTimeout } from '../lifecycle/withTimeout.ts';
import { type UpstreamApi, UpstreamError } from './errors.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the text (or undefined when empty). */
  body: unknown;
}

export interface HttpRequest {
  api: UpstreamApi;
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** One HTTP exchange with an upstream API. Network failures and timeouts become UpstreamErrors. */
export type HttpClient = (req: HttpRequest) => Promise<HttpResponse>;

/** Keep-alive pool shared by every upstream call; timeouts are per request below. */
export function createHttpClient(
  dispatcher: Dispatcher = new Agent({ connections: 32, keepAliveTimeout: 10_000 }),
): HttpClient {
  return async (req) => {
    const target = describe(req);
    // One timeout for the whole exchange, body included.
    return withTimeout(req.timeoutMs, async (signal) => {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          dispatcher,
          signal,
        });
      } catch (error) {
        throw networkError(req.api, target, error);
      }
      let text: string;
      try {
        text = await res.body.text();
      } catch (error) {
        throw networkError(req.api, target, error);
      }
      return { status: res.statusCode, headers: res.headers, body: parseBody(text) };
    });
  };
}

function describe(req: HttpRequest): string {
  // The query string can hold user search words; the path is enough to find the call in a log.
  const u = new URL(req.url);
  return `${req.method} ${u.origin}${u.pathname}`;
}

function networkError(api: UpstreamApi, target: string, error: unknown): UpstreamError {
  const timedOut =
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  const reason = error instanceof Error ? error.message : String(error);
  return timedOut
    ? new UpstreamError('timeout', api, `${target} timed out`, { cause: error })
    : new UpstreamError('upstream', api, `${target} failed: ${reason}`, { cause: error });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Times every upstream request and counts 429s (for /metrics). */
export function instrumentHttp(
  http: HttpClient,
  observe: (api: string, status: number, seconds: number) => void,
): HttpClient {
  return async (req) => {
    const started = performance.now();
    try {
      const res = await http(req);
      observe(req.api, res.status, (performance.now() - started) / 1000);
      return res;
    } catch (error) {
      observe(req.api, 0, (performance.now() - started) / 1000);
      throw error;
    }
  };
}
