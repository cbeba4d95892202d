import type { Refusal } from '../access/accessGate.ts';
import { formatMoney } from '../billing/money.ts';
import { formatDate } from '../billing/nextBillingDate.ts';
import { monthlyTotals, type StepOutputs, stepOutputTypes } from '../billing/stepOutputs.ts';
import { truncate } from '../text/mrkdwn.ts';
import type { BillingStepOutcome } from '../usecases/billingStep.ts';
import { exampleAccountId, untilUtcMidnight } from './messages.ts';

/**
 * The words of the Workflow Builder step `get_billing_plan`: its one-line `summary` and the error it
 * ends with when it can't give a plan. Both are plain text, not mrkdwn: Workflow Builder shows an
 * error as it is, and a later step may put the summary anywhere.
 */

/** Everything the step completes with: the plan's facts and a line for people. */
export type StepCompletion = StepOutputs & { summary: string };

/** Every output the step can give, its type, and whether it is always there (the manifest declares the same). */
export const stepOutputParameters: Record<
  keyof StepCompletion,
  { type: 'string' | 'integer' | 'number'; required: boolean }
> = {
  ...(Object.fromEntries(
    Object.entries(stepOutputTypes).map(([name, type]) => [name, { type, required: false }]),
  ) as Record<keyof StepOutputs, { type: 'string' | 'integer' | 'number'; required: false }>),
  summary: { type: 'string', required: true },
};

/**
 * Text from outside (API values, the input) made safe for a line of plain text: one line, no
 * control or bidi characters, `<`/`>` swapped for look-alikes so nothing reads as a Slack mention if
 * it lands in mrkdwn after all, cut to `max`.
 */
function plain(text: string, max: number): string {
  const line = text
    .toWellFormed()
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, ' ')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(line, max);
}

/** "under 1%", "42%", "104%": whole percents as people read them (the output keeps the decimals). */
function percentText(percent: number): string {
  if (percent > 0 && percent < 1) return 'under 1%';
  return `${Math.floor(percent + 1e-9)}%`;
}

/** Currencies named in the summary's price before "and N more". */
const currenciesShown = 3;

/** "$25.00 a month", "$20.00 + €5.00 a month": every currency's total, as the card shows them. */
function priceText(outcome: Extract<BillingStepOutcome, { kind: 'plan' }>): string | undefined {
  const totals = monthlyTotals(outcome.plan.tiers).filter((t) => Number.isFinite(t.amount));
  if (totals.length === 0) return undefined;
  const shown = totals.slice(0, currenciesShown).map((t) => plain(formatMoney(t.amount, t.currency), 40));
  const rest = totals.length - shown.length;
  return `${shown.join(' + ')}${rest > 0 ? ` + ${rest} more ${rest === 1 ? 'currency' : 'currencies'}` : ''} a month`;
}

/**
 * One line for people: "Billing plan for a07e1lxtnhz0: Email Plus, Open, $25.00 a month, next billing
 * Mon, Jun 29, 2026, fullest tier 98% used".
 */
export function stepSummary(outcome: Extract<BillingStepOutcome, { kind: 'plan' }>, o: { sample: boolean }): string {
  const { outputs } = outcome;
  const parts = [
    outputs.plan_name !== undefined ? plain(outputs.plan_name, 60) : 'plan not shown',
    outputs.billing_status !== undefined ? plain(outputs.billing_status, 40) : 'status not shown',
  ];
  const price = priceText(outcome);
  if (price) parts.push(price);
  if (outputs.next_billing_date !== undefined)
    parts.push(`next billing ${formatDate(new Date(`${outputs.next_billing_date}T00:00:00Z`))}`);
  if (outputs.usage_percent !== undefined) parts.push(`fullest tier ${percentText(outputs.usage_percent)} used`);
  else if (outcome.plan.tiers.length === 0) parts.push('no usage tiers');
  const line = `${o.sample ? '[Sample data] ' : ''}Billing plan for ${plain(outcome.accountId, 64)}: ${parts.join(', ')}`;
  return truncate(line, 500);
}

