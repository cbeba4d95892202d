/**
 * The baseline for planbot's ack latency: a bare Bolt app on HTTPReceiver whose `/plan` listener
 * only acknowledges. Run as its own process by run.ts, configured like planbot (PORT, HOST,
 * SLACK_SIGNING_SECRET); `GET /healthz` says 200 once it listens.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  endpoints: '/slack/events',
  processBeforeResponse: false,
  logLevel: LogLevel.WARN,
  customRoutes: [
    {
      path: '/healthz',
      method: ['GET', 'HEAD'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
      },
    },
  ],
});

const app = new App({
  receiver,
  authorize: async () => ({ botToken: 'xoxb-bench' }),
  logLevel: LogLevel.WARN,
  clientOptions: process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {},
});

app.command('/plan', async ({ ack }) => {
  await ack();
});

await receiver.start({ port, host });

const stop = () => {
  receiver.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
