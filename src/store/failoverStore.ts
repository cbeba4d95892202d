import type { SqliteStore } from './sqliteStore.ts';

/** What keyv needs of a store, and what both sides here provide. */
interface KeyvStoreLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, ttl?: number): Promise<unknown>;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
}

/**
 * A keyv store that uses the shared one while it is up and this process's memory while it is not,
 * so tokens and caches keep working through a Redis outage. Nothing is copied back: what lives in
 * memory is rebuildable (a token is re-read or re-fetched, a cached plan looked up again).
 */
export class FailoverStore {
  readonly #shared: KeyvStoreLike;
  readonly #memory: SqliteStore;
  readonly #sharedUp: () => boolean;

  constructor(shared: KeyvStoreLike, memory: SqliteStore, sharedUp: () => boolean) {
    this.#shared = shared;
    this.#memory = memory;
    this.#sharedUp = sharedUp;
  }

  async #either<T>(shared: () => Promise<T>, memory: () => Promise<T>): Promise<T> {
    if (!this.#sharedUp()) return memory();
    try {
      return await shared();
    } catch {
      // The outage itself is logged once by the store; each call just carries on.
      return memory();
    }
  }

  get(key: string): Promise<unknown> {
    return this.#either(
      () => this.#shared.get(key),
      () => this.#memory.get(key),
    );
  }

  set(key: string, value: string, ttl?: number): Promise<unknown> {
    return this.#either(
      () => this.#shared.set(key, value, ttl),
      () => this.#memory.set(key, value, ttl),
    );
  }

  /** Deletes on both sides: a value written to memory during an outage must not outlive its deletion. */
  async delete(key: string): Promise<boolean> {
    const inMemory = await this.#memory.delete(key);
    if (!this.#sharedUp()) return inMemory;
    try {
      return (await this.#shared.delete(key)) || inMemory;
    } catch {
      return inMemory;
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  clear(): Promise<void> {
    return this.#either(
      () => this.#shared.clear(),
      () => this.#memory.clear(),
    );
  }
}
