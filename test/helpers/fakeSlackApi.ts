import { json, serve, waitFor } from './http.ts';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
  /** The HTTP status the fake answered with (200 unless scripted). */
  status: number;
  /** The ts a successful chat.postMessage returned. */
  ts?: string;
}

/**
 * A local Slack Web API: records every call (`chat.postMessage`, `reactions.add`, …) with its
 * arguments, answers `ok` the way Slack does, and can be told to rate-limit or fail a method.
 */
export async function startFakeSlackApi(options: { botUserId?: string; botId?: string } = {}) {
  const calls: SlackCall[] = [];
  const scripted = new Map<string, Array<{ status: number; body: unknown; headers?: Record<string, string> }>>();
  let ts = 1_700_000_100;
  /**
   * Who is who in this fake Slack: users default to workspace T0001, channels to not shared
   * outside; user groups list their members. Tests change these to play Slack Connect and groups.
   */
  const directory = {
    users: new Map<string, { team_id?: string; is_stranger?: boolean; tz?: string }>(),
    channels: new Map<string, { is_ext_shared?: boolean; error?: string }>(),
    usergroups: new Map<string, string[]>(),
  };
  /**
   * Socket Mode (test/helpers/fakeSocketMode.ts plugs in here): what `apps.connections.open`
   * answers an app-level token. Without it, the method answers as for an app with Socket Mode off.
   */
  const socketMode: { open?: (appToken: string) => Record<string, unknown> } = {};
  /** Answers a call only after this many ms; a caller that hangs up first is recorded with status 0 (never answered). */
  const hold: { ms?: (method: string, args: Record<string, unknown>) => number } = {};
  /** Bytes POSTed to an upload URL of files.getUploadURLExternal, by file id (`scripted.get('upload')` fails one). */
  const uploads = new Map<string, { content: string; token: string | undefined }>();
  let fileCounter = 0;
  const server = await serve(async (req, res, raw) => {
    const upload = /^\/upload\/([^/?]+)/.exec(req.url ?? '');
    if (upload) {
      const script = scripted.get('upload')?.shift();
      if (script) return json(res, script.status, script.body, script.headers);
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '') || undefined;
      uploads.set(decodeURIComponent(upload[1]!), { content: raw, token });
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`OK - ${Buffer.byteLength(raw)}`);
    }
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const type = String(req.headers['content-type'] ?? '');
    let args: Record<string, unknown> = {};
    if (type.includes('json')) args = JSON.parse(raw || '{}');
    else {
      for (const [k, v] of new URLSearchParams(raw)) {
        try {
          args[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
        } catch {
          args[k] = v;
        }
      }
    }
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '') || undefined;
    const script = scripted.get(method)?.shift();
    const call: SlackCall = { method, args, token, at: Date.now(), status: script?.status ?? 200 };
    calls.push(call);
    const holdMs = hold.ms?.(method, args) ?? 0;
    if (holdMs > 0) {
      call.status = 0;
      const hungUp = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), holdMs);
        res.on('close', () => {
          clearTimeout(timer);
          resolve(!res.writableEnded);
        });
      });
      if (hungUp) return;
      call.status = script?.status ?? 200;
    }
    if (script) return json(res, script.status, script.body, script.headers);
    switch (method) {
      case 'auth.test':
        return json(res, 200, {
          ok: true,
          user_id: options.botUserId ?? 'UBOT',
          bot_id: options.botId ?? 'BBOT',
          team_id: 'T0001',
        });
      case 'users.info': {
        const id = String(args.user ?? '');
        return json(res, 200, { ok: true, user: { id, team_id: 'T0001', ...directory.users.get(id) } });
      }
      case 'conversations.info': {
        const id = String(args.channel ?? '');
        const channel = directory.channels.get(id);
        if (channel?.error) return json(res, 200, { ok: false, error: channel.error });
        return json(res, 200, { ok: true, channel: { id, is_ext_shared: channel?.is_ext_shared ?? false } });
      }
      case 'usergroups.users.list': {
        const members = directory.usergroups.get(String(args.usergroup ?? ''));
        return members
          ? json(res, 200, { ok: true, users: members })
          : json(res, 200, { ok: false, error: 'no_such_subteam' });
      }
      case 'apps.connections.open':
        // Only an app-level token may open a connection; Slack refuses a bot token by its type.
        if (!token?.startsWith('xapp-')) return json(res, 200, { ok: false, error: 'not_allowed_token_type' });
        return json(res, 200, socketMode.open?.(token) ?? { ok: false, error: 'socket_mode_not_enabled' });
      case 'files.getUploadURLExternal': {
        const fileId = `F${String(++fileCounter).padStart(8, '0')}`;
        return json(res, 200, { ok: true, upload_url: `http://${req.headers.host}/upload/${fileId}`, file_id: fileId });
      }
      case 'conversations.open':
        return json(res, 200, { ok: true, channel: { id: `D${String(args.users ?? '')}` } });
      case 'chat.postMessage':
        call.ts = `${ts++}.000100`;
        return json(res, 200, { ok: true, channel: args.channel, ts: call.ts, message: { text: args.text } });
      default:
        return json(res, 200, { ok: true });
    }
  });
  return {
    url: `${server.url}/api/`,
    calls,
    scripted,
    hold,
    directory,
    socketMode,
    uploads,
    close: server.close,
    /** Calls the fake answered successfully. */
    callsTo: (method: string) => calls.filter((c) => c.method === method && c.status === 200),
    async waitForCall(method: string, count = 1, timeoutMs = 15_000) {
      await waitFor(
        () => calls.filter((c) => c.method === method).length >= count,
        timeoutMs,
        `${count} ${method} call(s)`,
      );
      return calls.filter((c) => c.method === method);
    },
  };
}

export type FakeSlackApi = Awaited<ReturnType<typeof startFakeSlackApi>>;

let eventCounter = 0;

/** An Events API delivery of one event, as Slack wraps it. */
export function eventEnvelope(event: Record<string, unknown>, eventId = `Ev${Date.now()}${++eventCounter}`) {
  return {
    token: 'legacy-verification-token',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  };
}
