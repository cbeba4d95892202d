import type { PendingTest } from '../alerts/alertStore.ts';
import type { StoredNotification } from '../alerts/notification.ts';
import type { ChosenKind } from '../grammar/alertsCommand.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import type { AlertFacts, AlertsOutcome } from '../usecases/alerts.ts';
import type { Failure } from '../usecases/types.ts';
import { code, safeText } from '../text/mrkdwn.ts';
import { formatRunTime } from './digestReplies.ts';
import { context, section, simpleMessage } from './elements.ts';

const kindNames: Record<ChosenKind, string> = {
  upgrade: 'upgrades',
  downgrade: 'downgrades',
  cancellation: 'cancellations',
  disabled: 'disabled accounts',
};

const topicNames: Record<number, string> = {
  1: 'tier upgrades',
  2: 'tier downgrades',
  3: 'cancellations',
  4: 'disabled accounts',
};

const usage =
  '`/plan alerts on [upgrades] [downgrades] [cancellations] [disabled]` for the accounts watched here, `/plan alerts all [kinds…]` for every account, `/plan alerts off` to stop, `/plan alerts test` to check the line from Constant Contact.';

/** "Thu, Dec 3, 14:05 UTC". */
const when = (at: number) => `${formatRunTime(new Date(at), 'UTC')} UTC`;

function kindsText(kinds: ChosenKind[]): string {
  return kinds.length === 4 ? 'all changes' : kinds.map((k) => kindNames[k]).join(', ');
}

function factLines(facts: AlertFacts): string[] {
  const lines: string[] = [];
  if (!facts.endpoint) {
    lines.push(
      'Constant Contact can’t reach planbot yet: its webhook endpoint is off (whoever runs planbot sets `CC_WEBHOOK_SECRET`).',
    );
  } else if (facts.subscriptions) {
    const states = facts.subscriptions.topics.map((t) => {
      const name = topicNames[t.topicId] ?? `topic ${t.topicId}`;
      return t.state === 'planbot'
        ? `${name} ✓`
        : t.state === 'elsewhere'
          ? `${name}: sent elsewhere`
          : `${name}: not subscribed`;
    });
    const asOf = facts.subscriptions.live ? 'now' : `as of ${when(facts.subscriptions.at)}`;
    lines.push(`Subscriptions (${asOf}): ${states.join(' · ')}.`);
  } else {
    lines.push(
      facts.keepsSubscriptions
        ? 'Subscriptions: not checked yet.'
        : 'Subscriptions: planbot doesn’t manage them (no `PUBLIC_URL`); the partner subscribes topics 1–4 to planbot’s endpoint.',
    );
  }
  lines.push(
    facts.lastNotification
      ? `Last notification from Constant Contact: ${when(facts.lastNotification.at)}.`
      : 'No notification from Constant Contact has arrived yet.',
  );
  return lines;
}

function settingLine(settings: { scope: 'watched' | 'all'; kinds: ChosenKind[] }, watched: number): string {
  if (settings.scope === 'all')
    return `Alerts here: *on* for every account of the partner (${kindsText(settings.kinds)}).`;
  const none =
    watched === 0 ? ' No account is watched here yet: add some with `/plan watch <account id or name>`.' : '';
  return `Alerts here: *on* for the ${watched} account${watched === 1 ? '' : 's'} watched here (${kindsText(settings.kinds)}).${none}`;
}

const failureWords: Partial<Record<Failure, string>> = {
  unauthorized: 'planbot’s partner credentials were refused',
  forbidden: 'planbot’s partner access doesn’t allow it',
  quota_exceeded: 'today’s request quota is spent',
  timeout: 'Constant Contact didn’t answer in time',
  busy: 'planbot is busy; try again in a minute',
};

export function alertsReply(outcome: AlertsOutcome): SlackMessage {
  switch (outcome.kind) {
    case 'not_configured':
      return simpleMessage(
        'Alerts need Constant Contact partner credentials, and planbot has none. Ask whoever runs planbot to set them.',
      );
    case 'paused':
      return simpleMessage(
        'Alert settings are paused for a moment: planbot can’t reach its shared storage. Lookups still work. Try again in a few minutes.',
      );
    case 'invalid':
      return simpleMessage(`planbot doesn’t know ${code(outcome.word, 40)} here. Try ${usage}`);
    case 'shown': {
      const setting = outcome.settings
        ? settingLine(outcome.settings, outcome.facts.watched)
        : `Alerts here: *off*. ${usage}`;
      return {
        text: setting,
        blocks: [section(setting), context(factLines(outcome.facts).join('\n'))],
      };
    }
    case 'set': {
      const line = settingLine(outcome.settings, outcome.facts.watched);
      return {
        text: line,
        blocks: [
          section(`${line} planbot posts each change here as Constant Contact reports it.`),
          context(factLines(outcome.facts).join('\n')),
        ],
      };
    }
    case 'off':
      return simpleMessage(outcome.wasOn ? 'Alerts here are *off*.' : 'Alerts here were already off.');
    case 'no_endpoint':
      return simpleMessage(
        'planbot can’t receive Constant Contact’s notifications yet: its webhook endpoint is off. Whoever runs planbot sets `CC_WEBHOOK_SECRET` (and `PUBLIC_URL`); see docs/alerts.md.',
      );
    case 'test_requested':
      return simpleMessage(
        'Asked Constant Contact for a test notification (tier upgrade). planbot will say here when it arrives; it usually takes a few seconds.',
      );
    case 'test_failed':
      return simpleMessage(
        `Constant Contact didn’t take the test request: ${failureWords[outcome.failure] ?? 'it had a problem; try again in a few minutes'}.`,
      );
    case 'test_simulated':
      return simpleMessage(
        `Demo: sample account ${code(outcome.accountId, 64)} just moved up a tier, and its notification went to planbot as Constant Contact would send it.${
          outcome.alertsOn
            ? ' The alert follows here in a few seconds.'
            : ' Turn alerts on here (`/plan alerts all`) to see the alert itself next time.'
        }`,
      );
  }
}

/** Said where `/plan alerts test` was typed, once Constant Contact's test notification came. */
export function testArrived(test: PendingTest, notification: StoredNotification): SlackMessage {
  const seconds = Math.max(0, Math.round((notification.receivedAt - test.requestedAt) / 1000));
  return simpleMessage(
    `Constant Contact’s test notification arrived at ${when(notification.receivedAt)}, ${seconds} s after <@${safeText(test.userId, 30)}> asked (${code(notification.eventType, 40)} for ${code(notification.accountId, 64)}). Alerts can reach planbot.`,
  );
}
