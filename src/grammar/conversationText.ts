import { cleanCommandText, type PlanCommand, parsePlanCommand } from './planCommand.ts';
import { type PlansCommand, parsePlansCommand } from './plansCommand.ts';

/** What someone asked planbot in a mention or a DM. */
export type ConversationRequest =
  | { kind: 'plan'; command: PlanCommand }
  | { kind: 'plans'; command: PlansCommand }
  | { kind: 'help' }
  | { kind: 'unknown'; word: string };

/**
 * `@planbot plan <account>`, `@planbot plans <words> [--filter …] [--sort …]`, `@planbot [plan]
 * radar [--csv]`, `help`, in a mention (leading mentions stripped) or a DM.
 */
export function parseConversationText(raw: string): ConversationRequest {
  const text = cleanCommandText(raw.replace(/^(\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+/, ''));
  const [first = '', ...rest] = text.split(' ');
  const word = first.toLowerCase();
  const args = rest.join(' ');
  if (word === '' || word === 'help' || word === '?') return { kind: 'help' };
  if (word === 'plan' || word === '/plan') return { kind: 'plan', command: parsePlanCommand(args) };
  if (word === 'radar' || word === 'status') {
    // `@planbot radar` reads as well as `@planbot plan radar` (and `status` as `plan status`).
    const command = parsePlanCommand(text);
    return command.kind === word ? { kind: 'plan', command } : { kind: 'unknown', word: text };
  }
  if (word === 'plans' || word === '/plans') return { kind: 'plans', command: parsePlansCommand(args) };
  return { kind: 'unknown', word: first };
}
