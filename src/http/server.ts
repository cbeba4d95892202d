import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServerOptions {
  /** Bolt's request listener for `POST /slack/events` (absent in Socket Mode). */
  slackEvents?: RequestListener;
  /** Whether the bot is ready to answer (`/healthz` says 503 until it is). */
  isReady: () => boolean;
  /** `/readyz`: ready to serve (configuration loaded, store reachable), and any degradation. */
  readiness: () => Promise<{ ready: boolean; status: 'ready' | 'degraded' | 'starting' | 'unavailable'; checks: Record<string, string> }>;
  /** `/metrics`: Prometheus text and its content type. */
  metrics: () => Promise<{ contentType: string; body: string }>;
}

/** The one HTTP listener: Slack's events endpoint plus the operator's health, readiness and metrics. */
export function createHttpServer(o: HttpServerOptions): Server {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/slack/events' && o.slackEvents) {
      if (req.method !== 'POST') return send(res, 405, { error: 'POST only' }, { allow: 'POST' });
      return o.slackEvents(req, res);
    }
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/healthz' && get) {
      return o.isReady() ? send(res, 200, { status: 'ok' }) : send(res, 503, { status: 'starting' });
    }
    if (path === '/readyz' && get) {
      o.readiness().then(
        (r) => send(res, r.ready ? 200 : 503, { status: r.status, checks: r.checks }),
        () => send(res, 503, { status: 'unavailable', checks: {} }),
      );
      return;
    }
    if (path === '/metrics' && get) {
      o.metrics().then(
        (m) => {
          res.writeHead(200, { 'content-type': m.contentType });
          res.end(m.body);
        },
        () => send(res, 500, { error: 'metrics unavailable' }),
      );
      return;
    }
    send(res, 404, { error: 'not found' });
  });
  // Slack retries after 3 s; a slow or idle client must not hold sockets open much longer.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
