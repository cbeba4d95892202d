import { Agent, type Dispatcher, request } from 'undici';
import type { SlackMessage } from './message.ts';
import { withTimeout } from '../lifecycle/withTimeout.ts';

/** Slack shows a response_url's answer within a few seconds or not at all. */
const respondTimeoutMs = 2_500;

/** A message for a response_url: who sees it, and whether it replaces the message it came from. */
export type ResponsePayload = SlackMessage & {
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
};

export type Respond = (responseUrl: string, payload: ResponsePayload) => Promise<void>;

export class RespondError extends Error {
  readonly code = 'respond_failed';
  readonly status: number | undefined;
  constructor(message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RespondError';
    this.status = status;
  }
}

/**
 * Posts answers to Slack's response_url over a keep-alive pool, with a timeout, reading each reply
 * so its connection is reused (Bolt's own respond() neither times out nor reuses connections).
 */
export function createResponder(
  dispatcher: Dispatcher = new Agent({ connections: 16, keepAliveTimeout: 10_000 }),
): Respond {
  return async (responseUrl, payload) => {
    const status = await withTimeout(respondTimeoutMs, async (signal) => {
      try {
        const res = await request(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          dispatcher,
          signal,
        });
        await res.body.dump();
        return res.statusCode;
      } catch (error) {
        throw new RespondError(
          `posting to the response_url failed: ${error instanceof Error ? error.message : String(error)}`,
          undefined,
          error,
        );
      }
    });
    if (status >= 300) throw new RespondError(`the response_url answered ${status}`, status);
  };
}

/** The same responder, telling `onFailure` of every answer that could not be delivered. */
export function countFailures(respond: Respond, onFailure: (error: unknown) => void): Respond {
  return async (url, payload) => {
    try {
      await respond(url, payload);
    } catch (error) {
      onFailure(error);
      throw error;
    }
  };
}
