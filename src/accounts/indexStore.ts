import { isAccountId } from '../billing/account.ts';
import type { PartnerAccount } from '../billing/account.ts';
import type { Store } from '../store/createStore.ts';
import type { AccountIndex } from './accountIndex.ts';

export type RefreshResult =
  | { status: 'built'; index: AccountIndex }
  /** The stored index was newer than `ifOlderThanMs`: another replica has just built it. */
  | { status: 'fresh'; index: AccountIndex }
  /** Another replica holds the build claim; the stored index stays in use until it finishes. */
  | { status: 'busy' };

export interface AccountIndexStore {
  /**
   * The last complete index, or undefined before the first build finished. Read from the store at
   * most once a minute (once per 2 s while there is none); `reread` asks the store now.
   */
  load(options?: { reread?: boolean }): Promise<AccountIndex | undefined>;
  save(index: AccountIndex): Promise<void>;
  /**
   * Builds a new index if no replica is building one, and stores it. A failed build rejects (with
   * the build's IndexBuildError) and leaves the stored index as it was.
   */
  refresh(options?: { ifOlderThanMs?: number }): Promise<RefreshResult>;
  /** True while this replica or another one is building, so a caller can say so instead of "no match". */
  building(): Promise<boolean>;
}

export interface AccountIndexStoreOptions {
  store: Pick<Store, 'namespace' | 'claim' | 'release'>;
  /** One complete walk of the account list (buildIndex with the client bound). */
  build: () => Promise<AccountIndex>;
  /**
   * Longer than a walk; a replica that dies mid-walk frees the claim after this. Default 60 min: a
   * 250,000-account walk (5,000 pages) takes 21 min at the default CC_RATE_LIMIT of 4/s, more while
   * people's lookups share the gate, and a claim that lapsed mid-walk would let a second replica
   * start another one (twice the quota).
   */
  buildTtlMs?: number;
  /**
   * How long a loaded index is used before the store is read again (a newer one may have been
   * saved by another replica). Reading and decoding 5,000 accounts per lookup would cost more
   * than the search itself. Default 60 s.
   */
  recheckMs?: number;
  now?: () => number;
}

const indexKey = 'index';
/** The stored index's build time on its own, so a replica can tell it has it without reading it. */
const builtAtKey = 'index-built-at';
const buildingKey = 'building';
const claimKey = 'held:account-index-build';

/** `[id, organization, site owner, billing status, subscribers, last login]`: a third of the JSON of objects. */
type Row = [string, string | null, string | null, string | null, number | null, string | null];
interface Stored {
  v: 1;
  builtAt: number;
  rows: Row[];
}

/**
 * Keeps the last complete account index in the store (the `accounts` namespace, one key), and
 * builds a new one under a fleet-wide claim so one replica walks the list at a time.
 */
export function createAccountIndexStore(o: AccountIndexStoreOptions): AccountIndexStore {
  const kv = o.store.namespace('accounts');
  const now = o.now ?? Date.now;
  const buildTtlMs = o.buildTtlMs ?? 60 * 60_000;
  const recheckMs = o.recheckMs ?? 60_000;
  const absentRecheckMs = Math.min(recheckMs, 2_000);
  let memo: { index: AccountIndex; readAt: number } | undefined;
  // "There is none yet" is remembered briefly too: every lookup asks, and must not read the store each time.
  let absentUntil = 0;
  let pending: Promise<RefreshResult> | undefined;

  let reading: Promise<AccountIndex | undefined> | undefined;

  /** One read of the store at a time, shared by everyone who asks meanwhile. */
  function readShared(): Promise<AccountIndex | undefined> {
    reading ??= readStored().finally(() => (reading = undefined));
    return reading;
  }

  async function readStored(): Promise<AccountIndex | undefined> {
    // The index is megabytes; when its build time says it is the one already in memory, keep that.
    if (memo) {
      const builtAt = await kv.get<number>(builtAtKey).catch(() => undefined);
      if (builtAt === memo.index.builtAt) {
        memo = { index: memo.index, readAt: now() };
        return memo.index;
      }
    }
    const stored = decode(await kv.get<unknown>(indexKey).catch(() => undefined));
    // Nothing readable (a memory fallback while Redis is away): the index we had is still the best.
    if (!stored) {
      if (!memo) absentUntil = now() + absentRecheckMs;
      return memo?.index;
    }
    // The same index keeps the same object, so the search structure built for it is reused.
    const index = memo && memo.index.builtAt === stored.builtAt ? memo.index : stored;
    memo = { index, readAt: now() };
    return index;
  }

  /** `reread`: ask the store even if it was read a moment ago (another replica may have built since). */
  async function load(reread = false): Promise<AccountIndex | undefined> {
    if (!reread && memo && now() - memo.readAt < recheckMs) return memo.index;
    if (!reread && !memo && now() < absentUntil) return undefined;
    if (!reread && memo) {
      // Due for a check: answer with the index in memory, and check in the background.
      readShared().catch(() => undefined);
      return memo.index;
    }
    return readShared();
  }

  async function save(index: AccountIndex): Promise<void> {
    await kv.set(indexKey, encode(index));
    await kv.set(builtAtKey, index.builtAt);
    memo = { index, readAt: now() };
  }

  async function refreshOnce(ifOlderThanMs: number | undefined): Promise<RefreshResult> {
    if (!(await o.store.claim(claimKey, buildTtlMs))) return { status: 'busy' };
    try {
      if (ifOlderThanMs !== undefined) {
        const current = await load(true);
        if (current && now() - current.builtAt < ifOlderThanMs) return { status: 'fresh', index: current };
      }
      await kv.set(buildingKey, { since: now() }, buildTtlMs);
      try {
        const index = await o.build();
        await save(index);
        return { status: 'built', index };
      } finally {
        await kv.delete(buildingKey);
      }
    } finally {
      await o.store.release(claimKey);
    }
  }

  return {
    load: (options = {}) => load(options.reread === true),
    save,
    refresh(options = {}) {
      // A second call on this replica while it builds waits for the same walk.
      pending ??= refreshOnce(options.ifOlderThanMs).finally(() => {
        pending = undefined;
      });
      return pending;
    },
    async building() {
      if (pending) return true;
      return (await kv.get(buildingKey).catch(() => undefined)) !== undefined;
    },
  };
}

function encode(index: AccountIndex): Stored {
  return {
    v: 1,
    builtAt: index.builtAt,
    rows: index.accounts.map((a) => [
      a.id,
      a.organizationName,
      a.siteOwnerName,
      a.billingStatus,
      a.subscriberCount,
      a.lastLoginDate,
    ]),
  };
}

/** Whatever is stored (an older format, a damaged value) is read defensively; undefined when unusable. */
function decode(value: unknown): AccountIndex | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<Stored>;
  if (v.v !== 1 || typeof v.builtAt !== 'number' || !Number.isFinite(v.builtAt) || !Array.isArray(v.rows))
    return undefined;
  const accounts: PartnerAccount[] = [];
  for (const row of v.rows as unknown[]) {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || !isAccountId(row[0])) continue;
    const [id, org, owner, status, subs, login] = row as unknown[];
    accounts.push({
      id: id as string,
      organizationName: str(org),
      siteOwnerName: str(owner),
      billingStatus: str(status),
      subscriberCount: typeof subs === 'number' && Number.isFinite(subs) && subs >= 0 ? subs : null,
      lastLoginDate: str(login),
    });
  }
  return { builtAt: v.builtAt, accounts };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
