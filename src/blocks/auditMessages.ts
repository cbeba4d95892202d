import type { AuditEntry } from '../audit/audit.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { simpleMessage } from './elements.ts';
import { code, safeText } from '../text/mrkdwn.ts';

/** Longest text in one audit message: a section holds 3000 characters. */
const maxChars = 2900;

/**
 * One compact line per entry: time (UTC), who, what, where, outcome. People are named by id in
 * code, not as mentions, so the audit channel never pings anyone.
 */
export function auditLine(e: AuditEntry & { at: number }): string {
  const time = new Date(e.at).toISOString().slice(11, 19);
  const who = e.user ? code(e.user, 20) : 'planbot';
  const target = e.target ? ` ${code(e.target, 80)}` : '';
  return `\`${time}\` ${who} ${safeText(e.command, 20)}${target} in ${code(e.channel, 20)} → ${safeText(e.outcome, 40)} (${Math.round(e.durationMs)} ms)`;
}

/** Audit lines packed into as few messages as fit, plus a note when some were dropped under load. */
export function auditDigest(entries: Array<AuditEntry & { at: number }>, dropped: number): SlackMessage[] {
  const lines = entries.map(auditLine);
  if (dropped > 0)
    lines.push(
      `_${dropped} more ${dropped === 1 ? 'entry was' : 'entries were'} left out of this channel under load; the log has every one._`,
    );
  const messages: SlackMessage[] = [];
  let current: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (current.length > 0 && length + line.length + 1 > maxChars) {
      messages.push(simpleMessage(current.join('\n')));
      current = [];
      length = 0;
    }
    current.push(line);
    length += line.length + 1;
  }
  if (current.length > 0) messages.push(simpleMessage(current.join('\n')));
  return messages;
}
