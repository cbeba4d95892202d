import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite's write-ahead-log checkpoints off the main thread. A checkpoint copies the log
 * into the database file and waits for the disk (fsync): 5–10 ms that, run by the write that
 * happened to cross the log's size limit, stalled every answer in flight. Here a worker thread
 * with its own connection runs a passive checkpoint every `everyMs` (passive: it never blocks a
 * writer, and the main connection goes on writing to the log meanwhile), so the main thread's
 * writes only append to the log.
 *
 * `onStopped` is called once if the worker fails or exits early, so the caller can put the main
 * connection's own checkpoints back.
 */
export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #closing = false;

  constructor(path: string, options: { everyMs?: number; onStopped: (why: string) => void }) {
    this.#worker = new Worker(workerSource, {
      eval: true,
      workerData: { path, everyMs: options.everyMs ?? 500 },
      // The worker only runs one PRAGMA on a timer: a small heap keeps its memory small.
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1, stackSizeMb: 1 },
      stdout: false,
      stderr: false,
    });
    this.#worker.unref();
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    let stopped = false;
    const stop = (why: string) => {
      if (stopped || this.#closing) return;
      stopped = true;
      options.onStopped(why);
    };
    this.#worker.on('error', (error) => stop(error instanceof Error ? error.message : String(error)));
    this.#worker.on('exit', (code) => stop(`exited with code ${code}`));
  }

  /**
   * Asks the worker to close its connection and end (it does so between two checkpoints), and
   * resolves once it has, or after `waitMs`: the database can then be reopened at once, and the
   * last connection to close (the caller's) folds the log into the file.
   */
  async close(waitMs = 2_000): Promise<void> {
    this.#closing = true;
    this.#worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#exited, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }
}

// Plain JavaScript run by the worker (`eval`): no build step or file path to resolve.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => checkpoint.get(), workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;
