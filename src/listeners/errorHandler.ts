import type { App } from '@slack/bolt';
import type { Logger } from '../logger.ts';

/**
 * The last net: anything a listener did not catch is logged, never shown to anyone in Slack.
 * `onError` counts it (for `/plan status`).
 */
export function registerErrorHandler(app: App, logger: Logger, onError?: () => void): void {
  app.error(async (error) => {
    logger.error({ err: error, event: 'unhandled_listener_error' }, 'unhandled error in a Slack listener');
    onError?.();
  });
}
