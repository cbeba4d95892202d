import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What planbot starts, marks ready and stops: its one HTTP listener, whichever mode it runs in. */
export interface Front {
  /** Binds the listener; resolves with the bound port. Rejects with `ListenFailedError`. */
  start(): Promise<number>;
  /** Stops taking requests; resolves once the requests already taken have been through Bolt. */
  stop(): Promise<void>;
  /** `/healthz` says 200 from now on (true) or 503 (false). */
  setReady(ready: boolean): void;
  /** Call when background work ends: more acknowledged requests may be handed to Bolt. */
  workEnded(): void;
  /** The bound port (undefined before `start`). */
  readonly port: number | undefined;
}

/** The listener could not bind its address (port in use, no permission, unknown host). */
export class ListenFailedError extends Error {
  override name = 'ListenFailedError';
}

/** An HTTP server with timeouts fit for Slack: it retries after 3 s, so no one needs a socket for long. */
export function createFrontServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(handler);
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

/** Binds the server; resolves with the port it got (useful with port 0). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new ListenFailedError(`could not listen on ${host}:${port}: ${error.message}`)),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stops accepting connections and drops idle keep-alive ones; resolves once every connection has ended. */
export function close(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  server.closeIdleConnections();
  return closed;
}
