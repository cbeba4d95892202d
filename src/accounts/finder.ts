import type { AccountIndex } from '../accounts/accountIndex.ts';
import type { AccountIndexStore } from '../accounts/indexStore.ts';
import { searchAccounts } from '../accounts/search.ts';
import {
  candidatesMessage,
  type IndexFacts,
  indexNotReady,
  noMatchMessage,
  reindexMessage,
} from '../blocks/accountMatches.ts';
import type { SlackMessage } from '../blocks/limits.ts';
import type { PlanCommand } from '../commands/planCommand.ts';
import type { Logger } from '../logger.ts';

type WatchCommand = Extract<PlanCommand, { kind: 'watch' | 'unwatch' }>;

/** Which account a person meant, or what to tell them instead. */
export type Resolution =
  | {
      kind: 'account';
      accountId: string;
      /** Set when it was found by name: the card says how old the index is. */
      foundBy?: IndexFacts;
      /** Set when there is no index to search names in: if the id is not found either, say why. */
      noIndex?: { building: boolean };
    }
  | { kind: 'message'; message: SlackMessage; outcome: 'candidates' | 'no_match' | 'index_not_ready' };

export interface AccountFinder {
  /** An id-shaped word (`lookup`) or other words (`find`), resolved against the account index. */
  resolve(request: { kind: 'lookup'; accountId: string } | { kind: 'find'; words: string }): Promise<Resolution>;
  /**
   * `watch`/`unwatch` words: ids (as typed, or indexed ids) go on as they are; a name that means one
   * account becomes its id; several are offered to pick from; a name that matches nothing is reported.
   */
  resolveWatch(
    cmd: WatchCommand,
  ): Promise<
    | { kind: 'command'; cmd: WatchCommand }
    | { kind: 'message'; message: SlackMessage; outcome: 'candidates' | 'no_match' | 'index_not_ready' }
  >;
  /** Starts a rebuild of the index in the background and says so. */
  reindex(): Promise<{ message: SlackMessage; outcome: 'started' | 'busy' }>;
}

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
  /**
   * The index, remembered between reads; `forNames`: when none is remembered, ask the store now, so a
   * name search right after another replica's first walk doesn't say "not built yet".
   */
  const building = () => o.index.building().catch(() => false);
  const loaded = async (forNames = false) => (await read(false)) ?? (forNames ? read(true) : undefined);

  return {
    async resolve(request) {
      const index = await loaded(request.kind === 'find');
      if (request.kind === 'lookup') {
        if (!index) return { kind: 'account', accountId: request.accountId, noIndex: { building: await building() } };
        const found = searchAccounts(index, request.accountId, { limit: candidateLimit });
        if (found.kind === 'one') return { kind: 'account', accountId: found.account.id, foundBy: facts(index) };
        if (found.kind === 'several')
          return {
            kind: 'message',
            message: candidatesMessage(request.accountId, found.candidates, facts(index)),
            outcome: 'candidates',
          };
        if (found.kind === 'id') return { kind: 'account', accountId: found.account.id };
        // No name matches: a word that may be an id newer than the index is looked up as one, as always.
        if (mayBeNewId([request.accountId])) return { kind: 'account', accountId: request.accountId };
        return { kind: 'message', message: noMatchMessage(request.accountId, facts(index)), outcome: 'no_match' };
      }
      if (!index) return { kind: 'message', message: indexNotReady(await building()), outcome: 'index_not_ready' };
      const found = searchAccounts(index, request.words, { limit: candidateLimit });
      switch (found.kind) {
        case 'id':
          return { kind: 'account', accountId: found.account.id };
        case 'one':
          return { kind: 'account', accountId: found.account.id, foundBy: facts(index) };
        case 'several':
          return {
            kind: 'message',
            message: candidatesMessage(request.words, found.candidates, facts(index)),
            outcome: 'candidates',
          };
        case 'none':
          return { kind: 'message', message: noMatchMessage(request.words, facts(index)), outcome: 'no_match' };
      }
    },

    async resolveWatch(cmd) {
      if (cmd.words === '') return { kind: 'command', cmd };
      const index = await loaded(true);
      const allIds = cmd.invalid.length === 0 && cmd.ids.length > 0;
      if (!index) {
        // Ids work without the index; a name needs it.
        if (cmd.ids.length > 0) return { kind: 'command', cmd };
        return { kind: 'message', message: indexNotReady(await building()), outcome: 'index_not_ready' };
      }
      if (allIds && cmd.ids.every((id) => searchAccounts(index, id).kind === 'id')) return { kind: 'command', cmd };
      const found = searchAccounts(index, cmd.words, { limit: candidateLimit });
      switch (found.kind) {
        case 'id':
        case 'one':
          return { kind: 'command', cmd: { ...cmd, ids: [found.account.id], invalid: [] } };
        case 'several':
          return {
            kind: 'message',
            message: candidatesMessage(cmd.words, found.candidates, facts(index), cmd.kind),
            outcome: 'candidates',
          };
        case 'none':
          // Id-shaped words may be accounts newer than the index: check them with Constant Contact as before.
          if (mayBeNewId(cmd.ids)) return { kind: 'command', cmd };
          return { kind: 'message', message: noMatchMessage(cmd.words, facts(index)), outcome: 'no_match' };
      }
    },

    async reindex() {
      const index = await loaded(true);
      const current = index ? facts(index) : undefined;
      if (await building()) return { message: reindexMessage('busy', current), outcome: 'busy' };
      o.rebuild();
      return { message: reindexMessage('started', current), outcome: 'started' };
    },
  };
}
