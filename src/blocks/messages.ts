import { filterExample, sortExample } from '../grammar/plansCommand.ts';
import type { Failure } from '../usecases/types.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { simpleMessage } from './elements.ts';
import { code, safeText } from '../text/mrkdwn.ts';

export const exampleAccountId = 'a07e1lxtnhz0';

/** How to use /plan; in demo mode it also lists the sample accounts to try. */
export function planUsage(demoAccounts?: string[]): SlackMessage {
  const lines = [
    "*Look up a customer's Constant Contact billing plan*",
    `\`/plan <account id>\`, for example \`/plan ${demoAccounts?.[0] ?? exampleAccountId}\``,
    `Or a customer's organization or owner name, for example \`/plan ${demoAccounts ? 'blue river' : 'acme'}\`. \`/plan reindex\` refreshes the list of names now.`,
    'Shows the plan type, billing status, billing day and next billing date, and each usage tier with its usage and monthly price.',
    'Only you see the answer; *Share in channel* posts it for everyone in the conversation.',
    '*Upgrade radar:* `/plan radar` lists the accounts likely to move up a tier before their next billing date, growing fastest and shrinking, from planbot’s usage history. `/plan radar --csv` sends every account as a CSV to your DM with planbot.',
    '*Digests for this channel:* `/plan watch <id> [<id> …]` (or a name), `/plan unwatch <id>`, `/plan watchlist`, `/plan digest weekdays 08:30 [time zone]`, `/plan digest` (schedule), `/plan digest now`, `/plan digest off`.',
  ];
  if (demoAccounts?.length) {
    lines.push(`_Demo mode: sample data only. Try ${demoAccounts.map((a) => `\`${a}\``).join(', ')}._`);
  }
  return simpleMessage(lines.join('\n'));
}

export function invalidAccountId(input: string): SlackMessage {
  return simpleMessage(
    `${code(input, 80)} isn't an account id or a customer name. Type the organization or owner name, like \`/plan acme\`, ` +
      `or the encoded account id (one word of letters and digits), like \`/plan ${exampleAccountId}\`.`,
  );
}

export function planNotConfigured(): SlackMessage {
  return simpleMessage(
    "`/plan` isn't set up yet: planbot has no Constant Contact partner credentials. Ask whoever runs planbot to set them.",
  );
}

/**
 * What a person sees when planbot turns a request away because it is too far behind: a slash
 * command's ack body (Slack shows it at once, to them alone), or a post to a click's response_url.
 */
export function overloadedReply(): SlackMessage & { response_type: 'ephemeral' } {
  return {
    response_type: 'ephemeral',
    ...simpleMessage('planbot is busy with other requests right now. Try again in a minute.'),
  };
}

/** Time left until the daily quota resets at 00:00 UTC, e.g. "5h 20m". */
export function untilUtcMidnight(now: Date): string {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const minutes = Math.max(1, Math.ceil((midnight - now.getTime()) / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h}h ${m}m` : `${m}m`;
}

/** What went wrong, in plain words, and what to do about it. Never the raw upstream text. */
export function lookupFailure(failure: Failure, ctx: { accountId: string; status?: number; now: Date }): SlackMessage {
  const id = code(ctx.accountId, 80);
  switch (failure) {
    case 'not_found':
      return simpleMessage(
        `I couldn't find account ${id} at Constant Contact. Check the encoded account id (it looks like \`${exampleAccountId}\`) and try again.`,
      );
    case 'bad_request':
      return simpleMessage(`Constant Contact didn't accept ${id} as an account id. Check the id and try again.`);
    case 'unauthorized':
      return simpleMessage(
        "Constant Contact refused planbot's partner credentials, so I can't look up plans right now. Ask whoever runs planbot to check them.",
      );
    case 'forbidden':
      return simpleMessage(
        `Constant Contact didn't let planbot read account ${id}. It may belong to another partner, or planbot's API key lacks access. Ask whoever runs planbot if this keeps happening.`,
      );
    case 'throttled':
      return simpleMessage('Constant Contact is limiting how fast planbot may ask right now. Try again in a minute.');
    // Only background work is refused at the reserve; should a person meet it, it is the same news.
    case 'quota_exceeded':
    case 'quota_reserved':
      return simpleMessage(
        `planbot has used up today's Constant Contact request quota. Lookups work again after 00:00 UTC (in ${untilUtcMidnight(ctx.now)}).`,
      );
    case 'timeout':
      return simpleMessage("Constant Contact didn't answer in time. Try again in a minute.");
    case 'busy':
      return simpleMessage('planbot is busy with other lookups right now. Try again in a few seconds.');
    case 'upstream':
      return simpleMessage(
        `Constant Contact had a problem answering${ctx.status ? ` (error ${ctx.status})` : ''}. Try again in a minute.`,
      );
    case 'internal':
      return somethingWentWrong();
  }
}

