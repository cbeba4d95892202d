import type { webApi } from '@slack/bolt';
import type { HomeView, ModalView } from '@slack/types';
import { SlackPostError } from './poster.ts';

/** Modals and the Home tab, through Slack's `views.*` methods. */
export interface SlackViews {
  /** Opens a modal for the trigger a shortcut or button gave (it lasts 3 s); returns the view's id. */
  open(triggerId: string, view: ModalView): Promise<string>;
  /** Replaces an open modal. */
  update(viewId: string, view: ModalView): Promise<void>;
  /** Replaces a person's Home tab. */
  publish(userId: string, view: HomeView): Promise<void>;
}

export function createSlackViews(
  client: webApi.WebClient,
  options: { onError?: (method: string, code: string) => void } = {},
): SlackViews {
  const failed = (method: string, error: unknown) => {
    const code = (error as { data?: { error?: string } }).data?.error ?? 'request_failed';
    options.onError?.(method, code);
    return new SlackPostError(code, `${method} failed: ${code}`, error);
  };
  return {
    async open(triggerId, view) {
      try {
        const res = await client.views.open({ trigger_id: triggerId, view });
        return res.view?.id ?? '';
      } catch (error) {
        throw failed('views.open', error);
      }
    },
    async update(viewId, view) {
      try {
        await client.views.update({ view_id: viewId, view });
      } catch (error) {
        throw failed('views.update', error);
      }
    },
    async publish(userId, view) {
      try {
        await client.views.publish({ user_id: userId, view });
      } catch (error) {
        throw failed('views.publish', error);
      }
    },
  };
}
