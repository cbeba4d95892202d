import type { AccessSettings } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { PersonLimiter } from './personLimiter.ts';
import { DirectoryError, type SlackDirectory } from '../slackApi/directory.ts';

/** One request to planbot, with what Slack's payload already told us about it. */
export interface AccessRequest {
  userId: string;
  /** The user's workspace as the payload gave it (events' `user_team`, actions' `user.team_id`, commands' `team_id`). */
  userTeamId: string | undefined;
  /** Undefined where there is no conversation: a modal, the Home tab, a Workflow step. */
  channelId: string | undefined;
  /** The answer will be seen by others in the conversation (a shared card, a thread reply, a digest). */
  visible: boolean;
  /** The payload said the conversation is shared with another organization (events carry this). */
  channelExternal?: boolean;
  /** The request calls Constant Contact or Rebilly, so it counts against the person's limit. */
  spends: boolean;
}

/** Why planbot did not answer; blocks/ words each one for the person, the log keeps the code. */
export type Refusal =
  | 'external_user'
  | 'user_not_allowed'
  | 'channel_not_allowed'
  | 'external_channel'
  | 'access_unverified'
  | 'rate_limited';

export type AccessVerdict =
  | { ok: true }
  /** `perMinute` and `retryAfterMs` come with `rate_limited`. */
  | { ok: false; refusal: Refusal; perMinute?: number; retryAfterMs?: number };

export interface AccessGate {
  /** Whether planbot may answer this request, or why not. */
  admit(request: AccessRequest): Promise<AccessVerdict>;
  /** Whether planbot may post into a channel on its own (digests): allowed and not shared outside. */
  mayPostIn(channelId: string): Promise<AccessVerdict>;
  /**
   * A request that names no person (a Workflow Builder step): refused with `external_user` when it
   * comes from a workspace outside planbot's own (and outside its Enterprise Grid org, if any).
   */
  admitWorkspace(teamId: string | undefined, enterpriseId?: string): Promise<AccessVerdict>;
}

/**
 * The order matters: who is asking (another organization, not on the lists), then where (not an
 * allowed channel, shared outside for a visible answer), and only then the person's allowance, so
 * a refused request never spends it. Nothing here calls Constant Contact or Rebilly.
 */
export function createAccessGate(o: {
  settings: AccessSettings;
  directory: SlackDirectory;
  limiter: PersonLimiter;
  logger: Logger;
}): AccessGate {
  const { settings, directory } = o;
  const allowedUsers = new Set(settings.userIds);
  const allowedChannels = new Set(settings.channelIds);
  const peopleListed = settings.userIds.length > 0 || settings.usergroupIds.length > 0;
  const refuse = (refusal: Refusal, ctx: { perMinute?: number; retryAfterMs?: number } = {}): AccessVerdict => ({
    ok: false,
    refusal,
    ...ctx,
  });

  type Home = NonNullable<Awaited<ReturnType<SlackDirectory['home']>>>;
  const outside = (home: Home, team: string | undefined, enterprise?: string) =>
    team !== undefined && team !== home.teamId && !(enterprise !== undefined && enterprise === home.enterpriseId);

  async function fromElsewhere(userId: string, payloadTeam: string | undefined): Promise<boolean> {
    const home = await directory.home();
    if (!home) return false;
    if (outside(home, payloadTeam)) return true;
    const origin = await directory.userOrigin(userId);
    return origin !== undefined && (origin.stranger || outside(home, origin.teamId, origin.enterpriseId));
  }

  async function inAllowedGroup(userId: string): Promise<boolean | 'unknown'> {
    let unknown = false;
    for (const group of settings.usergroupIds) {
      try {
        if ((await directory.usergroupMembers(group)).has(userId)) return true;
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        o.logger.warn(
          { event: 'access_group_unknown', usergroup: group, error: error.message },
          'could not read a user group',
        );
        unknown = true;
      }
    }
    return unknown ? 'unknown' : false;
  }

  async function placeVerdict(
    channelId: string,
    visible: boolean,
    hint: boolean | undefined,
  ): Promise<AccessVerdict | undefined> {
    if (allowedChannels.size > 0 && !allowedChannels.has(channelId)) return refuse('channel_not_allowed');
    if (visible && !settings.allowExternalChannels) {
      const external = hint === true ? true : await directory.isExternallyShared(channelId);
      if (external) return refuse('external_channel');
      // Slack would not say (typically a private channel planbot is not in, where "Share in
      // channel" still works through response_url). Refusing there would break sharing in every
      // such channel, so it is allowed and logged; ALLOWED_CHANNEL_IDS is the strict option.
      if (external === undefined)
        o.logger.warn(
          { event: 'channel_unverified', channel: channelId },
          'could not tell whether the channel is shared outside; posting',
        );
    }
    return undefined;
  }

  return {
    async admit(r) {
      if (await fromElsewhere(r.userId, r.userTeamId)) return refuse('external_user');
      if (peopleListed && !allowedUsers.has(r.userId)) {
        const member = await inAllowedGroup(r.userId);
        if (member === 'unknown') return refuse('access_unverified');
        if (!member) return refuse('user_not_allowed');
      }
      const place =
        r.channelId === undefined ? undefined : await placeVerdict(r.channelId, r.visible, r.channelExternal);
      if (place) return place;
      if (r.spends) {
        const taken = await o.limiter.take(r.userId);
        if (!taken.ok)
          return refuse('rate_limited', { perMinute: o.limiter.perMinute, retryAfterMs: taken.retryAfterMs });
      }
      return { ok: true };
    },
    async mayPostIn(channelId) {
      return (await placeVerdict(channelId, true, undefined)) ?? { ok: true };
    },
    async admitWorkspace(teamId, enterpriseId) {
      // As for people: while Slack has not said which workspace is planbot's own, nothing is refused.
      const home = await directory.home();
      return home && outside(home, teamId, enterpriseId) ? refuse('external_user') : { ok: true };
    },
  };
}
