import type { PickOutcome } from './pick.ts';
import { pick } from './pick.ts';
import type { PlanUseCases } from './plan.ts';
import type { Asker, AskOptions } from './types.ts';

/**
 * "Share in channel": the card for the whole conversation. The same read as a pick (the minute-long
 * cache answers it); who may see it is the access gate's question, asked before this runs.
 */
export function share(plan: PlanUseCases, accountId: string, asker: Asker, options: AskOptions): Promise<PickOutcome> {
  return pick(plan, accountId, asker, options);
}
