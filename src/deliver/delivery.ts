import type { SlackMessage } from '../slackApi/message.ts';

/**
 * Where a reply goes relative to the message that asked:
 * - `answer`: the first answer to a slash command, seen by the asker only;
 * - `aside`: a new message for the asker only, leaving the clicked message as it is;
 * - `replace`: in place of the message whose button was clicked;
 * - `public`: a new message the whole conversation sees (Share in channel).
 * A thread post has one place only, the thread, so it ignores the placement.
 */
export type Placement = 'answer' | 'aside' | 'replace' | 'public';

/** Carries a rendered reply to where the person will see it; nothing more. */
export interface Delivery {
  send(message: SlackMessage, placement: Placement): Promise<void>;
}
