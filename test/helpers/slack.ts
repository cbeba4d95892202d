import { createHmac } from 'node:crypto';
import { json, serve, waitFor } from './http.ts';

export const signingSecret = 'test-signing-secret';

/** Headers Slack would send with this body, signed as Slack signs it (v0 HMAC-SHA256). */
export function signedHeaders(body: string, secret = signingSecret, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
}

export interface CommandOptions {
  command?: string;
  text: string;
  userId?: string;
  channelId?: string;
  teamId?: string;
  responseUrl: string;
}

export function slashCommandBody(o: CommandOptions): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: o.teamId ?? 'T0001',
    team_domain: 'acme',
    channel_id: o.channelId ?? 'C0001',
    channel_name: 'sales',
    user_id: o.userId ?? 'U0001',
    user_name: 'dana',
    command: o.command ?? '/plan',
    text: o.text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: o.responseUrl,
    trigger_id: '123.456.abc',
  }).toString();
}

export function buttonClickBody(o: {
  actionId: string;
  value: string;
  userId?: string;
  channelId?: string;
  teamId?: string;
  responseUrl: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: o.userId ?? 'U0001', username: 'dana', team_id: o.teamId ?? 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: '1700000000.000100',
      channel_id: o.channelId ?? 'C0001',
      is_ephemeral: true,
    },
    trigger_id: '123.456.abc',
    team: { id: o.teamId ?? 'T0001', domain: 'acme' },
    channel: { id: o.channelId ?? 'C0001', name: 'sales' },
    response_url: o.responseUrl,
    actions: [
      {
        action_id: o.actionId,
        block_id: 'plan_actions',
        text: { type: 'plain_text', text: 'Share in channel' },
        value: o.value,
        type: 'button',
        action_ts: '1700000001.000200',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface ResponsePost {
  path: string;
  body: Record<string, unknown> & { text?: string; blocks?: unknown[]; response_type?: string };
  at: number;
}

/** Stands in for Slack's response_url endpoint; each test takes its own URL path. */
export async function startResponseUrlReceiver() {
  const posts: ResponsePost[] = [];
  const server = await serve((req, res, body) => {
    posts.push({ path: req.url ?? '', body: JSON.parse(body || '{}'), at: Date.now() });
    json(res, 200, { ok: true });
  });
  let n = 0;
  return {
    posts,
    /** A fresh response_url, so a test reads only the answers to its own request. */
    newUrl: () => `${server.url}/hooks/${++n}`,
    postsTo: (url: string) => posts.filter((p) => url.endsWith(p.path)),
    async waitForPost(url: string, count = 1, timeoutMs = 15_000) {
      await waitFor(
        () => posts.filter((p) => url.endsWith(p.path)).length >= count,
        timeoutMs,
        `${count} post(s) to ${url}`,
      );
      return posts.filter((p) => url.endsWith(p.path));
    },
    close: server.close,
  };
}

/** Everything visible in a message: fallback text and every text inside its blocks. */
export function visibleText(message: { text?: string; blocks?: unknown[] }): string {
  const parts: string[] = [message.text ?? ''];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'text' && typeof v === 'string') parts.push(v);
        else walk(v);
      }
    }
  };
  walk(message.blocks);
  return parts.join('\n');
}

/** An interactive payload (shortcut, block_suggestion, view_submission) as Slack posts it: form-encoded JSON. */
export function interactiveBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const people = (userId = 'U0001', teamId = 'T0001') => ({
  user: { id: userId, username: 'dana', team_id: teamId },
  team: { id: teamId, domain: 'acme' },
  api_app_id: 'A0001',
  token: 'legacy-verification-token',
});

/** A global shortcut, as Slack sends it. */
export function globalShortcut(callbackId: string, o: { userId?: string; teamId?: string } = {}) {
  return {
    type: 'shortcut',
    callback_id: callbackId,
    trigger_id: `trig-${Date.now()}`,
    action_ts: '1.2',
    ...people(o.userId, o.teamId),
  };
}

/** A message shortcut on a message with `text`, as Slack sends it. */
export function messageShortcut(
  callbackId: string,
  o: { text: string; responseUrl: string; channelId?: string; userId?: string; teamId?: string },
) {
  return {
    type: 'message_action',
    callback_id: callbackId,
    trigger_id: `trig-${Date.now()}`,
    action_ts: '1.2',
    message_ts: '1700000000.000100',
    response_url: o.responseUrl,
    channel: { id: o.channelId ?? 'C0001', name: 'sales' },
    message: { type: 'message', user: 'U0002', ts: '1700000000.000100', text: o.text },
    ...people(o.userId, o.teamId),
  };
}

/** An external select's typeahead request (`block_suggestion`) in a modal. */
export function blockSuggestion(actionId: string, value: string, o: { userId?: string; teamId?: string } = {}) {
  return {
    type: 'block_suggestion',
    action_id: actionId,
    block_id: 'account_block',
    value,
    container: { type: 'view', view_id: 'V0001' },
    view: { id: 'V0001', type: 'modal', callback_id: 'plan_lookup' },
    ...people(o.userId, o.teamId),
  };
}

/** A modal's submission, with the view's state values and, when a picker asked for them, response_urls. */
export function viewSubmission(
  view: { callback_id: string; private_metadata?: string; values: Record<string, Record<string, unknown>> },
  o: { userId?: string; teamId?: string; responseUrls?: Array<{ channel_id: string; response_url: string }> } = {},
) {
  return {
    type: 'view_submission',
    trigger_id: `trig-${Date.now()}`,
    view: {
      id: 'V0001',
      type: 'modal',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata ?? '',
      hash: 'h1',
      state: { values: view.values },
      title: { type: 'plain_text', text: 'Billing plan' },
      blocks: [],
    },
    response_urls: (o.responseUrls ?? []).map((r) => ({ block_id: 'send_block', action_id: 'send_to', ...r })),
    ...people(o.userId, o.teamId),
  };
}
