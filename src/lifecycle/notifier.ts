/** One event, many listeners, wired after both sides exist (so nothing is used before it is declared). */
export interface Notifier {
  readonly notify: () => void;
  readonly listen: (listener: () => void) => void;
}

export function createNotifier(): Notifier {
  const listeners: Array<() => void> = [];
  return {
    notify: () => {
      for (const listener of listeners) listener();
    },
    listen: (listener) => void listeners.push(listener),
  };
}
