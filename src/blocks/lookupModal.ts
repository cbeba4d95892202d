import type { ModalView, Option } from '@slack/types';
import type { PartnerAccount } from '../billing/account.ts';
import { knownStatus } from '../billing/planLabels.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import type { SuggestOutcome } from '../usecases/suggest.ts';
import { truncate } from '../text/mrkdwn.ts';
import { refusalMessage } from './accessMessages.ts';
import { section } from './elements.ts';

/** The lookup modal's ids: the shortcut that opens it, the view, its fields. */
export const lookupIds = {
  shortcut: 'lookup_plan',
  view: 'plan_lookup',
  accountBlock: 'account_block',
  account: 'account',
  sendBlock: 'send_block',
  sendTo: 'send_to',
} as const;

/** Slack's limits for a modal. */
export const modalLimits = { blocks: 100, title: 24, options: 100, optionText: 75, optionValue: 150 } as const;

/** Where the modal is: picking an account, showing its card (and sending it), or done. */
export type ModalStage = { stage: 'pick' } | { stage: 'card'; accountId: string } | { stage: 'done' };

export function stageOf(privateMetadata: string | undefined): ModalStage {
  try {
    const parsed = JSON.parse(privateMetadata || '{}') as Partial<ModalStage & { accountId: unknown }>;
    if (parsed.stage === 'card' && typeof parsed.accountId === 'string')
      return { stage: 'card', accountId: parsed.accountId };
    if (parsed.stage === 'done') return { stage: 'done' };
  } catch {
    // Not ours: treat it as the first step.
  }
  return { stage: 'pick' };
}

const base = (stage: ModalStage) => ({
  type: 'modal' as const,
  callback_id: lookupIds.view,
  title: { type: 'plain_text' as const, text: 'Billing plan' },
  private_metadata: JSON.stringify(stage),
});

/** The modal the shortcut opens: one account field that suggests accounts as the person types. */
export function lookupModal(): ModalView {
  return {
    ...base({ stage: 'pick' }),
    submit: { type: 'plain_text', text: 'Look up' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: lookupIds.accountBlock,
        label: { type: 'plain_text', text: 'Account' },
        element: {
          type: 'external_select',
          action_id: lookupIds.account,
          min_query_length: 2,
          placeholder: { type: 'plain_text', text: 'Organization, owner or account id' },
        },
      },
    ],
  };
}

/** The card in the modal, with a picker to send it to a conversation. */
export function cardModal(card: SlackMessage, accountId: string): ModalView {
  // A button in a modal has no conversation to answer into: the picker below shares instead.
  const blocks = card.blocks.filter((b) => b.type !== 'actions');
  return {
    ...base({ stage: 'card', accountId }),
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [
      ...blocks.slice(0, modalLimits.blocks - 2),
      { type: 'divider' },
      {
        type: 'input',
        block_id: lookupIds.sendBlock,
        optional: true,
        label: { type: 'plain_text', text: 'Send it to a conversation' },
        element: {
          type: 'conversations_select',
          action_id: lookupIds.sendTo,
          response_url_enabled: true,
          placeholder: { type: 'plain_text', text: 'Pick a channel or DM' },
        },
      },
    ],
  };
}

/** A message in the modal, with nothing more to do than close it. */
export function messageModal(message: SlackMessage): ModalView {
  return {
    ...base({ stage: 'done' }),
    close: { type: 'plain_text', text: 'Close' },
    blocks: message.blocks.filter((b) => b.type !== 'actions').slice(0, modalLimits.blocks),
  };
}

export function waitingModal(): ModalView {
  return messageModal({ text: 'Looking up…', blocks: [section(':hourglass_flowing_sand: Looking the account up…')] });
}

export function sentModal(channelId: string): ModalView {
  return messageModal({
    text: 'Sent',
    blocks: [section(`Sent to <#${channelId.replace(/[^A-Z0-9]/gi, '')}>.`)],
  });
}

/** Send with no conversation picked: said under the picker (Done closes the modal). */
export const pickAConversation = 'Pick a channel or DM to send the card to, or press Done.';

/** The account field's problem, shown under it. */
export const pickAnAccount = 'Pick an account from the list (type two letters of its name, or its id).';

function optionOf(account: PartnerAccount): Option {
  const name = account.organizationName ?? account.siteOwnerName ?? account.id;
  const parts = [name, account.siteOwnerName && account.siteOwnerName !== name ? account.siteOwnerName : undefined];
  const status = account.billingStatus ? (knownStatus(account.billingStatus) ?? account.billingStatus) : undefined;
  const text = [...parts, status].filter(Boolean).join(' · ');
  return { text: { type: 'plain_text', text: truncate(text, modalLimits.optionText) }, value: account.id };
}

/** The value of the one option that only says why there are none to pick: submitting it asks again. */
export const noAccountValue = '-';

const sayingOption = (text: string): Option => ({
  text: { type: 'plain_text', text: truncate(text, modalLimits.optionText) },
  value: noAccountValue,
});

/**
 * The typeahead's options: accounts from the index (name · owner · status, the id as the value),
 * and an id typed in full offered as itself. Plain text: Slack shows it as typed, no markup.
 */
export function accountOptions(outcome: SuggestOutcome): Option[] {
  const typedId = outcome.kind === 'refused' ? undefined : outcome.typedId;
  const typed: Option[] = typedId
    ? [
        {
          text: { type: 'plain_text', text: truncate(`Account id ${typedId}`, modalLimits.optionText) },
          value: typedId,
        },
      ]
    : [];
  switch (outcome.kind) {
    case 'refused':
      return [sayingOption(refusalMessage(outcome.verdict.refusal, outcome.verdict).text.replace(/[*_`]/g, ''))];
    case 'not_configured':
      return [sayingOption('planbot has no Constant Contact credentials, so it can’t look accounts up')];
    case 'index_not_ready':
      return [
        ...typed,
        sayingOption(
          outcome.building
            ? 'The account list is being built; type a full account id meanwhile'
            : 'The account list isn’t built yet; type a full account id',
        ),
      ];
    case 'suggestions': {
      const options = outcome.accounts.map(optionOf);
      if (typedId && !outcome.accounts.some((a) => a.id === typedId)) options.unshift(...typed);
      return options.slice(0, modalLimits.options);
    }
  }
}
