import type { AlertStore, ChannelAlerts } from './alertStore.ts';
import type { AlertKind } from './notification.ts';

/** Whether a channel's choice of kinds takes this alert; a plain "change" goes wherever alerts are on. */
export function wantsKind(settings: ChannelAlerts, kind: AlertKind): boolean {
  return kind === 'change' || settings.kinds.includes(kind);
}

/** The channels (and DMs) whose alert settings take an alert about this account. */
export async function channelsFor(
  accountId: string,
  kind: AlertKind,
  store: AlertStore,
  watchlist: (channel: string) => Promise<string[]>,
): Promise<string[]> {
  const targets: string[] = [];
  for (const channel of await store.channels()) {
    const settings = await store.channel(channel);
    if (!settings || !wantsKind(settings, kind)) continue;
    if (settings.scope === 'all' || (await watchlist(channel)).includes(accountId)) targets.push(channel);
  }
  return targets;
}
