import { isAccountId, type PartnerAccount } from '../billing/account.ts';
import type { PlanCommand } from '../grammar/planCommand.ts';
import type { Logger } from '../logger.ts';
import type { AccountIndex } from './accountIndex.ts';
import type { AccountIndexStore } from './indexStore.ts';
import { accountsNamedIn, searchAccounts, suggestAccounts } from './search.ts';

export type WatchCommand = Extract<PlanCommand, { kind: 'watch' | 'unwatch' }>;

/** What planbot knows about its account index when it answers from it. */
export interface IndexFacts {
  builtAt: number;
  accounts: number;
  now: number;
}

/** Several accounts match the words: up to 11 of them, closest first (one more than a list shows). */
export interface Candidates {
  kind: 'candidates';
  words: string;
  candidates: PartnerAccount[];
  index: IndexFacts;
}

/** No index entry matches the words. */
export interface NoMatch {
  kind: 'no_match';
  words: string;
  index: IndexFacts;
}

/** Names can't be searched: no index has been built (`building`: one is being built now). */
export interface IndexNotReady {
  kind: 'index_not_ready';
  building: boolean;
}

/** The account a person meant, or why there is no one account. */
export type Resolution =
  | {
      kind: 'account';
      accountId: string;
      /** Set when it was found by name: the card says how old the index is. */
      foundBy?: IndexFacts;
      /** Set when there is no index to search names in: if the id is not found either, say why. */
      noIndex?: { building: boolean };
    }
  | Candidates
  | NoMatch
  | IndexNotReady
  /** planbot has no partner credentials: there is no index and no account to look up. */
  | { kind: 'not_configured' };

export type WatchResolution = { kind: 'command'; cmd: WatchCommand } | Candidates | NoMatch | IndexNotReady;

export type ReindexResult =
  { kind: 'reindex'; status: 'started' | 'busy'; index: IndexFacts | undefined } | { kind: 'not_configured' };

export interface AccountFinder {
  /** An id-shaped word (`lookup`) or other words (`find`), resolved against the account index. */
  resolve(request: { kind: 'lookup'; accountId: string } | { kind: 'find'; words: string }): Promise<Resolution>;
  /**
   * `watch`/`unwatch` words: ids (as typed, or indexed ids) go on as they are; a name that means one
   * account becomes its id; several are offered to pick from; a name that matches nothing is reported.
   */
  resolveWatch(cmd: WatchCommand): Promise<WatchResolution>;
  /** Starts a rebuild of the index in the background, unless one is running. */
  reindex(): Promise<ReindexResult>;
  /** The indexed account with this id (for its name), or undefined: not indexed, or no index yet. */
  account(accountId: string): Promise<PartnerAccount | undefined>;
  /** Accounts to offer while someone types (best first, at most `limit`), or why there are none. */
  suggest(words: string, limit: number): Promise<Suggestions>;
  /**
   * The account a message means: the first id in its text that the index knows (else the first
   * word shaped like an encoded id), or else the account whose name it mentions.
   */
  inText(text: string): Promise<Resolution>;
  /** How many accounts the index holds and when it was built, or why there is none. */
  status(): Promise<{ kind: 'ready'; index: IndexFacts } | IndexNotReady | { kind: 'not_configured' }>;
  /** The last complete index itself, every account (the radar goes through them all), or why there is none. */
  current(): Promise<CurrentIndex>;
}

export type CurrentIndex =
  { kind: 'ready'; index: AccountIndex; facts: IndexFacts } | IndexNotReady | { kind: 'not_configured' };

export type Suggestions =
  { kind: 'suggestions'; accounts: PartnerAccount[]; index: IndexFacts } | IndexNotReady | { kind: 'not_configured' };

/** Without partner credentials: ids pass through (the lookup says it is not set up), names can't be found. */
export const unconfiguredFinder: AccountFinder = {
  async resolve(request) {
    return request.kind === 'lookup' ? { kind: 'account', accountId: request.accountId } : { kind: 'not_configured' };
  },
  async resolveWatch(cmd) {
    return { kind: 'command', cmd };
  },
  async reindex() {
    return { kind: 'not_configured' };
  },
  async account() {
    return undefined;
  },
  async suggest() {
    return { kind: 'not_configured' };
  },
  async status() {
    return { kind: 'not_configured' };
  },
  async current() {
    return { kind: 'not_configured' };
  },
  async inText() {
    return { kind: 'not_configured' };
  },
};

/** One more than the list shows, to know whether to say "more than 10". */
const candidateLimit = 11;

/**
 * Whether words no name matched may still be encoded ids of accounts newer than the index. Encoded
 * ids mix letters and digits (`a07e1lxtnhz0`); a word without a digit that matches no name is
 * taken for a name, so `/plan zzyzx` says "no match" instead of asking Constant Contact.
 */
function mayBeNewId(words: string[]): boolean {
  return words.some((w) => /\d/.test(w));
}

/**
 * Names go through the last complete index; ids go straight to Constant Contact as before, unless
 * the word is not an indexed id but is a name (`/plan acme`).
 */
