import type { DurableKv } from '../store/createStore.ts';

/** One card a person saw, as the Home tab lists it. */
export interface RecentLookup {
  accountId: string;
  /** The account's name from the index, when it is indexed. */
  name: string | null;
  planType: string | null;
  billingStatus: string | null;
  /** When the card was read (epoch ms). */
  at: number;
}

/** How many each person's Home tab lists. */
export const recentLookupsKept = 10;

/**
 * Each person's last cards, newest first, one entry per account. Kept in a cache view: losing them
 * (Redis away) costs a shorter list on the Home tab, nothing more.
 */
export class RecentLookups {
  readonly #kv: DurableKv;
  constructor(kv: DurableKv) {
    this.#kv = kv;
  }

  async list(userId: string): Promise<RecentLookup[]> {
    return (await this.#kv.get<RecentLookup[]>(`recent:${userId}`)) ?? [];
  }

  async record(userId: string, lookup: RecentLookup): Promise<void> {
    const list = await this.list(userId);
    const next = [lookup, ...list.filter((l) => l.accountId !== lookup.accountId)].slice(0, recentLookupsKept);
    // The same card again (a cached read, already on top): the list would be written unchanged.
    if (sameLookup(list[0], lookup)) return;
    // A year: someone back from a long leave still finds their accounts.
    await this.#kv.set(`recent:${userId}`, next, 365 * 24 * 3600_000);
  }
}

function sameLookup(a: RecentLookup | undefined, b: RecentLookup): boolean {
  return (
    a !== undefined &&
    a.accountId === b.accountId &&
    a.name === b.name &&
    a.planType === b.planType &&
    a.billingStatus === b.billingStatus &&
    a.at === b.at
  );
}
