import type { SlackMessage } from '../slackApi/message.ts';
import type { Respond, ResponsePayload } from '../slackApi/responder.ts';
import type { Delivery, Placement } from './delivery.ts';

const payloadFields: Record<Placement, Omit<ResponsePayload, keyof SlackMessage>> = {
  answer: { response_type: 'ephemeral' },
  aside: { response_type: 'ephemeral', replace_original: false },
  replace: { replace_original: true },
  public: { response_type: 'in_channel', replace_original: false },
};

/** Replies through a slash command's or a button click's response_url. */
export function responseUrlDelivery(respond: Respond, responseUrl: string): Delivery {
  return {
    send: (message, placement) => respond(responseUrl, { ...payloadFields[placement], ...message }),
  };
}
