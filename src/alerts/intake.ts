import { randomUUID } from 'node:crypto';
import type { Audit } from '../audit/audit.ts';
import type { Logger } from '../logger.ts';
import type { DurableQueue } from '../store/durableQueue.ts';
import type { AlertStore } from './alertStore.ts';
import { checkNotification, type StoredNotification } from './notification.ts';

/** What the webhook endpoint answers; the body is never more than a word. */
export type IntakeOutcome =
  | { kind: 'accepted'; id: string }
  | { kind: 'unauthorized' }
  | { kind: 'invalid'; why: string }
  /** The store could not keep it: Constant Contact should send it again (it does, every minute). */
  | { kind: 'unavailable' };

export interface Intake {
  /** Checks a notification body and stores it durably; resolves once it is stored (or refused). */
  receive(raw: string): Promise<IntakeOutcome>;
  /** Records a refusal decided before the body was read (wrong path, too large). */
  refused(outcome: 'not_found' | 'too_large'): void;
}

/**
 * The webhook's front desk: nothing here reads a plan or posts a message; an accepted
 * notification is stored, the worker is woken, and the caller gets its 200.
 */
export function createIntake(o: {
  queue: DurableQueue<StoredNotification>;
  store: AlertStore;
  apiKey: string | undefined;
  stored: () => void;
  count: (outcome: string) => void;
  audit: Audit;
  logger: Logger;
  now: () => number;
}): Intake {
  const record = (outcome: string, target?: string) => {
    o.count(outcome);
    o.audit.record({
      action: 'webhook',
      command: 'webhook',
      user: undefined,
      team: undefined,
      channel: '-',
      ...(target ? { target } : {}),
      outcome,
      durationMs: 0,
    });
  };

  return {
    async receive(raw) {
      const check = checkNotification(raw, o.apiKey);
      if (check.kind === 'unauthorized') {
        o.logger.warn({ event: 'webhook_refused', why: 'api_key is not planbot’s' }, 'refused a notification');
        record('unauthorized');
        return check;
      }
      if (check.kind === 'invalid') {
        o.logger.warn({ event: 'webhook_refused', why: check.why }, 'refused a notification');
        record('invalid');
        return check;
      }
      const notification: StoredNotification = {
        id: randomUUID(),
        accountId: check.accountId,
        eventType: check.eventType,
        receivedAt: o.now(),
      };
      try {
        await o.queue.push(notification.id, notification);
      } catch (error) {
        o.logger.error({ event: 'webhook_store_failed', err: error }, 'could not store a notification');
        record('unavailable', check.accountId);
        return { kind: 'unavailable' };
      }
      o.stored();
      record('accepted', `${check.accountId} ${check.eventType}`);
      o.logger.info(
        { event: 'webhook_accepted', accountId: check.accountId, eventType: check.eventType, id: notification.id },
        'notification stored',
      );
      // Only for `/plan alerts`; the notification itself is safe already.
      o.store
        .setLastNotification({ at: notification.receivedAt, eventType: check.eventType, accountId: check.accountId })
        .catch(() => undefined);
      return { kind: 'accepted', id: notification.id };
    },
    refused(outcome) {
      o.logger.warn({ event: 'webhook_refused', why: outcome }, 'refused a notification');
      record(outcome);
    },
  };
}
