import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeConstantContact, samplePlans, startFakeConstantContact } from '../helpers/fakeConstantContact.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../helpers/fakeSlackApi.ts';
import { delay, waitFor } from '../helpers/http.ts';
import { freePort, type Running, runPlanbot } from '../helpers/process.ts';
import { dropPrefix, sharedRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import {
  signedHeaders,
  signingSecret,
  slashCommandBody,
  startResponseUrlReceiver,
  visibleText,
} from '../helpers/slack.ts';
import { nextScheduledMinute } from '../helpers/schedules.ts';

/**
 * Two real planbot processes on one Redis, with a scheduled digest: it is posted once, and when the
 * replica posting a digest is killed half-way, the other finishes it without posting anything twice.
 */
let cc: FakeConstantContact;
let slack: FakeSlackApi;
let hooks: Awaited<ReturnType<typeof startResponseUrlReceiver>>;
const redisUrl = sharedRedisUrl();
const prefix = uniquePrefix('digests');
const replicas: Array<Running & { url: string }> = [];

async function startReplica() {
  const port = await freePort();
  const proc = runPlanbot({
    SLACK_BOT_TOKEN: 'xoxb-fleet-test',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    CC_CLIENT_ID: cc.clientId,
    CC_CLIENT_SECRET: cc.clientSecret,
    CC_TOKEN_URL: cc.tokenUrl,
    CC_API_URL: cc.apiUrl,
    CC_RATE_LIMIT: '50',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DIGEST_TAKEOVER_SECONDS: '2',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
  });
  const replica = { ...proc, url: `http://127.0.0.1:${port}` };
  replicas.push(replica);
  await waitFor(() => replica.out().includes('"event":"started"'), 15_000, 'a replica to start');
  return replica;
}

beforeAll(async () => {
  cc = await startFakeConstantContact();
  slack = await startFakeSlackApi();
  hooks = await startResponseUrlReceiver();
  await Promise.all([startReplica(), startReplica()]);
}, 30_000);

afterAll(async () => {
  for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await Promise.all([cc?.close(), slack?.close(), hooks?.close()]);
  await dropPrefix(redisUrl, prefix);
});

async function command(replica: { url: string }, text: string, channelId: string) {
  const responseUrl = hooks.newUrl();
  const body = slashCommandBody({ text, responseUrl, channelId });
  const res = await fetch(`${replica.url}/slack/events`, { method: 'POST', headers: signedHeaders(body), body });
  expect(res.status).toBe(200);
  const [post] = await hooks.waitForPost(responseUrl, 1, 20_000);
  return visibleText(post!.body);
}

const answered = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);

/** One summary, then `replies` replies in its thread naming every account exactly once: nothing lost, nothing twice. */
async function expectWholeDigestOnce(channel: string, ids: string[], replies: number, timeoutMs: number) {
  await waitFor(() => answered(channel).length >= 1 + replies, timeoutMs, `the whole ${channel} digest`);
  await delay(1_500);
  const [summary, ...posted] = answered(channel);
  expect(summary?.args.thread_ts).toBeUndefined();
  expect(posted).toHaveLength(replies);
  expect(posted.every((r) => r.args.thread_ts === summary?.ts)).toBe(true);
  const text = posted.map((r) => JSON.stringify(r.args.blocks)).join('\n');
  for (const id of ids) expect(text.split(id).length - 1).toBe(1);
}

