import type { webApi } from '@slack/bolt';
import type { Keyv } from 'keyv';
import type { Logger } from '../logger.ts';

/** A fact about Slack that planbot needed and could not learn (Slack down, scope missing). */
export class DirectoryError extends Error {
  readonly code = 'directory_unavailable';
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DirectoryError';
  }
}

/** Who a Slack user belongs to, as far as Slack told us. */
export interface UserOrigin {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  /** Slack marks people from organizations with no shared channel in common as strangers. */
  stranger: boolean;
}

/** The facts access decisions need, read from Slack's Web API and cached for a few minutes. */
export interface SlackDirectory {
  /** planbot's own workspace (and Enterprise Grid org, if any); undefined until Slack says. */
  home(): Promise<{ teamId: string; enterpriseId: string | undefined } | undefined>;
  /** Where the user comes from; undefined when Slack would not say. */
  userOrigin(userId: string): Promise<UserOrigin | undefined>;
  /** Members of a user group. Throws DirectoryError when Slack cannot be asked and nothing is cached. */
  usergroupMembers(usergroupId: string): Promise<ReadonlySet<string>>;
  /** Whether the conversation is shared with another organization; undefined when Slack would not say. */
  isExternallyShared(channelId: string): Promise<boolean | undefined>;
}

interface Cached<T> {
  value: T;
  /** Epoch ms after which it is refreshed; the copy is still used if the refresh fails. */
  freshUntil: number;
}

/**
 * Slack facts cached in the store (shared by replicas when Redis is set): fresh for `ttlMs`, and a
 * stale copy is kept for an hour to fall back on when Slack is unreachable. Concurrent asks for
 * the same fact share one Web API call.
 */
export function createSlackDirectory(o: {
  client: webApi.WebClient;
  cache: Keyv;
  logger: Logger;
  now: () => number;
  /** SLACK_TEAM_ID; when unset, auth.test says. */
  teamId?: string;
  ttlMs?: number;
  /** Told of each Web API call that failed, with Slack's error code (`/plan status`, metrics). */
  onError?: (method: string, code: string) => void;
}): SlackDirectory {
  const ttlMs = o.ttlMs ?? 5 * 60_000;
  const keepMs = 60 * 60_000;
  const pending = new Map<string, Promise<unknown>>();

  // Every request asks about its user: fresh answers are also kept in this process's memory, so the
  // hot path reads no store at all (bounded: cleared when it grows past a few thousand people).
  const local = new Map<string, Cached<unknown>>();
  const remember = (key: string, entry: Cached<unknown>) => {
    if (local.size >= 5000) local.clear();
    local.set(key, entry);
  };

  async function cached<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const near = local.get(key) as Cached<T> | undefined;
    if (near && near.freshUntil > o.now()) return near.value;
    const hit = (await o.cache.get<Cached<T>>(key).catch(() => undefined)) ?? undefined;
    if (hit && hit.freshUntil > o.now()) {
      remember(key, hit);
      return hit.value;
    }
    let running = pending.get(key) as Promise<T> | undefined;
    if (!running) {
      running = fetch().then(async (value) => {
        const entry: Cached<T> = { value, freshUntil: o.now() + ttlMs };
        remember(key, entry);
        await o.cache.set(key, entry, keepMs).catch(() => undefined);
        return value;
      });
      pending.set(key, running);
      void running.catch(() => undefined).finally(() => pending.delete(key));
    }
    try {
      return await running;
    } catch (error) {
      if (hit) {
        o.logger.warn(
          { event: 'directory_stale', key, error: message(error) },
          'Slack could not be asked; using the last known answer',
        );
        return hit.value;
      }
      throw error;
    }
  }

  /** Calls Slack, telling `onError` of a failure before passing it on. */
  async function ask<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      o.onError?.(method, slackCode(error));
      throw error;
    }
  }

  let home: { teamId: string; enterpriseId: string | undefined } | undefined = o.teamId
    ? { teamId: o.teamId, enterpriseId: undefined }
    : undefined;
  let homeAsk: Promise<void> | undefined;
  let homeRetryAt = 0;

  return {
    async home() {
      if (home) return home;
      if (!homeAsk && o.now() >= homeRetryAt) {
        homeAsk = ask('auth.test', () => o.client.auth.test())
          .then((r) => {
            if (r.team_id) home = { teamId: r.team_id, enterpriseId: r.enterprise_id || undefined };
          })
          .catch((error: unknown) => {
            homeRetryAt = o.now() + 30_000;
            o.logger.warn(
              { event: 'directory_home_unknown', error: message(error) },
              "auth.test failed; planbot's own workspace is not known yet",
            );
          })
          .finally(() => {
            homeAsk = undefined;
          });
      }
      await homeAsk;
      return home;
    },

    async userOrigin(userId) {
      try {
        return await cached(`user:${userId}`, async () => {
          const res = await ask('users.info', () => o.client.users.info({ user: userId }));
          const user = res.user;
          if (!user) return undefined;
          return {
            teamId: user.team_id,
            enterpriseId: user.enterprise_user?.enterprise_id,
            stranger: user.is_stranger === true,
          };
        });
      } catch (error) {
        o.logger.warn({ event: 'directory_user_unknown', user: userId, error: message(error) }, 'users.info failed');
        return undefined;
      }
    },

    async usergroupMembers(usergroupId) {
      const members = await cached(`usergroup:${usergroupId}`, async () => {
        try {
          const res = await ask('usergroups.users.list', () =>
            o.client.usergroups.users.list({ usergroup: usergroupId }),
          );
          return res.users ?? [];
        } catch (error) {
          throw new DirectoryError(`usergroups.users.list ${usergroupId} failed: ${message(error)}`, error);
        }
      });
      return new Set(members);
    },

    async isExternallyShared(channelId) {
      try {
        return await cached(`channel:${channelId}`, async () => {
          const res = await ask('conversations.info', () => o.client.conversations.info({ channel: channelId }));
          if (!res.channel) throw new DirectoryError(`conversations.info ${channelId} returned no channel`);
          return res.channel.is_ext_shared === true || res.channel.is_pending_ext_shared === true;
        });
      } catch (error) {
        o.logger.warn(
          { event: 'directory_channel_unknown', channel: channelId, error: message(error) },
          'conversations.info failed',
        );
        return undefined;
      }
    },
  };
}

/** Slack's error code (`user_not_found`, `missing_scope`, …), or `request_failed` when Slack was not reached. */
function slackCode(error: unknown): string {
  return (error as { data?: { error?: string } }).data?.error ?? 'request_failed';
}

function message(error: unknown): string {
  const code = (error as { data?: { error?: string } }).data?.error;
  return code ?? (error instanceof Error ? error.message : String(error));
}