/** For failures planbot did not expect: no detail (that is in the log), and what to do. */
export function somethingWentWrong(): SlackMessage {
  return simpleMessage(
    "Something went wrong on planbot's side (the details are in its log). Try again, and tell whoever runs planbot if it keeps happening.",
  );
}

export function plansUsage(demo: boolean): SlackMessage {
  const lines = [
    '*Search the Rebilly plan catalog*',
    '`/plans [words] [--filter EXPR] [--sort FIELDS]`',
    '• `/plans gold` finds plans whose text matches “gold”; `/plans` alone lists the catalog.',
    `• \`${filterExample}\` uses Rebilly's filter syntax: \`field:value\`, \`,\` for OR, \`;\` for AND, \`!\` to negate, \`a..b\` for ranges.`,
    `• \`${sortExample}\` sorts by fields, \`-\` for descending.`,
    'Ten plans a page with *Prev* and *Next*; only you see the answer until you press *Share in channel*.',
  ];
  if (demo) lines.push('_Demo mode: a sample catalog. Try `/plans gold` or `/plans --filter isActive:false`._');
  return simpleMessage(lines.join('\n'));
}

export function invalidPlansSearch(problem: string): SlackMessage {
  return simpleMessage(`I couldn't search: ${problem}. See \`/plans help\`.`);
}

export function plansNotConfigured(): SlackMessage {
  return simpleMessage(
    "`/plans` isn't set up yet: planbot has no Rebilly API key. Ask whoever runs planbot to set it.",
  );
}

function minutesText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}

/** What went wrong with a catalog search, in plain words. */
export function catalogFailure(
  failure: Failure,
  ctx: { status?: number; detail?: string; retryAfterMs?: number },
): SlackMessage {
  switch (failure) {
    case 'unauthorized':
      return simpleMessage(
        "Rebilly refused planbot's API key, so I can't search plans right now. Ask whoever runs planbot to check it.",
      );
    case 'forbidden':
      return simpleMessage(
        "The Rebilly API key planbot uses may not read plans. Ask whoever runs planbot to check the key's permissions.",
      );
    case 'not_found':
      return simpleMessage(
        "Rebilly didn't find the plan catalog. Ask whoever runs planbot to check the organization in its Rebilly address.",
      );
    case 'bad_request':
      return simpleMessage(
        `Rebilly didn't accept that search${ctx.detail ? `: ${safeText(ctx.detail, 300)}` : ''}. Check the \`--filter\` and \`--sort\`, for example \`/plans ${filterExample}\`.`,
      );
    case 'throttled':
    case 'quota_exceeded':
    case 'quota_reserved':
      return simpleMessage(
        `Rebilly is limiting how fast planbot may ask right now. Try again in ${minutesText(ctx.retryAfterMs ?? 60_000)}.`,
      );
    case 'timeout':
      return simpleMessage("Rebilly didn't answer in time. Try again in a minute.");
    case 'busy':
      return simpleMessage('planbot is busy with other searches right now. Try again in a few seconds.');
    case 'upstream':
      return simpleMessage(
        `Rebilly had a problem answering${ctx.status ? ` (error ${ctx.status})` : ''}. Try again in a minute.`,
      );
    case 'internal':
      return somethingWentWrong();
  }
}

/** Help for mentions and DMs; `unknownWord` when someone asked for something planbot does not do. */
export function conversationUsage(via: 'mention' | 'dm', unknownWord?: string): SlackMessage {
  const ask = via === 'mention' ? '@planbot ' : '';
  const lines = [
    unknownWord ? `I don't know ${code(unknownWord, 40)}. Here is what I can do:` : 'Here is what I can do:',
    `• \`${ask}plan <account id>\` or a customer name: a customer's Constant Contact billing plan, for example \`${ask}plan ${exampleAccountId}\` or \`${ask}plan acme\``,
    `• \`${ask}plans [words] [--filter EXPR] [--sort FIELDS]\`: search the Rebilly plan catalog, for example \`${ask}plans gold\``,
    `• \`${ask}radar\`: the accounts likely to move up a tier, growing fastest and shrinking; \`${ask}radar --csv\` ${via === 'mention' ? 'shares every account as a CSV in the thread' : 'sends every account as a CSV'}`,
    via === 'mention'
      ? 'I answer in the thread, for everyone in it.'
      : 'The same commands work in any channel as `/plan` and `/plans`.',
  ];
  return simpleMessage(lines.join('\n'));
}
