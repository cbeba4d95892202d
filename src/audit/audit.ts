import type { SlackMessage } from '../slackApi/message.ts';
import type { Logger } from '../logger.ts';

/** What planbot did for whom: one per lookup, search, share, watch change and digest post (and every refusal). */
export interface AuditEntry {
  action:
    | 'lookup'
    | 'pick'
    | 'search'
    | 'page'
    | 'share'
    | 'watch'
    | 'unwatch'
    | 'watchlist'
    | 'digest'
    | 'digest_post'
    | 'reindex'
    /** The upgrade radar (`target`: `csv` for the file). */
    | 'radar'
    | 'alerts'
    | 'webhook'
    | 'alert_post'
    | 'home'
    | 'help'
    /** `/plan status` (admins only; refusals are recorded too). */
    | 'status'
    /** A Workflow Builder step ran (`channel`: its workflow execution id; `user`: none, Slack names no one). */
    | 'workflow_step'
    | 'unknown';
  /** How it was asked: `/plan`, `/plans`, `@plan`, `dm`, `share`, `plans_page`, `schedule`, … */
  command: string;
  /** Who asked; undefined for planbot's own scheduled posts. */
  user: string | undefined;
  team: string | undefined;
  channel: string;
  /** The account, query or ids asked about (what was typed, cut to 200 characters). */
  target?: string;
  outcome: string;
  durationMs: number;
}

export interface Audit {
  record(entry: AuditEntry): void;
  /** Posts what is still queued for the audit channel (bounded wait). */
  close(): Promise<void>;
}

/**
 * One JSON line per entry in the log (`"event":"audit"`), and optionally a compact copy in a Slack
 * channel. The channel copy is batched (a message every few seconds), because Slack takes about one
 * message a second per channel and planbot may answer hundreds of lookups a second. Entries hold no
 * tokens, keys or API answers: only who, where, what, the outcome and the time taken.
 */
export function createAudit(o: {
  logger: Logger;
  /** Posts into the audit channel; absent, the log is the only record. */
  post?: (message: SlackMessage) => Promise<void>;
  /** Words a batch for the channel (blocks/ does: the audit only keeps and carries). */
  render?: (entries: Array<AuditEntry & { at: number }>, dropped: number) => SlackMessage[];
  now: () => number;
  flushMs?: number;
  maxQueued?: number;
}): Audit {
  // The audit trail does not depend on LOG_LEVEL: a quieter log must not lose who saw what.
  const log = o.logger.levelVal > 30 && o.logger.level !== 'silent' ? o.logger.child({}, { level: 'info' }) : o.logger;
  const flushMs = o.flushMs ?? 5000;
  const maxQueued = o.maxQueued ?? 1000;
  let queued: Array<AuditEntry & { at: number }> = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();

  const flush = () => {
    timer = undefined;
    if (!o.post || !o.render || (queued.length === 0 && dropped === 0)) return sending;
    const batch = queued;
    const lost = dropped;
    queued = [];
    dropped = 0;
    const post = o.post;
    const render = o.render;
    sending = sending.then(async () => {
      for (const message of render(batch, lost)) {
        await post(message).catch((error: unknown) => {
          o.logger.warn(
            { event: 'audit_post_failed', error: error instanceof Error ? error.message : String(error) },
            'could not post to the audit channel',
          );
        });
      }
    });
    return sending;
  };

  return {
    record(entry) {
      const line = { ...entry, target: entry.target?.slice(0, 200) };
      log.info({ event: 'audit', ...line }, 'audit');
      if (!o.post) return;
      if (queued.length >= maxQueued) dropped++;
      else queued.push({ ...line, at: o.now() });
      timer ??= setTimeout(flush, flushMs);
      timer.unref();
    },
    async close() {
      if (timer) clearTimeout(timer);
      await Promise.race([flush(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    },
  };
}
