import type { SlackMessage } from '../slackApi/message.ts';
import type { Delivery } from './delivery.ts';

/** The one Web API call a thread reply needs (Bolt's client, or any with the same shape). */
export interface ThreadPoster {
  chat: {
    postMessage(args: {
      channel: string;
      thread_ts?: string;
      text: string;
      blocks: SlackMessage['blocks'];
      unfurl_links: boolean;
      unfurl_media: boolean;
    }): Promise<unknown>;
  };
}

/**
 * Replies in a conversation: in the thread of the question, or at the top of a DM (`threadTs`
 * undefined). `onError` is told of a post Slack refused, with its error code, before it is passed on.
 */
export function threadDelivery(
  client: ThreadPoster,
  channel: string,
  threadTs: string | undefined,
  onError?: (method: string, code: string) => void,
): Delivery {
  return {
    async send(message) {
      try {
        await client.chat.postMessage({
          channel,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
      } catch (error) {
        onError?.('chat.postMessage', (error as { data?: { error?: string } }).data?.error ?? 'request_failed');
        throw error;
      }
    },
  };
}
