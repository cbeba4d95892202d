import { isAccountId } from '../billing/account.ts';
import type { BillingPlan } from '../billing/plan.ts';
import { type StepOutputs, stepOutputs } from '../billing/stepOutputs.ts';
import { cleanCommandText } from '../grammar/planCommand.ts';
import { failureOutcome, type Asker, type AskOptions, type Failure } from './types.ts';
import type { PlanUseCases } from './plan.ts';

/** Candidates the finder hands over: one more than it lists, so "more than 10" can be told. */
const candidatesListed = 10;

/** Longest name searched, as for `/plan`. */
const maxNameLength = 200;

/** The Workflow Builder step `get_billing_plan`: one account's plan as outputs, or why there are none. */
export type BillingStepOutcome =
  | {
      kind: 'plan';
      accountId: string;
      plan: BillingPlan;
      outputs: StepOutputs;
      /** When Constant Contact was read (epoch ms). */
      fetchedAt: number;
    }
  /** The input is missing, or is neither an id nor a name (`input` is undefined when it was missing). */
  | { kind: 'invalid_input'; input: string | undefined }
  /** The name matches several accounts: `count` of them, or more when `more`. */
  | { kind: 'ambiguous'; input: string; count: number; more: boolean }
  /**
   * Neither an account id Constant Contact knows nor a name in the account index. `namesUnavailable`:
   * there was no index to search the words as a name (`building`: one is being built).
   */
  | { kind: 'unknown_account'; input: string; namesUnavailable?: { building: boolean } }
  /** Names can't be searched yet: no account index has been built. */
  | { kind: 'index_not_ready'; building: boolean }
  /** Constant Contact could not be read (quota, throttling, credentials, an error). */
  | { kind: 'failed'; accountId: string; failure: Failure; status?: number }
  /** planbot has no partner credentials. */
  | { kind: 'not_configured' }
  /** The deadline passed before the plan was read. */
  | { kind: 'timed_out' };

/** The audit's and the log's word for what came of it. */
export function billingStepOutcomeName(outcome: BillingStepOutcome): string {
  return outcome.kind === 'failed' ? failureOutcome(outcome.failure) : outcome.kind;
}

/** How the step's `account` input is looked up: an id-shaped word, or a name. */
type AccountRequest = { kind: 'lookup'; accountId: string } | { kind: 'find'; words: string };

/** The `account` input as the finder takes it; undefined when it is missing or cannot be an id or a name. */
export function accountRequest(input: unknown): AccountRequest | undefined {
  if (typeof input !== 'string') return undefined;
  // People paste ids wrapped in backticks or quotes; take what is inside.
  const text = cleanCommandText(input).replace(/^[`'"“”‘’]+|[`'"“”‘’]+$/g, '');
  if (isAccountId(text)) return { kind: 'lookup', accountId: text };
  if (/[\p{L}\p{N}]/u.test(text) && text.length <= maxNameLength) return { kind: 'find', words: text };
  return undefined;
}

/**
 * `get_billing_plan`: resolves the input as `/plan` does (an id, or a name that means exactly one
 * account), reads the plan through the same lookup (cache, rate gate, retries) and computes the
 * outputs. Gives up at `options.deadline` with `timed_out`, so the step always ends in time. Who may
 * run it is the caller's question, asked before this runs.
 */
export async function billingStep(
  deps: { plan: PlanUseCases; now: () => number },
  input: unknown,
  asker: Asker,
  options: AskOptions,
): Promise<BillingStepOutcome> {
  const request = accountRequest(input);
  if (!request) return { kind: 'invalid_input', input: typeof input === 'string' && input.trim() ? input : undefined };
  const left = options.deadline - deps.now();
  if (left <= 0) return { kind: 'timed_out' };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<BillingStepOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timed_out' }), left);
  });
  try {
    return await Promise.race([read(deps, request, asker, options), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function read(
  deps: { plan: PlanUseCases; now: () => number },
  request: AccountRequest,
  asker: Asker,
  options: AskOptions,
): Promise<BillingStepOutcome> {
  const words = request.kind === 'lookup' ? request.accountId : request.words;
  const found = await deps.plan.find(request, asker, options);
  switch (found.kind) {
    case 'card':
      return {
        kind: 'plan',
        accountId: found.accountId,
        plan: found.plan,
        outputs: stepOutputs(
          found.plan,
          new Date(deps.now()),
          found.trends?.tiers.map((t) => t.trend.forecast),
        ),
        fetchedAt: found.fetchedAt,
      };
    case 'candidates':
      return {
        kind: 'ambiguous',
        input: words,
        count: Math.min(found.candidates.length, candidatesListed),
        more: found.candidates.length > candidatesListed,
      };
    case 'no_match':
      return { kind: 'unknown_account', input: words };
    case 'index_not_ready':
      return { kind: 'index_not_ready', building: found.building };
    case 'not_configured':
      return { kind: 'not_configured' };
    case 'failed':
      if (found.failure === 'not_found')
        return { kind: 'unknown_account', input: words, ...(found.noIndex ? { namesUnavailable: found.noIndex } : {}) };
      return {
        kind: 'failed',
        accountId: found.accountId,
        failure: found.failure,
        ...(found.status !== undefined ? { status: found.status } : {}),
      };
  }
}
