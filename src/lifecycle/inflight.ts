/** Counts work that was acknowledged to someone, so a shutdown can wait for its answer. */
export interface Inflight {
  /** Marks work as started; call the returned function when it is finished. */
  begin(): () => void;
  /** Resolves when nothing is in flight, or after `timeoutMs`, with how many were still running. */
  drain(timeoutMs: number): Promise<number>;
  readonly count: number;
}

/** `onEnd` is told each time a piece of work ends. */
export function createInflight(onEnd: () => void = () => {}): Inflight {
  let count = 0;
  let waiters: Array<() => void> = [];
  return {
    begin() {
      count++;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        count--;
        onEnd();
        if (count === 0) {
          for (const w of waiters) w();
          waiters = [];
        }
      };
    },
    async drain(timeoutMs) {
      if (count === 0) return 0;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => waiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return count;
    },
    get count() {
      return count;
    },
  };
}
