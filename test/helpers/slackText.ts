/** Every `text` string in a message, at any depth: the notification fallback and each text in its blocks. */
export function allTexts(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, x] of Object.entries(v)) {
        if (key === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(value);
  return out;
}

/** planbot's own "read at" timestamp, the one `<!…>` sequence its cards may contain. */
const dateToken = /<!date\^\d+\^\{date_short_pretty\} at \{time\}\|[0-9TZ:.-]+>/g;

/**
 * The pieces of `text` Slack would act on as a mention, a channel ping or a link (`<!channel>`,
 * `<@U123>`, `<#C1>`, `<https://…|…>`), ignoring planbot's own date token and any `allowed` strings.
 */
export function liveMarkup(text: string, allowed: string[] = []): string[] {
  let rest = text.replace(dateToken, '');
  for (const a of allowed) rest = rest.split(a).join('');
  return rest.match(/<[!@#][^>]*>?|<(?:https?|mailto):[^>]*>?/gi) ?? [];
}

/** `&` that does not start one of the three entities mrkdwn escaping produces. */
export function bareAmpersands(text: string): string[] {
  return text.match(/&(?!amp;|lt;|gt;)[^\s]{0,10}/g) ?? [];
}
