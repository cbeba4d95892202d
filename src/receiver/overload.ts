/**
 * How both receivers answer the requests they turn away; admission.ts decides which are turned away
 * and how each is answered. This keeps what that needs: the busy ack body, the busy posts to
 * response_urls (a few at a time, so a storm of refused clicks holds little), and the count and log
 * of refusals.
 */
import type { Logger } from '../logger.ts';
import { type OverloadAnswer, overloadAnswer, type Refusal, type RequestKind, requestKind } from './admission.ts';

export interface RefusedRequest {
  reason: Refusal;
  kind: RequestKind;
  answer: OverloadAnswer;
}

export interface OverloadOptions {
  logger: Logger;
  /** A slash command's busy answer, sent as its ack body (without it, a refused command gets the plain refusal). */
  busyAck?: object;
  /** Posts the busy answer to a refused interaction's response_url (without it, the plain refusal). */
  postBusy?: (responseUrl: string) => Promise<void>;
  /** Told of every refusal (the metrics). */
  onRefused?: (r: RefusedRequest) => void;
  /** Busy posts in flight at most; past that, a refused click gets the plain refusal (default 8). */
  maxBusyPosts?: number;
  /** Refusals after the first of a spell are logged as counts this often (default 10 s). */
  summaryMs?: number;
}

export class Overload {
  private readonly o: OverloadOptions;
  private readonly maxBusyPosts: number;
  private posting = 0;
  /** Refusals since the last log line, by reason, kind and answer. */
  private tally = new Map<string, { r: RefusedRequest; count: number }>();
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;

  /** The busy ack as JSON, written once: a burst refuses thousands a second. */
  readonly busyAckJson: string | undefined;

  constructor(o: OverloadOptions) {
    this.o = o;
    this.maxBusyPosts = o.maxBusyPosts ?? 8;
    this.busyAckJson = o.busyAck === undefined ? undefined : JSON.stringify(o.busyAck);
  }

  get busyAck(): object | undefined {
    return this.o.busyAck;
  }

  /**
   * How to answer a refused request, counted and logged; a busy post to its response_url is already
   * on its way when this returns `busy_at_response_url`.
   */
  answer(reason: Refusal, payload: Record<string, unknown>): OverloadAnswer {
    const kind = requestKind(payload);
    const responseUrl = typeof payload.response_url === 'string' ? payload.response_url : undefined;
    const answer = overloadAnswer(reason, kind, {
      canAckBusy: this.o.busyAck !== undefined,
      hasResponseUrl: responseUrl !== undefined,
      canPost: this.o.postBusy !== undefined && this.posting < this.maxBusyPosts,
    });
    if (answer === 'busy_at_response_url' && responseUrl) this.post(responseUrl);
    this.record({ reason, kind, answer });
    return answer;
  }

  /** Logs what is still counted (on stop). */
  flush(): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    this.logTally();
  }

  private post(responseUrl: string) {
    this.posting++;
    this.o
      .postBusy?.(responseUrl)
      .catch((error: unknown) => {
        this.o.logger.warn(
          { event: 'slack_busy_post_failed', error: error instanceof Error ? error.message : String(error) },
          'could not tell a refused click that planbot is busy',
        );
      })
      .finally(() => this.posting--);
  }

  /**
   * Every refusal is counted at once; the log gets the first of a spell as it comes, then one line
   * a kind every `summaryMs` while refusals go on: a burst refused thousands of times a second
   * would otherwise be thousands of log lines a second.
   */
  private record(r: RefusedRequest) {
    this.o.onRefused?.(r);
    if (this.summaryTimer === undefined) {
      this.log(r, 1);
      this.summaryTimer = this.nextSummary();
      return;
    }
    const key = `${r.reason}/${r.kind}/${r.answer}`;
    const counted = this.tally.get(key);
    if (counted) counted.count++;
    else this.tally.set(key, { r, count: 1 });
  }

  private nextSummary() {
    const timer = setTimeout(() => {
      // A spell ends with a quiet interval: the next refusal is logged at once again.
      const quiet = this.tally.size === 0;
      this.logTally();
      this.summaryTimer = quiet ? undefined : this.nextSummary();
    }, this.o.summaryMs ?? 10_000);
    timer.unref();
    return timer;
  }

  private logTally() {
    for (const { r, count } of this.tally.values()) this.log(r, count);
    this.tally.clear();
  }

  private log(r: RefusedRequest, count: number) {
    this.o.logger.warn(
      { event: 'slack_requests_refused', reason: r.reason, kind: r.kind, answer: r.answer, count },
      r.reason === 'closing' ? 'refused Slack requests while stopping' : 'refused Slack requests: planbot is busy',
    );
  }
}
