import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** planbot's Prometheus metrics, on a registry of its own (no global state). */
export interface Metrics {
  registry: Registry;
  lookups: Counter<'command' | 'outcome'>;
  upstreamDuration: Histogram<'api' | 'status'>;
  tokenFetches: Counter;
  retries: Counter<'api' | 'code'>;
  throttled: Counter<'api'>;
  digestRuns: Counter<'outcome'>;
  slackErrors: Counter<'method' | 'error'>;
  webhookNotifications: Counter<'outcome'>;
  alertsPosted: Counter<'kind'>;
  ccRequests: Counter<'purpose'>;
  quotaLeft: Gauge;
  slackRefused: Counter<'reason' | 'kind' | 'answer'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'planbot_' });
  return {
    registry,
    lookups: new Counter({
      name: 'planbot_lookups_total',
      help: 'Lookups answered, by command and outcome (card, page, not_found, busy, timeout, …)',
      labelNames: ['command', 'outcome'],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'planbot_upstream_request_duration_seconds',
      help: 'Time of each request to Constant Contact or Rebilly, by API and HTTP status (0 = no answer)',
      labelNames: ['api', 'status'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    tokenFetches: new Counter({
      name: 'planbot_token_fetches_total',
      help: 'Partner JWTs fetched from the token endpoint',
      registers: [registry],
    }),
    retries: new Counter({
      name: 'planbot_upstream_retries_total',
      help: 'Upstream calls retried, by API and failure',
      labelNames: ['api', 'code'],
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'planbot_upstream_429_total',
      help: '429 answers from upstream APIs',
      labelNames: ['api'],
      registers: [registry],
    }),
    digestRuns: new Counter({
      name: 'planbot_digest_runs_total',
      help: 'Digest runs, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    slackErrors: new Counter({
      name: 'planbot_slack_api_errors_total',
      help: 'Failed calls to Slack (Web API and response_url)',
      labelNames: ['method', 'error'],
      registers: [registry],
    }),
    webhookNotifications: new Counter({
      name: 'planbot_webhook_notifications_total',
      help: 'Constant Contact notifications received, by outcome (accepted, not_found, unauthorized, invalid, too_large, unavailable)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    alertsPosted: new Counter({
      name: 'planbot_alerts_posted_total',
      help: 'Billing alerts posted into channels and DMs, by kind (upgrade, downgrade, cancellation, disabled, change)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    ccRequests: new Counter({
      name: 'planbot_cc_requests_total',
      help: 'Requests sent to the Constant Contact API (not the token endpoint), by purpose (lookup, index, digest, alert, radar)',
      labelNames: ['purpose'],
      registers: [registry],
    }),
    quotaLeft: new Gauge({
      name: 'planbot_cc_quota_left',
      help: "Requests left of today's Constant Contact quota (UTC day), as this replica last read the fleet's count",
      registers: [registry],
    }),
    slackRefused: new Counter({
      name: 'planbot_slack_requests_refused_total',
      help: 'Slack requests turned away, by reason (queue_full, closing), kind (command, event, interactive, other) and answer (busy_in_ack, busy_at_response_url, retry_later, refused)',
      labelNames: ['reason', 'kind', 'answer'],
      registers: [registry],
    }),
  };
}
