import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeSlackApi } from './fakeSlackApi.ts';
import { waitFor } from './http.ts';
import { type CommandOptions, slashCommandBody } from './slack.ts';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What Slack sends over the WebSocket for each request. */
export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

/** The app's ack of one delivery: `{envelope_id, payload?}`. */
export interface Ack {
  envelopeId: string;
  /** The ack's payload, if it carried one (`{}` when the app sent an empty payload). */
  payload: Record<string, unknown> | undefined;
  at: number;
  /** From the (last) delivery of the envelope to this ack. */
  ms: number;
  /** The connection it came on (1 = the first connection opened). */
  connection: number;
}

/** One envelope as the fake sent it, on each connection it went to. */
export interface Delivery {
  envelope: Envelope;
  /** Each time it was sent: on which connection, when. */
  sent: Array<{ connection: number; at: number; retryAttempt: number }>;
  /** Every ack received for it (more than one would be a bug in the app). */
  acks: Ack[];
}

interface Connection {
  id: number;
  ws: WebSocket;
  /** Envelopes sent on this connection not acknowledged yet. */
  unacked: Set<string>;
  /** Sent a `disconnect` message: no new envelopes go to it. */
  draining: boolean;
  closed: boolean;
}

const appId = 'A0001';

/**
 * A local Slack Socket Mode on 127.0.0.1, plugged into a fake Slack Web API: its
 * `apps.connections.open`, called with the app-level token, answers a one-time WebSocket URL
 * here; on connecting, the app gets `hello`. The fake sends envelopes as Slack does (slash
 * commands, interactive payloads, Events API deliveries) to the newest open connection, records
 * every ack with its timing, and can end a connection politely (a `disconnect` message, which the
 * app answers by closing and connecting again) or abruptly. Like Slack, it sends an envelope that
 * was not acknowledged before its connection ended again on the next connection, with
 * `retry_attempt` one higher.
 */
