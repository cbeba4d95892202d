import { webApi } from '@slack/bolt';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../logger.ts';

/**
 * The Web API options for posting: the client waits out a 429's Retry-After by itself; other
 * failures get two quick retries, not its default of ten over half an hour, because a person is
 * waiting for the answer.
 */
export function postingClientOptions(config: Config['slack']) {
  return {
    slackApiUrl: config.apiUrl,
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
  };
}

/** A Web API client with the bot token, for posting outside a request (digests, the audit channel). */
export function createBotClient(config: Config['slack'], logger: Logger): webApi.WebClient {
  return new webApi.WebClient(config.botToken, { ...postingClientOptions(config), logger: boltLogger(logger) });
}

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