/** The outputs `functions.completeSuccess` sends: the facts the plan has, and the summary. */
export function stepCompletion(
  outcome: Extract<BillingStepOutcome, { kind: 'plan' }>,
  o: { sample: boolean },
): StepCompletion {
  return { ...outcome.outputs, summary: stepSummary(outcome, o) };
}

/** The input, quoted, as the error repeats it. */
const quoted = (input: string) => `“${plain(input, 80)}”`;

const howToAsk = `Give the encoded account id (like ${exampleAccountId}) or the customer's organization or owner name.`;

/** Why the step ended without a plan, in plain words, and what to do about it. Never the raw upstream text. */
export function stepErrorText(outcome: Exclude<BillingStepOutcome, { kind: 'plan' }>, now: Date): string {
  switch (outcome.kind) {
    case 'invalid_input':
      return outcome.input === undefined
        ? `The step needs an account. ${howToAsk}`
        : `${quoted(outcome.input)} isn't an account id or a customer name. ${howToAsk}`;
    case 'ambiguous': {
      const count = outcome.more ? `More than ${outcome.count} accounts` : `${outcome.count} accounts`;
      return `${count} match ${quoted(outcome.input)}, and the step needs exactly one. Give the account id, or more of the name.`;
    }
    case 'unknown_account':
      return outcome.namesUnavailable
        ? `Constant Contact has no account with the id ${quoted(outcome.input)}, and planbot can't look it up as a name yet: its account index ${outcome.namesUnavailable.building ? 'is still being built' : "hasn't been built"}. Check the id, or try the name again later.`
        : `No account matches ${quoted(outcome.input)}: Constant Contact knows no such account id, and no organization or owner name in planbot's account index matches it. Check the id or the name.`;
    case 'index_not_ready':
      return outcome.building
        ? "planbot can't look up customer names yet: its account index is still being built. Try again in a few minutes, or give the account id."
        : "planbot can't look up customer names yet: its account index hasn't been built (/plan reindex builds it). Give the account id instead.";
    case 'not_configured':
      return "planbot isn't set up to read billing plans: it has no Constant Contact partner credentials. Ask whoever runs planbot to set them.";
    case 'timed_out':
      return 'Looking up the billing plan took too long, so the step stopped. Try again in a minute.';
    case 'failed': {
      const id = quoted(outcome.accountId);
      switch (outcome.failure) {
        case 'quota_exceeded':
        case 'quota_reserved':
          return `planbot has used up today's Constant Contact request quota. Lookups work again after 00:00 UTC (in ${untilUtcMidnight(now)}).`;
        case 'throttled':
          return 'Constant Contact is limiting how fast planbot may ask right now. Try again in a minute.';
        case 'busy':
          return 'planbot is busy with other lookups right now. Try again in a few seconds.';
        case 'timeout':
          return "Constant Contact didn't answer in time. Try again in a minute.";
        case 'unauthorized':
          return "Constant Contact refused planbot's partner credentials, so it can't read billing plans right now. Ask whoever runs planbot to check them.";
        case 'forbidden':
          return `Constant Contact didn't let planbot read account ${id}. It may belong to another partner. Ask whoever runs planbot if this keeps happening.`;
        case 'bad_request':
          return `Constant Contact didn't accept ${id} as an account id. Check the id.`;
        case 'not_found':
          return `Constant Contact has no account with the id ${id}. Check the id.`;
        case 'upstream':
          return `Constant Contact had a problem answering${outcome.status ? ` (error ${outcome.status})` : ''}. Try again in a minute.`;
        case 'internal':
          return stepInternalErrorText();
      }
    }
  }
}

/** Why planbot would not run the step here. Never names who is allowed. */
export function stepRefusalText(refusal: Refusal): string {
  return refusal === 'external_user'
    ? "planbot only runs this step in its own organization's Slack workspace."
    : "planbot's access settings don't allow this step here. Ask whoever runs planbot.";
}

/** For failures planbot did not expect: no detail (that is in the log), and what to do. */
export function stepInternalErrorText(): string {
  return "Something went wrong on planbot's side (the details are in its log). Try again, and tell whoever runs planbot if it keeps happening.";
}
