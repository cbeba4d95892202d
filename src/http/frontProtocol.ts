/**
 * The messages between the HTTP front (a worker thread that owns the listener) and the main thread
 * (Bolt, the lookups, the answers). Types only: both sides import it.
 */

/** What the front needs to start: sent as the worker's data. */
export interface FrontOptions {
  port: number;
  host: string;
  /** HTTP mode: verify and take Slack's requests on `/slack/events`; Socket Mode: no such endpoint. */
  signingSecret: string | undefined;
  maxBodyBytes: number;
  /** `/healthz` and `/slack/events` say 503 when the main thread has not been heard from for this long. */
  staleAfterMs: number;
  /** Slack requests waiting for the main thread beyond this many are refused with 503. */
  maxQueued: number;
}

/** A Slack request the front has verified and acknowledged, for Bolt on the main thread. */
export interface ForwardedEvent {
  type: 'event';
  body: Record<string, unknown>;
  retryNum: number | undefined;
  retryReason: string | undefined;
  /** Date.now() when the front acknowledged it: answers count their 15 s from here. */
  ackedAt: number;
}

export type FromFront =
  | { type: 'listening'; port: number }
  | { type: 'listen_failed'; message: string }
  | ForwardedEvent
  | { type: 'log'; level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; msg: string }
  | { type: 'ask'; id: number; what: 'readyz' | 'metrics' }
  | { type: 'closed' };

export type ToFront =
  | { type: 'alive'; ready: boolean }
  | { type: 'answer'; id: number; status: number; contentType: string; body: string }
  /** The main thread can take on `count` more requests. */
  | { type: 'credit'; count: number }
  | { type: 'close' };
