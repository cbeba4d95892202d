import type { Context } from '@slack/bolt';

/** The key the receiver sets on Bolt's context: how long a request waited between its ack and Bolt (ms). */
export const queuedMsKey = 'queuedMs';

/**
 * How long this request waited between its ack and Bolt (ms): answers count Slack's 15 s from the
 * ack, not from when Bolt got to it. 0 when it was handed over at once (answered in the ack, or
 * acked by Bolt itself in Socket Mode).
 */
export function queuedMs(context: Context): number {
  const value: unknown = context[queuedMsKey];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
