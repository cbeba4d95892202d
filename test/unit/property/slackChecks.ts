/**
 * Checks on a rendered message written independently of src/blocks/limits.ts, so a property can
 * fail even if limitViolations has the same blind spot as the renderer.
 */
import type { SlackMessage } from '../../../src/slackApi/message.ts';

/** Block Kit's published limits, restated here on purpose (not imported from src). */
const slack = {
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
  blockId: 255,
  actionsElements: 25,
  /** planbot's own bound for the notification fallback (Slack truncates at 40,000). */
  fallbackText: 3000,
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A text object's problems: its type, and its text being a non-empty string within `max`. */
function textObject(v: unknown, max: number, where: string, only?: 'plain_text' | 'mrkdwn'): string[] {
  if (!isObj(v)) return [`${where}: not a text object`];
  const problems: string[] = [];
  if (v.type !== 'plain_text' && v.type !== 'mrkdwn') problems.push(`${where}: text type ${String(v.type)}`);
  if (only && v.type !== only) problems.push(`${where}: must be ${only}`);
  if (typeof v.text !== 'string' || v.text.length === 0) problems.push(`${where}: empty text`);
  else if (v.text.length > max) problems.push(`${where}: ${v.text.length} > ${max} characters`);
  return problems;
}

/** Every way `message` breaks Block Kit's limits or shape, as planbot uses it. Empty when fine. */
export function blockKitProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  const m = message as unknown as Obj;
  if (typeof m.text !== 'string' || m.text.trim() === '') problems.push('fallback text is empty');
  else if (m.text.length > slack.fallbackText) problems.push(`fallback text ${m.text.length} characters`);
  if (!Array.isArray(m.blocks)) return [...problems, 'blocks is not an array'];
  if (m.blocks.length > slack.blocks) problems.push(`${m.blocks.length} blocks > ${slack.blocks}`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  m.blocks.forEach((block: unknown, i) => {
    const at = `block ${i}`;
    if (!isObj(block)) return problems.push(`${at}: not an object`);
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length === 0 || block.block_id.length > slack.blockId)
        problems.push(`${at}: bad block_id`);
      else if (blockIds.has(block.block_id)) problems.push(`${at}: duplicate block_id ${block.block_id}`);
      else blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined)
          problems.push(`${at}: section without text or fields`);
        if (block.text !== undefined) problems.push(...textObject(block.text, slack.sectionText, `${at} text`));
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length === 0) problems.push(`${at}: empty fields`);
          else {
            if (block.fields.length > slack.fields) problems.push(`${at}: ${block.fields.length} fields`);
            block.fields.forEach((f, j) => problems.push(...textObject(f, slack.fieldText, `${at} field ${j}`)));
          }
        }
        break;
      }
      case 'header':
        problems.push(...textObject(block.text, slack.headerText, `${at} header`, 'plain_text'));
        break;
      case 'context': {
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          problems.push(`${at}: context without elements`);
        else {
          if (block.elements.length > slack.contextElements)
            problems.push(`${at}: ${block.elements.length} context elements`);
          block.elements.forEach((e, j) => problems.push(...textObject(e, slack.contextText, `${at} element ${j}`)));
        }
        break;
      }
      case 'actions': {
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          problems.push(`${at}: actions without elements`);
        else {
          if (block.elements.length > slack.actionsElements) problems.push(`${at}: ${block.elements.length} elements`);
          block.elements.forEach((e: unknown, j) => {
            const where = `${at} element ${j}`;
            if (!isObj(e) || e.type !== 'button') return problems.push(`${where}: not a button`);
            problems.push(...textObject(e.text, slack.buttonText, `${where} label`, 'plain_text'));
            if (typeof e.action_id !== 'string' || e.action_id.length === 0 || e.action_id.length > slack.actionId)
              problems.push(`${where}: bad action_id`);
            else if (actionIds.has(e.action_id)) problems.push(`${where}: duplicate action_id ${e.action_id}`);
            else actionIds.add(e.action_id);
            if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > slack.buttonValue)) {
              problems.push(
                `${where}: value ${typeof e.value === 'string' ? e.value.length : typeof e.value} > ${slack.buttonValue}`,
              );
            }
          });
        }
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${at}: unexpected block type ${String(block.type)}`);
    }
  });
  return problems;
}

/** Every piece of mrkdwn Slack parses: the fallback `text`, and each mrkdwn text object in the blocks. */
export function mrkdwnTexts(message: SlackMessage): string[] {
  const out = [message.text];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (isObj(v)) {
      if (v.type === 'mrkdwn' && typeof v.text === 'string') out.push(v.text);
      else for (const x of Object.values(v)) walk(x);
    }
  };
  walk(message.blocks);
  return out;
}

/** planbot's "read at" date token, which it writes itself from a number. */
const dateToken = /<!date\^-?\d+\^\{date_short_pretty\} at \{time\}\|[0-9TZ:.+-]+>/g;

/**
 * Fixed text planbot writes itself with a bare `<`: the placeholders of its usage texts. None of
 * it comes from data. (formatPercent writes its "<1%" escaped, so it needs no allowance here.)
 */
const ownText = /<account id>|<id>/g;

/**
 * The `<` and `>` left in a mrkdwn text after removing what planbot writes on purpose (its date
 * token, the mentions in `deliberate`, and its own fixed text). Anything left came from data and
 * escaped escaping: Slack would parse it as a mention, ping or link.
 */
export function unescapedMarkup(text: string, deliberate: string[] = []): string[] {
  let rest = text.replace(dateToken, '');
  for (const d of deliberate) rest = rest.split(d).join('');
  rest = rest.replace(ownText, '');
  const found: string[] = [];
  for (const m of rest.matchAll(/[<>]/g)) found.push(rest.slice(Math.max(0, m.index - 10), m.index + 20));
  return found;
}

/** Every unescaped `<`/`>` in any mrkdwn of the message (empty when the message is safe). */
export function markupLeaks(message: SlackMessage, deliberate: string[] = []): string[] {
  return mrkdwnTexts(message).flatMap((t) => unescapedMarkup(t, deliberate));
}

/** Values of every button in the message. */
export function buttonValues(message: SlackMessage): Array<{ actionId: string; value: string }> {
  return message.blocks.flatMap((b) =>
    b.type === 'actions'
      ? b.elements.flatMap((e) => (e.type === 'button' ? [{ actionId: e.action_id ?? '', value: e.value ?? '' }] : []))
      : [],
  );
}
