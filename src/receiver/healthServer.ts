import type { Server } from 'node:http';
import { OpsRoutes, type OpsRoutesOptions, pathOf } from './routes.ts';
import { close, createFrontServer, type Front, listen } from './server.ts';

export interface HealthServerOptions extends OpsRoutesOptions {
  /** 0 binds any free port. */
  port: number;
  host: string;
}

/**
 * planbot's HTTP listener in Socket Mode, where Bolt's SocketModeReceiver takes Slack's requests
 * over a WebSocket: the operational routes only (`/healthz`, `/readyz`, `/metrics`), no
 * `/slack/events`.
 */
export class HealthServer implements Front {
  private readonly o: HealthServerOptions;
  private readonly routes: OpsRoutes;
  private readonly server: Server;
  private boundPort: number | undefined;

  constructor(o: HealthServerOptions) {
    this.o = o;
    this.routes = new OpsRoutes(o);
    this.server = createFrontServer((req, res) => this.routes.handle(req, res, pathOf(req)));
  }

  async start(): Promise<number> {
    this.boundPort = await listen(this.server, this.o.port, this.o.host);
    return this.boundPort;
  }

  async stop(): Promise<void> {
    this.routes.setReady(false);
    await close(this.server);
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  setReady(ready: boolean): void {
    this.routes.setReady(ready);
  }

  /** Nothing waits here: Bolt's SocketModeReceiver hands each request over as it comes. */
  workEnded(): void {}
}
