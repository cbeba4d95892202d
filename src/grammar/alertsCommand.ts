/** The kinds of alert a channel can choose. */
export const alertKinds = ['upgrade', 'downgrade', 'cancellation', 'disabled'] as const;
export type ChosenKind = (typeof alertKinds)[number];

export type AlertsCommand =
  | { kind: 'show' }
  /** `on`: the accounts the channel watches; `all`: every account of the partner. */
  | { kind: 'set'; scope: 'watched' | 'all'; kinds: ChosenKind[] }
  | { kind: 'off' }
  | { kind: 'test' }
  /** `word`: the first word not understood, as typed. */
  | { kind: 'invalid'; word: string };

const kindWords = new Map<string, ChosenKind>([
  ['upgrades', 'upgrade'],
  ['upgrade', 'upgrade'],
  ['up', 'upgrade'],
  ['downgrades', 'downgrade'],
  ['downgrade', 'downgrade'],
  ['down', 'downgrade'],
  ['cancellations', 'cancellation'],
  ['cancellation', 'cancellation'],
  ['cancelled', 'cancellation'],
  ['canceled', 'cancellation'],
  ['cancels', 'cancellation'],
  ['disabled', 'disabled'],
  ['disable', 'disabled'],
  ['disables', 'disabled'],
]);

/** `alerts`, `alerts on [kinds…]`, `alerts all [kinds…]`, `alerts off`, `alerts test`. */
export function parseAlertsCommand(args: string[]): AlertsCommand {
  const words = args.map((w) => w.replace(/[,;]+$/, '')).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return { kind: 'show' };
  const verb = first.toLowerCase();
  if ((verb === 'off' || verb === 'test') && rest.length === 0) return { kind: verb };
  if (verb !== 'on' && verb !== 'all') return { kind: 'invalid', word: first };
  const kinds: ChosenKind[] = [];
  for (const word of rest) {
    const kind = kindWords.get(word.toLowerCase());
    if (!kind) return { kind: 'invalid', word };
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return { kind: 'set', scope: verb === 'all' ? 'all' : 'watched', kinds: kinds.length > 0 ? kinds : [...alertKinds] };
}
