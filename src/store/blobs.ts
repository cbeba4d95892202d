/**
 * A named set of binary values (compact per-account series, for instance), read and written many
 * keys at a time. Like `durable`, it never falls back to memory: failures are thrown, and while
 * Redis is away its calls wait for it.
 */
export interface BlobKv {
  /** The values of `keys`, in the same order; undefined where a key holds nothing. */
  getMany(keys: string[]): Promise<Array<Uint8Array | undefined>>;
  /** Stores every entry (the last one wins for a key given twice). Embedded: one transaction. */
  setMany(entries: Array<[string, Uint8Array]>): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key that holds a value, in no particular order (for sweeps; a whole list at once). */
  keys(): Promise<string[]>;
  /** About how many bytes the values take where they are stored, overheads included, for the bench and status. */
  bytes(): Promise<number>;
}

/** Keys per command or statement batch, so one call never builds a huge request or reply. */
export const blobChunkSize = 1_000;

/** `items` in slices of at most `size`. */
export function chunks<T>(items: readonly T[], size = blobChunkSize): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