export function createAccountFinder(o: {
  index: AccountIndexStore;
  /** Starts a walk in the background (the one planbot schedules, which logs and prepares the search). */
  rebuild: () => void;
  logger: Logger;
  now: () => number;
}): AccountFinder {
  const facts = (index: AccountIndex): IndexFacts => ({
    builtAt: index.builtAt,
    accounts: index.accounts.length,
    now: o.now(),
  });
  const read = (reread: boolean) =>
    o.index.load({ reread }).catch((error: unknown) => {
      o.logger.warn({ event: 'account_index_unreadable', err: error }, 'could not read the account index');
      return undefined;
    });
  const building = () => o.index.building().catch(() => false);
  /**
   * The index, remembered between reads; `forNames`: when none is remembered, ask the store now, so a
   * name search right after another replica's first walk doesn't say "not built yet".
   */
  const loaded = async (forNames = false) => (await read(false)) ?? (forNames ? read(true) : undefined);
  const candidates = (words: string, found: PartnerAccount[], index: AccountIndex): Candidates => ({
    kind: 'candidates',
    words,
    candidates: found,
    index: facts(index),
  });
  const noMatch = (words: string, index: AccountIndex): NoMatch => ({ kind: 'no_match', words, index: facts(index) });
  const notReady = async (): Promise<IndexNotReady> => ({ kind: 'index_not_ready', building: await building() });

  return {
    async resolve(request) {
      const index = await loaded(request.kind === 'find');
      if (request.kind === 'lookup') {
        if (!index) return { kind: 'account', accountId: request.accountId, noIndex: { building: await building() } };
        const found = searchAccounts(index, request.accountId, { limit: candidateLimit });
        if (found.kind === 'one') return { kind: 'account', accountId: found.account.id, foundBy: facts(index) };
        if (found.kind === 'several') return candidates(request.accountId, found.candidates, index);
        if (found.kind === 'id') return { kind: 'account', accountId: found.account.id };
        // No name matches: a word that may be an id newer than the index is looked up as one, as always.
        if (mayBeNewId([request.accountId])) return { kind: 'account', accountId: request.accountId };
        return noMatch(request.accountId, index);
      }
      if (!index) return notReady();
      const found = searchAccounts(index, request.words, { limit: candidateLimit });
      switch (found.kind) {
        case 'id':
          return { kind: 'account', accountId: found.account.id };
        case 'one':
          return { kind: 'account', accountId: found.account.id, foundBy: facts(index) };
        case 'several':
          return candidates(request.words, found.candidates, index);
        case 'none':
          return noMatch(request.words, index);
      }
    },

    async resolveWatch(cmd) {
      if (cmd.words === '') return { kind: 'command', cmd };
      const index = await loaded(true);
      const allIds = cmd.invalid.length === 0 && cmd.ids.length > 0;
      if (!index) {
        // Ids work without the index; a name needs it.
        if (cmd.ids.length > 0) return { kind: 'command', cmd };
        return notReady();
      }
      if (allIds && cmd.ids.every((id) => searchAccounts(index, id).kind === 'id')) return { kind: 'command', cmd };
      const found = searchAccounts(index, cmd.words, { limit: candidateLimit });
      switch (found.kind) {
        case 'id':
        case 'one':
          return { kind: 'command', cmd: { ...cmd, ids: [found.account.id], invalid: [] } };
        case 'several':
          return candidates(cmd.words, found.candidates, index);
        case 'none':
          // Id-shaped words may be accounts newer than the index: check them with Constant Contact as before.
          if (mayBeNewId(cmd.ids)) return { kind: 'command', cmd };
          return noMatch(cmd.words, index);
      }
    },

    async account(accountId) {
      const index = await loaded();
      if (!index) return undefined;
      const found = searchAccounts(index, accountId);
      return found.kind === 'id' && found.account.id === accountId ? found.account : undefined;
    },

    async suggest(words, limit) {
      const index = await loaded(true);
      if (!index) return notReady();
      return { kind: 'suggestions', accounts: suggestAccounts(index, words, limit), index: facts(index) };
    },

    async inText(text) {
      // Slack's markup (<@U…>, <#C…>, <https://…|label>) is no one's account: only its label is text.
      const plain = text.replace(/<[^>|]*\|([^>]*)>/g, ' $1 ').replace(/<[^>]*>/g, ' ');
      const tokens = plain.split(/[^A-Za-z0-9_-]+/).filter((t) => isAccountId(t));
      const index = await loaded(true);
      if (index) {
        const indexed = tokens.find((t) => searchAccounts(index, t).kind === 'id');
        if (indexed)
          return {
            kind: 'account',
            accountId: (searchAccounts(index, indexed) as { account: PartnerAccount }).account.id,
          };
      }
      // Encoded ids mix letters and digits and run long (`a07e1lxtnhz0`); an account newer than the index is one.
      const idShaped = tokens.find((t) => t.length >= 8 && /\d/.test(t) && /[a-z]/i.test(t));
      if (idShaped) return { kind: 'account', accountId: idShaped };
      if (!index) return notReady();
      const named = accountsNamedIn(index, plain, candidateLimit);
      const words = plain.replace(/\s+/g, ' ').trim().slice(0, 80);
      if (named.length === 1)
        return { kind: 'account', accountId: (named[0] as PartnerAccount).id, foundBy: facts(index) };
      if (named.length > 1) return candidates(words, named, index);
      return noMatch(words, index);
    },

    async status() {
      const index = await loaded(true);
      return index ? { kind: 'ready', index: facts(index) } : notReady();
    },

    async current() {
      const index = await loaded(true);
      return index ? { kind: 'ready', index, facts: facts(index) } : notReady();
    },

    async reindex() {
      const index = await loaded(true);
      const current = index ? facts(index) : undefined;
      if (await building()) return { kind: 'reindex', status: 'busy', index: current };
      o.rebuild();
      return { kind: 'reindex', status: 'started', index: current };
    },
  };
}
