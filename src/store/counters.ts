/**
 * Named counts that many replicas add to at once (requests spent a day, by purpose): each key holds a
 * few fields, added to atomically, and expires as a whole.
 */
export interface Counters {
  /**
   * Adds `by` to `field` of `key`, and keeps the key for `ttlMs` from now. Resolves with every field
   * of the key after the add, so the caller sees what the other replicas spent without another read.
   */
  add(key: string, field: string, by: number, ttlMs: number): Promise<Record<string, number>>;
  /** Every field of `key` (an empty record when it holds nothing or has expired). */
  read(key: string): Promise<Record<string, number>>;
}
