import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readiness } from '../lifecycle/readiness.ts';
import type { Logger } from '../logger.ts';

export interface OpsRoutesOptions {
  /** `/readyz`: whether the load balancer should send planbot traffic, and why. */
  readiness: () => Promise<Readiness>;
  /** `/metrics`: Prometheus text and its content type. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  logger: Logger;
  /** Constant Contact's notifications, when `CC_WEBHOOK_SECRET` is set. */
  webhook?: {
    matches(path: string): boolean;
    handle(req: IncomingMessage, res: ServerResponse, path: string): void;
  };
}

/**
 * The routes besides Slack's, the same in HTTP and Socket Mode: `/healthz` (200 once planbot has
 * started, 503 before and while stopping), `/readyz`, `/metrics`, and Constant Contact's webhook
 * when it is set up; anything else is 404.
 */
export class OpsRoutes {
  private readonly o: OpsRoutesOptions;
  private ready = false;

  constructor(o: OpsRoutesOptions) {
    this.o = o;
  }

  setReady(ready: boolean): void {
    this.ready = ready;
  }

  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/healthz' && get)
      return this.ready ? send(res, 200, { status: 'ok' }) : send(res, 503, { status: 'starting' });
    if (path === '/readyz' && get) return void this.readyz(res);
    if (path === '/metrics' && get) return void this.metricsText(res);
    if (this.o.webhook?.matches(path)) return this.o.webhook.handle(req, res, path);
    send(res, 404, { error: 'not found' });
  }

  private async readyz(res: ServerResponse) {
    try {
      const r = await this.o.readiness();
      send(res, r.ready ? 200 : 503, { status: r.status, checks: r.checks });
    } catch (error) {
      this.o.logger.warn({ event: 'readiness_failed', err: error }, 'could not answer /readyz');
      send(res, 503, { status: 'unavailable' });
    }
  }

  private async metricsText(res: ServerResponse) {
    try {
      const m = await this.o.metrics();
      res.writeHead(200, { 'content-type': m.contentType, 'content-length': Buffer.byteLength(m.body) });
      res.end(m.body);
    } catch (error) {
      this.o.logger.warn({ event: 'metrics_failed', err: error }, 'could not answer /metrics');
      send(res, 500, { status: 'unavailable' });
    }
  }
}

/** The path of a request, without its query. */
export const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0] ?? '/';

/** A JSON answer with its length. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