export async function startFakeSocketMode(slackApi: FakeSlackApi, options: { appToken?: string } = {}) {
  const appToken = options.appToken ?? 'xapp-test';
  const tickets = new Set<string>();
  const connections: Connection[] = [];
  const deliveries = new Map<string, Delivery>();
  /** Envelopes waiting for a connection: sent while none was open, or unacked on one that ended. */
  const pending: string[] = [];
  /** Calls to `apps.connections.open` with the right token. */
  let opens = 0;
  /** Messages from the app that were no ack (anything without an envelope_id). */
  const otherMessages: unknown[] = [];

  const http = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'ws://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    // Each URL opens one connection, once.
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  slackApi.socketMode.open = (token) => {
    if (token !== appToken) return { ok: false, error: 'invalid_auth' };
    opens++;
    const ticket = randomUUID();
    tickets.add(ticket);
    return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${appId}` };
  };

  const open = () => connections.filter((c) => !c.closed);
  /** Where new envelopes go: the open connections Slack has not asked to end. */
  const usable = () => open().filter((c) => !c.draining);

  /** The connection is gone: what was sent on it and not acknowledged waits for the next. */
  function ended(connection: Connection) {
    if (connection.closed) return;
    connection.closed = true;
    for (const id of connection.unacked) pending.push(id);
    connection.unacked.clear();
    flush();
  }

  /** Sends what waits, if a connection can take it. */
  function flush() {
    if (usable().length === 0) return;
    for (const id of pending.splice(0)) deliver(id);
  }

  function accept(ws: WebSocket) {
    const connection: Connection = {
      id: connections.length + 1,
      ws,
      unacked: new Set(),
      draining: false,
      closed: false,
    };
    connections.push(connection);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void otherMessages.push(data);
      let message: { envelope_id?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return void otherMessages.push(String(data));
      }
      const id = typeof message.envelope_id === 'string' ? message.envelope_id : undefined;
      const delivery = id ? deliveries.get(id) : undefined;
      if (!id || !delivery) return void otherMessages.push(message);
      connection.unacked.delete(id);
      const at = Date.now();
      const last = delivery.sent.at(-1)!;
      delivery.acks.push({
        envelopeId: id,
        payload:
          typeof message.payload === 'object' && message.payload !== null
            ? (message.payload as Record<string, unknown>)
            : undefined,
        at,
        ms: at - last.at,
        connection: connection.id,
      });
    });
    // Not acknowledged before the connection ended: Slack sends these again.
    ws.on('close', () => ended(connection));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: open().length,
        debug_info: { host: 'fake-socket-mode', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
    // What waited for a connection goes out on this one.
    flush();
  }

  /** Sends (or sends again) an envelope on the newest open connection, or keeps it for the next. */
  function deliver(id: string) {
    const delivery = deliveries.get(id)!;
    const connection = usable().at(-1);
    if (!connection) return void pending.push(id);
    const retryAttempt = delivery.sent.length;
    const envelope: Envelope = { ...delivery.envelope };
    if (envelope.type === 'events_api' || retryAttempt > 0) {
      envelope.retry_attempt = retryAttempt;
      envelope.retry_reason = retryAttempt > 0 ? 'timeout' : '';
    }
    connection.unacked.add(id);
    delivery.sent.push({ connection: connection.id, at: Date.now(), retryAttempt });
    connection.ws.send(JSON.stringify(envelope));
  }

  /** A new envelope; returns its id. */
  function send(type: EnvelopeType, payload: Record<string, unknown>, acceptsResponsePayload: boolean): string {
    const envelope: Envelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: acceptsResponsePayload,
    };
    deliveries.set(envelope.envelope_id, { envelope, sent: [], acks: [] });
    deliver(envelope.envelope_id);
    return envelope.envelope_id;
  }

  return {
    appToken,
    deliveries,
    connections,
    otherMessages,
    /** How many connections the app has opened (each was sent `hello`). */
    get connectionCount() {
      return connections.length;
    },
    /** How many WebSocket URLs the app asked for. */
    get opens() {
      return opens;
    },
    /** The connections open now. */
    get openConnections() {
      return open().length;
    },
    /** Envelopes waiting for a connection. */
    get pending() {
      return pending.length;
    },
    /** Every ack received, in order. */
    acks: (): Ack[] => [...deliveries.values()].flatMap((d) => d.acks).sort((a, b) => a.at - b.at),

    /** A slash command: the fields of the HTTP form body, as an object. Returns the envelope id. */
    sendSlashCommand(o: CommandOptions): string {
      return send('slash_commands', Object.fromEntries(new URLSearchParams(slashCommandBody(o))), true);
    },
    /**
     * An interactive payload (block_actions, block_suggestion, view_submission, shortcuts …).
     * Slack takes an answer in the ack only for an external select's options and a modal's submission.
     */
    sendInteractive(payload: Record<string, unknown>): string {
      const inAck = payload.type === 'block_suggestion' || payload.type === 'view_submission';
      return send('interactive', payload, inAck);
    },
    /** An Events API delivery: the `event_callback` body (see `eventEnvelope` in fakeSlackApi.ts). */
    sendEvent(eventCallback: Record<string, unknown>): string {
      return send('events_api', eventCallback, false);
    },

    /** The (first) ack of an envelope, once it comes. */
    async waitForAck(envelopeId: string, timeoutMs = 5_000): Promise<Ack> {
      return waitFor(() => deliveries.get(envelopeId)?.acks[0], timeoutMs, `the ack of ${envelopeId}`);
    },
    /** Waits until the app has opened this many connections in all (and the newest is open). */
    async waitForConnection(count: number, timeoutMs = 10_000): Promise<void> {
      await waitFor(
        () => connections.length >= count && !connections[count - 1]!.closed,
        timeoutMs,
        `connection ${count}`,
      );
    },

    /**
     * Slack's `disconnect` message on every open connection: the app should close it and connect
     * again. A connection the app has not closed after `closeAfterMs` is closed by the fake.
     */
    disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested', closeAfterMs = 2_000) {
      for (const c of open()) {
        c.draining = true;
        c.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-socket-mode' } }));
        setTimeout(() => c.closed || c.ws.terminate(), closeAfterMs).unref();
      }
    },
    /** Ends every open connection at once, with no closing handshake (a network failure). */
    drop() {
      for (const c of open()) {
        c.ws.terminate();
        ended(c);
      }
    },

    async close() {
      slackApi.socketMode.open = undefined;
      for (const c of open()) c.ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export type FakeSocketMode = Awaited<ReturnType<typeof startFakeSocketMode>>;
