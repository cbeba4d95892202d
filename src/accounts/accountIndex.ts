import type { ConstantContactClient } from '../partner/constantContact.ts';
import type { PartnerAccount } from '../billing/account.ts';

/** Every client account of the partner, as one complete walk of the account list found them. */
export interface AccountIndex {
  /** When the walk finished (epoch ms). */
  builtAt: number;
  accounts: PartnerAccount[];
}

/** Why a walk stopped before the last page; the caller keeps its last complete index. */
export type IndexBuildFailure =
  | 'upstream' // a page failed after retries (the UpstreamError is the cause: quota_exceeded, forbidden, …)
  | 'offset_repeated' // the API handed back an offset it had given before: the walk would never end
  | 'too_many_pages' // more pages than any partner has; stopped rather than spend the daily quota
  | 'aborted'; // the caller's signal (shutdown)

export class IndexBuildError extends Error {
  readonly code: IndexBuildFailure;
  /** Pages read before the walk stopped. */
  readonly pages: number;

  constructor(code: IndexBuildFailure, message: string, options: { pages: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IndexBuildError';
    this.code = code;
    this.pages = options.pages;
  }
}

export interface BuildIndexOptions {
  client: Pick<ConstantContactClient, 'listAccounts'>;
  /** Time one page may take, its retries and rate-gate wait included (ms). */
  deadlinePerPage: number;
  now?: () => number;
  /** Told after each page, for logs and progress. */
  onPage?: (progress: { pages: number; accounts: number; skipped: number }) => void;
  /** Checked between pages. */
  signal?: AbortSignal;
  /**
   * Default 10,000 pages of 50: 500,000 accounts, twice the largest partner planned for (250,000,
   * 5,000 pages); a walk that long is a loop, and stops before it spends the daily quota.
   */
  maxPages?: number;
}

/** See `BuildIndexOptions.maxPages`. */
export const defaultMaxPages = 10_000;

/**
 * Walks the account list page by page, one request at a time (so it never takes more than one
 * slot of the rate gate from people's lookups), and returns every account once.
 */
export async function buildIndex(o: BuildIndexOptions): Promise<AccountIndex> {
  const now = o.now ?? Date.now;
  const maxPages = o.maxPages ?? defaultMaxPages;
  // Offset paging can shift while accounts are added, showing one twice: the later sighting wins.
  const byId = new Map<string, PartnerAccount>();
  const seenOffsets = new Set<string>();
  let offset: string | undefined;
  let pages = 0;
  let skipped = 0;
  for (;;) {
    if (o.signal?.aborted)
      throw new IndexBuildError('aborted', `account list walk aborted after ${pages} pages`, { pages });
    if (pages >= maxPages) {
      throw new IndexBuildError('too_many_pages', `account list walk stopped after ${pages} pages`, { pages });
    }
    let page;
    try {
      page = await o.client.listAccounts(offset === undefined ? {} : { offset }, now() + o.deadlinePerPage, 'index');
    } catch (error) {
      throw new IndexBuildError(
        'upstream',
        `account list page ${pages + 1} failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          pages,
          cause: error,
        },
      );
    }
    pages++;
    skipped += page.skipped;
    for (const account of page.accounts) byId.set(account.id, account);
    o.onPage?.({ pages, accounts: byId.size, skipped });
    if (page.nextOffset === undefined) return { builtAt: now(), accounts: [...byId.values()] };
    if (seenOffsets.has(page.nextOffset)) {
      throw new IndexBuildError('offset_repeated', `account list page ${pages} pointed back to an earlier offset`, {
        pages,
      });
    }
    seenOffsets.add(page.nextOffset);
    offset = page.nextOffset;
  }
}
