import { homeView } from '../../blocks/homeView.ts';
import type { ListenerDeps } from '../context.ts';
import type { EventListener } from '../routes.ts';

/** Builds and publishes one person's Home tab; never throws (the tab just stays as it was). */
export async function publishHome(
  deps: Pick<ListenerDeps, 'home' | 'views' | 'logger' | 'audit' | 'now'>,
  person: { userId: string; teamId: string | undefined; dmChannel: string | undefined },
): Promise<void> {
  const started = deps.now();
  try {
    const outcome = await deps.home.run(person);
    await deps.views.publish(person.userId, homeView(outcome));
    deps.audit.record({
      action: 'home',
      command: 'home',
      user: person.userId,
      team: person.teamId,
      channel: person.dmChannel ?? '-',
      outcome: outcome.kind === 'refused' ? outcome.verdict.refusal : 'shown',
      durationMs: deps.now() - started,
    });
  } catch (error) {
    deps.logger.warn(
      { event: 'home_not_published', user: person.userId, err: error },
      'could not publish the Home tab',
    );
  }
}

/** `app_home_opened` on the Home tab: the person's tab, built fresh each time. */
export function appHomeOpened(deps: ListenerDeps): EventListener<'app_home_opened'> {
  return async ({ event, body }) => {
    if (event.tab !== 'home') return;
    const teamId = (body as { team_id?: string }).team_id;
    await publishHome(deps, { userId: event.user, teamId, dmChannel: event.channel });
  };
}
