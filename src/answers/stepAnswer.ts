import {
  type StepCompletion,
  stepCompletion,
  stepErrorText,
  stepInternalErrorText,
  stepRefusalText,
} from '../blocks/workflowStep.ts';
import type { Store } from '../store/createStore.ts';
import { billingStep, billingStepOutcomeName } from '../usecases/billingStep.ts';
import type { PlanUseCases } from '../usecases/plan.ts';
import { type AnswerDeps, answerBudgetMs } from './runAnswer.ts';

/** Slack retries an event for up to a few minutes; a day of memory is ample. */
const handledStepTtlMs = 24 * 60 * 60_000;

/** What the Workflow Builder step needs, whichever way Slack delivered it. */
export interface StepDeps extends AnswerDeps {
  plan: PlanUseCases;
  /** Claims each step execution once, across replicas. */
  store: Pick<Store, 'claim'>;
  /** Demo mode: the summary says it is sample data. */
  sample: boolean;
}

/** One execution of `get_billing_plan`, as the `function_executed` event told it. */
export interface StepRequest {
  /** `function_execution_id`: what complete() and fail() end, and what a retried delivery repeats. */
  executionId: string;
  /** `workflow_execution_id`: the run of the workflow, for the log and the audit. */
  workflowExecutionId: string;
  /** The workspace (and Enterprise Grid org) the workflow runs in. */
  teamId: string | undefined;
  enterpriseId: string | undefined;
  /** The `account` input as Slack sent it. */
  account: unknown;
  /** How long the event waited between its ack and its listener (ms): the 15 s started at the ack. */
  queuedMs: number;
}

/** How a step ends: Bolt's `complete()` (functions.completeSuccess) and `fail()` (functions.completeError). */
export interface StepEnd {
  complete(outputs: StepCompletion): Promise<unknown>;
  fail(error: string): Promise<unknown>;
}

/**
 * Runs one execution of the step: once per execution id across replicas, tracked for a clean
 * shutdown, refused outside planbot's own workspace, ended within the 12 s answer budget with
 * complete() or fail() (a plain-words error, never the error itself), and audited with its outcome
 * and duration. Never throws.
 */
export async function runBillingStep(deps: StepDeps, request: StepRequest, end: StepEnd): Promise<void> {
  const started = deps.now() - request.queuedMs;
  const command = 'workflow_step';
  const log = {
    event: 'workflow_step',
    execution: request.executionId,
    workflow: request.workflowExecutionId,
    team: request.teamId,
  };
  const done = deps.inflight.begin();
  try {
    const claimed = await deps.store
      .claim(`slack-function:${request.executionId}`, handledStepTtlMs)
      .catch((error: unknown) => {
        // A step left unended hangs its workflow: without the store, run it rather than risk that.
        deps.logger.warn({ ...log, err: error }, 'could not claim a workflow step; running it anyway');
        return true;
      });
    if (!claimed) {
      deps.logger.info({ ...log, outcome: 'duplicate' }, 'ignored a repeated workflow step');
      return;
    }
    let outcome: string;
    let ending: { outputs: StepCompletion } | { error: string };
    try {
      const verdict = await deps.access.admitWorkspace(request.teamId, request.enterpriseId);
      if (!verdict.ok) {
        outcome = verdict.refusal;
        ending = { error: stepRefusalText(verdict.refusal) };
      } else {
        const result = await billingStep(
          deps,
          request.account,
          { userId: '', channelId: request.workflowExecutionId, teamId: request.teamId },
          { deadline: started + answerBudgetMs, command },
        );
        outcome = billingStepOutcomeName(result);
        ending =
          result.kind === 'plan'
            ? { outputs: stepCompletion(result, deps) }
            : { error: stepErrorText(result, new Date(deps.now())) };
      }
    } catch (error) {
      deps.logger.error({ ...log, err: error }, 'could not run a workflow step');
      outcome = 'internal_error';
      ending = { error: stepInternalErrorText() };
    }
    try {
      if ('outputs' in ending) await end.complete(ending.outputs);
      else await end.fail(ending.error);
    } catch (error) {
      deps.logger.error({ ...log, err: error, outcome }, 'could not end a workflow step');
      outcome = 'not_completed';
    }
    deps.audit.record({
      action: 'workflow_step',
      command,
      user: undefined,
      team: request.teamId,
      channel: request.workflowExecutionId,
      ...(typeof request.account === 'string' ? { target: request.account } : {}),
      outcome,
      durationMs: deps.now() - started,
    });
  } catch (error) {
    deps.logger.error({ ...log, err: error }, 'could not handle a workflow step');
  } finally {
    done();
  }
}
