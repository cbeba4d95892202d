import type { ActionsBlock, Button, ContextBlock, HeaderBlock, SectionBlock } from '@slack/types';
import type { SlackMessage } from '../slackApi/message.ts';
import { truncate, truncateEscaped } from '../text/mrkdwn.ts';
import { limits } from './limits.ts';

/**
 * The Block Kit elements every renderer builds with. Each one cuts its text to Block Kit's limit, so
 * no renderer can send a block Slack would refuse. Text passed in is mrkdwn, already escaped.
 */
export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(text, limits.sectionText) } };
}

export function context(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncateEscaped(text, limits.contextText) }] };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, limits.headerText), emoji: false } };
}

export function button(text: string, actionId: string, value: string, style?: 'primary'): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text, emoji: false },
    value,
    ...(style ? { style } : {}),
  };
}

export function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

/** A one-section message; `text` doubles as the notification fallback. */
export function simpleMessage(mrkdwn: string): SlackMessage {
  const text = truncateEscaped(mrkdwn, limits.sectionText);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The message with one more context line, when Block Kit's 50 blocks leave room for it. */
export function withContext(message: SlackMessage, text: string): SlackMessage {
  if (message.blocks.length >= limits.blocks) return message;
  return { text: message.text, blocks: [...message.blocks, context(text)] };
}
