import type { AccessVerdict, Refusal } from '../access/accessGate.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { simpleMessage } from './elements.ts';

/** "42 seconds", "1 minute". */
export function waitText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** A short, polite refusal that says what the person can do. Never names who is allowed. */
export function refusalMessage(
  refusal: Refusal,
  ctx: { perMinute?: number; retryAfterMs?: number } = {},
): SlackMessage {
  switch (refusal) {
    case 'external_user':
      return simpleMessage("Sorry, planbot only shows billing plans to people in its own organization's Slack.");
    case 'user_not_allowed':
      return simpleMessage(
        "Sorry, you aren't on the list of people who may see billing plans with planbot. Ask whoever runs planbot if you need access.",
      );
    case 'channel_not_allowed':
      return simpleMessage(
        "Sorry, planbot isn't enabled in this conversation. Ask in a channel where it is, or ask whoever runs planbot to add this one.",
      );
    case 'external_channel':
      return simpleMessage(
        'This conversation is shared with another organization, so planbot won’t post billing plans in it. `/plan` answers that only you can see still work here.',
      );
    case 'access_unverified':
      return simpleMessage("planbot couldn't check your access with Slack just now. Try again in a minute.");
    case 'rate_limited':
      return simpleMessage(
        `You've made ${ctx.perMinute ?? 'too many'} lookups in the last minute, which is planbot's limit per person. Try again in ${waitText(ctx.retryAfterMs ?? 60_000)}.`,
      );
  }
}

/** The words for a refusal from the access gate. */
export function refusedMessage(verdict: Extract<AccessVerdict, { ok: false }>): SlackMessage {
  return refusalMessage(verdict.refusal, verdict);
}
