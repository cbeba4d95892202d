/**
 * Escapes text from outside (API data, user input) for mrkdwn. Slack only parses `<…>` for
 * mentions, channel pings and links, and `&` starts an entity, so escaping these three is what
 * keeps `<!channel>` in a customer's name from pinging anyone.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to at most `max` characters, marking the cut. For plain text: see truncateEscaped for mrkdwn. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The start of an entity escapeMrkdwn writes (`&amp;`, `&lt;`, `&gt;`), cut before its `;`. */
const partialEntity = /&(?:a|am|amp|l|lt|g|gt)?$/;

/**
 * Cuts already-escaped mrkdwn to at most `max` characters, marking the cut, without leaving half
 * an entity (`&g…`) behind: Slack would show that as literal text.
 */
export function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).replace(partialEntity, '')}…`;
}

/**
 * Escapes, then cuts to `max` without leaving half an entity (`&am…`) behind.
 * Use for API text going into a mrkdwn field with a length limit.
 */
export function safeText(text: string, max: number): string {
  return truncateEscaped(escapeMrkdwn(text), max);
}

/** Inline code cannot hold a backtick; swap it so the span is not broken open. */
export function code(text: string, max = 200): string {
  return `\`${safeText(text.replace(/`/g, "'"), max)}\``;
}
