import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Intake, IntakeOutcome } from '../alerts/intake.ts';
import { maxNotificationBytes, sameSecret } from '../alerts/notification.ts';
import { send } from './routes.ts';

/** Where Constant Contact's notifications come: the secret is the last path segment. */
export const webhookPathPrefix = '/webhooks/constant-contact/';

export const webhookPath = (secret: string) => `${webhookPathPrefix}${secret}`;

/** How long storing a notification may take before the caller is told to send it again. */
const storeTimeoutMs = 800;

const statusOf: Record<IntakeOutcome['kind'], number> = {
  accepted: 200,
  unauthorized: 401,
  invalid: 400,
  unavailable: 503,
};

const bodyOf: Record<IntakeOutcome['kind'], unknown> = {
  accepted: { status: 'accepted' },
  unauthorized: { error: 'unauthorized' },
  invalid: { error: 'bad request: expected {"url": ".../partner/accounts/<id>/plan", "api_key", "event_type"}' },
  unavailable: { error: 'try again later' },
};

/**
 * `POST /webhooks/constant-contact/<secret>`: a wrong or missing secret is answered as any unknown
 * path is (404), so the endpoint cannot be found by trying; the rest is the intake's to judge.
 */
export function createWebhookRoute(o: { secret: string; intake: Intake }) {
  const notFound = (res: ServerResponse) => send(res, 404, { error: 'not found' });
  return {
    matches: (path: string) => path.startsWith(webhookPathPrefix) || path === webhookPathPrefix.slice(0, -1),
    handle(req: IncomingMessage, res: ServerResponse, path: string): void {
      const given = path.slice(webhookPathPrefix.length);
      if (!path.startsWith(webhookPathPrefix) || !sameSecret(given, o.secret)) {
        o.intake.refused('not_found');
        return notFound(res);
      }
      if (req.method !== 'POST') return send(res, 405, { error: 'POST only' }, { allow: 'POST' });
      readBody(req, res, () => o.intake.refused('too_large'))
        .then(async (raw) => {
          if (raw === undefined) return;
          const outcome = await Promise.race([
            o.intake.receive(raw),
            new Promise<IntakeOutcome>((resolve) =>
              setTimeout(() => resolve({ kind: 'unavailable' }), storeTimeoutMs).unref(),
            ),
          ]);
          send(res, statusOf[outcome.kind], bodyOf[outcome.kind]);
        })
        .catch(() => {
          if (!res.headersSent) send(res, 500, { error: 'try again later' });
        });
    },
  };
}

export type WebhookRoute = ReturnType<typeof createWebhookRoute>;

/**
 * The body as text, or undefined when it was refused as too large (413): at once when its length
 * says so, else as soon as it passes the limit. The answer goes out before the connection closes,
 * and whatever still arrives is dropped.
 */
function readBody(req: IncomingMessage, res: ServerResponse, tooLarge: () => void): Promise<string | undefined> {
  return new Promise((resolve) => {
    const refuse = () => {
      tooLarge();
      const socket = req.socket;
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: 'request body too large' }), () => {
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      });
      resolve(undefined);
    };
    if (Number(req.headers['content-length']) > maxNotificationBytes) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('error', () => {
      settled = true;
      resolve(undefined);
    });
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= maxNotificationBytes) return void chunks.push(chunk);
      settled = true;
      chunks.length = 0;
      refuse();
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
  });
}
