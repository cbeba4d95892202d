import { webApi } from '@slack/bolt';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../logger.ts';

/**
 * A Web API client for reads on a person's request path (users.info, conversations.info,
 * usergroups.users.list): no retries and a short timeout, because someone is waiting and the
 * directory falls back on its last known answer.
 */
export function createLookupClient(config: Config['slack'], logger: Logger): webApi.WebClient {
  return new webApi.WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    timeout: 3000,
    retryConfig: { retries: 0 },
    logger: boltLogger(logger),
  });
}
