/**
 * Work no answer waits for: what a plan read from Constant Contact leaves to do (the plan cache,
 * the alert state, the usage history, the tier prices, the quota count), and the audit line and
 * recent lookup of the answers that came with it.
 *
 * Plan requests go out together and come back together, and each card's store writes used to run
 * before the next card could be built, so the last card of a group waited for all of their
 * bookkeeping. Deferred work waits for a quiet moment instead: `quietMs` with nothing new deferred
 * (the answers of the moment have gone, and the next reads are on their way to Constant
 * Contact), but never longer than `maxWaitMs`. When answers come back to back and the wait runs
 * out, there is no quiet moment to put the work in, and deferring would only bunch it up: new work
 * then runs at once, as before, until a pause as long as `quietMs` comes again. Tasks run in the
 * order they were deferred, so two reads of one account are remembered in order.
 */
export interface AfterAnswers {
  /** Runs `task` at the next quiet moment; its failure goes to `onError`, never to the caller. */
  defer: (task: () => unknown) => void;
  /**
   * Runs `task` with the tasks waiting, if any are (an answer read from Constant Contact left its
   * bookkeeping waiting), or else at once: it must not run in the middle of the answers the queue
   * is keeping clear for, and need not wait when nothing else does.
   */
  joinOrRun: (task: () => unknown) => void;
  /** Resolves once every deferred task has run and settled (before the store closes). */
  settled(): Promise<void>;
  /** Tasks deferred and not yet settled. */
  readonly pending: number;
}

export function createAfterAnswers(o: {
  onError: (error: unknown) => void;
  /** Runs once nothing was deferred for this long (ms; 5: Constant Contact takes tens)... */
  quietMs?: number;
  /** ... or once the oldest task has waited this long (ms; 50). */
  maxWaitMs?: number;
  /** A run stops after this long (ms; 0.5) and goes on after the I/O that arrived meanwhile. */
  sliceMs?: number;
  now?: () => number;
}): AfterAnswers {
  const quietMs = o.quietMs ?? 5;
  const maxWaitMs = o.maxWaitMs ?? 50;
  const sliceMs = o.sliceMs ?? 0.5;
  const now = o.now ?? (() => performance.now());
  let queue: Array<() => unknown> = [];
  let timer: NodeJS.Timeout | undefined;
  let oldest = 0;
  let lastDeferred = -Infinity;
  let inline = false;
  let running = 0;
  let idle: Array<() => void> = [];

  const settle = () => {
    running--;
    if (running === 0) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
    }
  };

  /** Runs one task, its failure to onError. */
  const run = (task: () => unknown) => {
    try {
      const result = task();
      if (result instanceof Promise) {
        result.catch(o.onError).finally(settle);
        return;
      }
    } catch (error) {
      o.onError(error);
    }
    settle();
  };

  const drain = (all = false) => {
    clearTimeout(timer);
    timer = undefined;
    const started = now();
    // No quiet moment came before the oldest task's time was up: answers are back to back.
    if (started - oldest >= maxWaitMs) inline = true;
    let ran = 0;
    // In slices: a long backlog run at once would hold up every answer arriving meanwhile.
    while (queue.length > ran && (all || ran === 0 || now() - started < sliceMs)) run(queue[ran++] as () => unknown);
    queue = queue.slice(ran);
    // What is left has waited its quiet time already: on after the next turn's I/O.
    if (queue.length > 0 && !timer) setImmediate(drain);
  };

  return {
    defer: (task) => {
      const at = now();
      const sinceLast = at - lastDeferred;
      lastDeferred = at;
      running++;
      // Back to back, there is no quiet moment to put the work in: it runs at once, as it is deferred.
      // A pause as long as quietMs shows the quiet moments are back.
      if (inline && sinceLast < quietMs && queue.length === 0) return run(task);
      inline = false;
      if (queue.length === 0) oldest = at;
      queue.push(task);
      clearTimeout(timer);
      timer = setTimeout(drain, Math.max(0, Math.min(quietMs, oldest + maxWaitMs - at)));
    },
    joinOrRun: (task) => {
      running++;
      if (queue.length === 0) run(task);
      else queue.push(task);
    },
    settled() {
      if (running === 0) return Promise.resolve();
      if (queue.length > 0) drain(true);
      return running === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
    },
    get pending() {
      return running;
    },
  };
}
