import type { KnownBlock } from '@slack/types';

/** A Slack message as planbot sends it: blocks plus the plain `text` fallback for notifications. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}