describe('scheduled digests with two replicas on one Redis', () => {
  it('posts each scheduled digest once, and finishes one whose replica died half-way without double posts', async () => {
    const [a, b] = replicas as [Running & { url: string }, Running & { url: string }];
    // C0ONCE: three accounts. C0DIES: ninety with long lines, so the digest is a summary and three thread replies.
    for (let i = 0; i < 3; i++) cc.accounts.set(`acct-once${i}`, samplePlans.open);
    const many = Array.from({ length: 90 }, (_, i) => `acct-dies${String(i).padStart(2, '0')}`);
    for (const id of many) cc.accounts.set(id, samplePlans.wide);
    expect(await command(a, 'watch acct-once0 acct-once1 acct-once2', 'C0ONCE')).toContain('Now watching');
    for (let i = 0; i < many.length; i += 25)
      expect(await command(i % 50 ? a : b, `watch ${many.slice(i, i + 25).join(' ')}`, 'C0DIES')).toContain(
        'Now watching',
      );

    const when = nextScheduledMinute();
    expect(await command(b, `digest daily ${when.hhmm} UTC`, 'C0ONCE')).toContain(
      `Digest set: daily at ${when.hhmm} (UTC)`,
    );
    expect(await command(a, `digest daily ${when.hhmm} UTC`, 'C0DIES')).toContain(
      `Digest set: daily at ${when.hhmm} (UTC)`,
    );

    // C0DIES's first thread reply hangs in Slack: the replica posting it is killed meanwhile.
    slack.hold.ms = (method, args) =>
      method === 'chat.postMessage' && args.channel === 'C0DIES' && args.thread_ts ? 4_000 : 0;
    const pending = await waitFor(
      () => slack.calls.find((c) => c.args.channel === 'C0DIES' && c.args.thread_ts && c.status === 0),
      when.at.getTime() - Date.now() + 30_000,
      'the first thread reply of C0DIES',
    );
    const poster = replicas.find((r) => r.logs().some((l) => l.event === 'digest_started' && l.channel === 'C0DIES'));
    expect(poster).toBeDefined();
    poster?.child.kill('SIGKILL');
    slack.hold.ms = undefined;
    const survivor = poster === a ? b : a;

    await expectWholeDigestOnce('C0DIES', many, 3, 30_000);
    expect(pending.status).toBe(0);
    expect(survivor.logs().some((l) => l.event === 'digest_resumed' && l.channel === 'C0DIES' && l.posted === 1)).toBe(
      true,
    );

    // The other channel's digest, due at the same minute, was posted once by the fleet.
    await waitFor(() => answered('C0ONCE').length >= 1, 10_000, 'the C0ONCE digest');
    await delay(1_000);
    expect(answered('C0ONCE').filter((c) => !c.args.thread_ts)).toHaveLength(1);
  }, 120_000);

  it('on SIGTERM, a replica gives a running digest its grace, hands the rest back, and exits 0; the other finishes it', async () => {
    const live = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    const fresh = await startReplica();
    const [a, b] = [live[0] ?? fresh, fresh];
    // 400 accounts with long lines: a summary and ten thread replies, each held 1.5 s by Slack, more than the 8 s grace.
    const many = Array.from({ length: 400 }, (_, i) => `acct-term${String(i).padStart(3, '0')}`);
    for (const id of many) cc.accounts.set(id, samplePlans.wide);
    for (let i = 0; i < many.length; i += 25)
      expect(await command(i % 50 ? a : b, `watch ${many.slice(i, i + 25).join(' ')}`, 'C0TERM')).toContain(
        'Now watching',
      );
    const when = nextScheduledMinute();
    expect(await command(a, `digest daily ${when.hhmm} UTC`, 'C0TERM')).toContain('Digest set');
    slack.hold.ms = (method, args) =>
      method === 'chat.postMessage' && args.channel === 'C0TERM' && args.thread_ts ? 1_500 : 0;

    await waitFor(
      () => answered('C0TERM').length >= 2,
      when.at.getTime() - Date.now() + 40_000,
      'the first reply of C0TERM',
    );
    const poster = [a, b].find((r) => r.logs().some((l) => l.event === 'digest_started' && l.channel === 'C0TERM'));
    expect(poster).toBeDefined();
    poster?.child.kill('SIGTERM');
    expect(await poster?.exited).toBe(0);
    expect(poster?.logs().some((l) => l.outcome === 'handed_back' && l.channel === 'C0TERM')).toBe(true);
    slack.hold.ms = undefined;

    await expectWholeDigestOnce('C0TERM', many, 10, 60_000);
  }, 150_000);
});
