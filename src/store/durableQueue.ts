/** An item as `take` hands it out. */
export interface QueuedItem<T> {
  id: string;
  item: T;
  enqueuedAt: number;
  /** times it has been taken, this take included */
  attempts: number;
}

/**
 * Work that must survive a crash or a restart: an item stays queued until `done`, and a taker that
 * dies only holds it for its lease, after which another take (here or on another replica) gets it.
 * Delivery is at least once: work an item names should be safe to do twice.
 */
export interface DurableQueue<T> {
  /** Stores the item durably before resolving. An id already queued is left as it is: false. */
  push(id: string, item: T): Promise<boolean>;
  /** Leases the oldest available item for `leaseMs`: no other take (any process) sees it until `done` or the lease ends. */
  take(leaseMs: number): Promise<QueuedItem<T> | undefined>;
  /** Removes the item for good (its work is done). */
  done(id: string): Promise<void>;
  /** Items queued, leased or not. */
  size(): Promise<number>;
}
