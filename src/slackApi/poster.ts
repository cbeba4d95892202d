import type { webApi } from '@slack/bolt';
import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';
import type { SlackMessage } from './message.ts';

/** A Web API failure with Slack's own error code (`not_in_channel`, `channel_not_found`, …). */
export class SlackPostError extends Error {
  readonly code: string;
  constructor(code: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SlackPostError';
    this.code = code;
  }
  /** The bot can no longer post there: removed, archived, or the channel is gone. */
  get channelGone(): boolean {
    return ['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived', 'account_inactive'].includes(
      this.code,
    );
  }
}

/** Posting outside a request (digests): Slack's Web API, paced per channel. */
export interface SlackPoster {
  /** Posts and returns the message's ts. */
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<string>;
  /** Replaces a message planbot posted (a summary whose counts grew). */
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** The person's IANA time zone from their Slack profile, if Slack says. */
  userTimeZone(userId: string): Promise<string | undefined>;
}

/**
 * Slack allows about one message a second per channel; a FIFO queue per channel keeps to that
 * (the Web API client itself waits out any 429's Retry-After).
 */
export function createSlackPoster(
  client: webApi.WebClient,
  options: { minIntervalMs?: number; onError?: (method: string, code: string) => void } = {},
): SlackPoster {
  const minIntervalMs = options.minIntervalMs ?? 1100;
  const queue = new RateLimiterQueue(new RateLimiterMemory({ points: 1, duration: minIntervalMs / 1000 }));
  return {
    async post(channel, message, threadTs) {
      await queue.removeTokens(1, `channel:${channel}`);
      try {
        const res = await client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        return res.ts ?? '';
      } catch (error) {
        const code = (error as { data?: { error?: string } }).data?.error ?? 'request_failed';
        options.onError?.('chat.postMessage', code);
        throw new SlackPostError(code, `chat.postMessage to ${channel} failed: ${code}`, error);
      }
    },
    async update(channel, ts, message) {
      try {
        await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
      } catch (error) {
        const code = (error as { data?: { error?: string } }).data?.error ?? 'request_failed';
        options.onError?.('chat.update', code);
        throw new SlackPostError(code, `chat.update in ${channel} failed: ${code}`, error);
      }
    },
    async userTimeZone(userId) {
      try {
        const res = await client.users.info({ user: userId });
        return res.user?.tz ?? undefined;
      } catch (error) {
        options.onError?.('users.info', (error as { data?: { error?: string } }).data?.error ?? 'request_failed');
        return undefined;
      }
    },
  };
}
