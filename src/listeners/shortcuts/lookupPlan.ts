import { refusalMessage } from '../../blocks/accessMessages.ts';
import { lookupModal, messageModal } from '../../blocks/lookupModal.ts';
import type { ListenerDeps } from '../context.ts';
import type { ShortcutListener } from '../routes.ts';

/**
 * "Look up a billing plan" (global shortcut `lookup_plan`): opens the lookup modal. Someone the
 * access gate refuses gets a modal that says why, and no account field.
 */
export function lookupPlanShortcut(deps: ListenerDeps): ShortcutListener {
  return async ({ ack, shortcut }) => {
    await ack();
    await openLookup(deps, { triggerId: shortcut.trigger_id, userId: shortcut.user.id, teamId: shortcut.user.team_id });
  };
}

/** Opens the lookup modal for a person (the shortcut, or the Home tab's button). */
export async function openLookup(
  deps: ListenerDeps,
  person: { triggerId: string; userId: string; teamId: string | undefined },
): Promise<void> {
  const verdict = await deps.access.admit({
    userId: person.userId,
    userTeamId: person.teamId,
    channelId: undefined,
    visible: false,
    spends: false,
  });
  const view = verdict.ok ? lookupModal() : messageModal(refusalMessage(verdict.refusal, verdict));
  try {
    await deps.views.open(person.triggerId, view);
  } catch (error) {
    // The trigger lasts 3 s: a modal that could not open in time is the person's to ask again.
    deps.logger.warn({ event: 'modal_not_opened', user: person.userId, err: error }, 'could not open the lookup modal');
  }
}
