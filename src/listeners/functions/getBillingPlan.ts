import { runBillingStep } from '../../answers/stepAnswer.ts';
import { queuedMs } from '../../receiver/queuedMs.ts';
import type { ListenerDeps } from '../context.ts';
import type { FunctionListener } from '../routes.ts';

/** The step's callback id: manifest.yml declares it under `functions` (a test checks). */
export const getBillingPlanCallbackId = 'get_billing_plan';

/**
 * Workflow Builder's "Get billing plan" step (`function_executed`): one account's plan as outputs.
 * Bolt acks the event and hands over complete() and fail(), which call functions.completeSuccess and
 * functions.completeError with the token the event carries.
 */
export function getBillingPlan(deps: ListenerDeps): FunctionListener {
  return async ({ event, body, complete, fail, context }) => {
    // Detached from Bolt's request (the event was acked already) so its objects can be freed.
    void runBillingStep(
      deps,
      {
        executionId: event.function_execution_id,
        workflowExecutionId: event.workflow_execution_id,
        teamId: body.team_id,
        enterpriseId: body.enterprise_id ?? undefined,
        account: event.inputs?.account,
        queuedMs: queuedMs(context),
      },
      { complete: (outputs) => complete({ outputs }), fail: (error) => fail({ error }) },
    );
  };
}
