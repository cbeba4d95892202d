import type { App, Context, Receiver } from '@slack/bolt';
import type { ForwardedEvent } from '../http/front.ts';
import type { Logger } from '../logger.ts';

/** Set on Bolt's context: how long a request waited between its ack and Bolt (ms). */
const queuedMsKey = 'queuedMs';

/** How long this request waited between its ack and Bolt (ms); 0 when Bolt acked it itself (Socket Mode). */
export function queuedMs(context: Context): number {
  const value: unknown = context[queuedMsKey];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** The request was acknowledged by the HTTP front already; what a listener acks is a no-op. */
const alreadyAcked = async () => {};

/**
 * Bolt's receiver for requests the HTTP front (src/http/front.ts) has already verified and
 * acknowledged: each one goes through Bolt's middleware and listeners as HTTPReceiver's would.
 */
export class ForwardedReceiver implements Receiver {
  private app: App | undefined;
  private readonly logger: Logger;
  private readonly clock: () => number;

  constructor(logger: Logger, clock: () => number = Date.now) {
    this.logger = logger;
    this.clock = clock;
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Hands one forwarded request to Bolt; a failure is logged (the request was acknowledged already). */
  dispatch(event: ForwardedEvent): Promise<void> {
    if (!this.app) throw new Error('ForwardedReceiver: Bolt has not initialised it');
    return this.app
      .processEvent({
        body: event.body,
        ack: alreadyAcked,
        retryNum: event.retryNum,
        retryReason: event.retryReason,
        customProperties: { [queuedMsKey]: Math.max(0, this.clock() - event.ackedAt) },
      })
      .catch((error: unknown) =>
        this.logger.error({ event: 'slack_dispatch_failed', err: error }, 'Bolt could not process a Slack request'),
      );
  }
}
