import type { Server } from 'node:http';
import { OpsRoutes, type OpsRoutesOptions, pathOf } from './routes.ts';
import { close, createFrontServer, type Front, listen } from './server.ts';

export interface HealthServerOptions extends OpsRoutesOptions {
  /** 0 binds any free port. */
  port: number;
  host: string;
  /**
   * The receiver that takes Slack's requests over the WebSocket (socketReceiver.ts): it stops with
   * this front, handing over what it acknowledged, and hears when background work ends.
   */
  receiver?: { stop(): Promise<void>; workEnded(): void };
}

/**
 * planbot's HTTP listener in Socket Mode, where the Socket Mode receiver takes Slack's requests
 * over a WebSocket: the operational routes only (`/healthz`, `/readyz`, `/metrics`, Constant
 * Contact's webhook), no `/slack/events`.
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

  /** Stops listening and stops the receiver: resolves once its acknowledged requests have been through Bolt. */
  async stop(): Promise<void> {
    this.routes.setReady(false);
    await Promise.all([close(this.server), this.o.receiver?.stop()]);
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  setReady(ready: boolean): void {
    this.routes.setReady(ready);
  }

  /** Background work ended: the receiver may have room for more. */
  workEnded(): void {
    this.o.receiver?.workEnded();
  }
}
