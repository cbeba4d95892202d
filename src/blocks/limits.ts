import type { SlackMessage } from '../slackApi/message.ts';

/** Block Kit's published limits that planbot's messages must stay within. */
export const limits = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  actionsElements: 25,
  fallbackText: 3000,
  /**
   * The text of all of one message's blocks together. Not published: Slack answers
   * `msg_blocks_too_long` from about 13,200 characters (less with more blocks), so planbot keeps
   * well under it.
   */
  messageText: 12_000,
} as const;

/** Every piece of text in a block, for the message-wide size. */
function blockTextLength(block: SlackMessage['blocks'][number]): number {
  let n = 0;
  const add = (t: unknown) => {
    if (typeof t === 'string') n += t.length;
  };
  if (block.type === 'section') {
    add(block.text?.text);
    for (const f of block.fields ?? []) add(f.text);
  }
  if (block.type === 'header') add(block.text.text);
  if (block.type === 'context') for (const e of block.elements) if ('text' in e) add(e.text);
  if (block.type === 'actions') for (const e of block.elements) if (e.type === 'button') add(e.text.text);
  return n;
}

/** The text of all the blocks together, as limits.messageText counts it. */
export function messageTextLength(blocks: SlackMessage['blocks']): number {
  return blocks.reduce((n, b) => n + blockTextLength(b), 0);
}

/** Every way a message breaks Block Kit's limits (empty when it is fine). Used by tests and as a last check. */
export function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (!message.text || message.text.length > limits.fallbackText) problems.push('fallback text missing or too long');
  if (message.blocks.length > limits.blocks) problems.push(`${message.blocks.length} blocks`);
  const size = messageTextLength(message.blocks);
  if (size > limits.messageText) problems.push(`${size} characters of text in the blocks`);
  message.blocks.forEach((block, i) => {
    const at = `block ${i} (${block.type})`;
    if (block.type === 'section') {
      if (block.text && block.text.text.length > limits.sectionText)
        problems.push(`${at}: text ${block.text.text.length}`);
      if (block.fields && block.fields.length > limits.fields) problems.push(`${at}: ${block.fields.length} fields`);
      for (const f of block.fields ?? [])
        if (f.text.length > limits.fieldText) problems.push(`${at}: field ${f.text.length}`);
      if (!block.text && !block.fields?.length) problems.push(`${at}: empty section`);
    }
    if (block.type === 'header' && block.text.text.length > limits.headerText) problems.push(`${at}: header too long`);
    if (block.type === 'context') {
      if (block.elements.length > limits.contextElements) problems.push(`${at}: ${block.elements.length} elements`);
      for (const e of block.elements) {
        if ('text' in e && typeof e.text === 'string' && e.text.length > limits.contextText)
          problems.push(`${at}: context text`);
      }
    }
    if (block.type === 'actions') {
      if (block.elements.length > limits.actionsElements) problems.push(`${at}: too many elements`);
      for (const e of block.elements) {
        if (e.type !== 'button') continue;
        if (e.text.text.length > limits.buttonText) problems.push(`${at}: button label ${e.text.text.length}`);
        if ((e.value ?? '').length > limits.buttonValue) problems.push(`${at}: button value too long`);
        if ((e.action_id ?? '').length > limits.actionId) problems.push(`${at}: action_id too long`);
      }
    }
  });
  return problems;
}
