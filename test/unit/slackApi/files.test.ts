import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileUploader, SlackFileError } from '../../../src/slackApi/files.ts';
import { SlackPostError } from '../../../src/slackApi/poster.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../../helpers/fakeSlackApi.ts';
import { serve } from '../../helpers/http.ts';

let api: FakeSlackApi;
let errors: Array<[string, string]>;

beforeEach(async () => {
  api = await startFakeSlackApi();
  errors = [];
});
afterEach(async () => {
  await api.close();
});

function uploader(options: { uploadTimeoutMs?: number } = {}) {
  const client = new webApi.WebClient('xoxb-test-token', {
    slackApiUrl: api.url,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  return createFileUploader(client, { ...options, onError: (method, code) => errors.push([method, code]) });
}

const file = {
  filename: 'planbot-radar-2026-02-10.csv',
  title: 'Upgrade radar, 2026-02-10',
  // Not ASCII: its UTF-8 is longer than the string.
  content: 'account_id,organization_name\r\na07e1,Café Zürich\r\n',
  channelId: 'C0001',
};

/** What a failed call threw, checked to be a SlackFileError. */
async function failure(work: Promise<unknown>): Promise<SlackFileError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackFileError);
  return error as SlackFileError;
}

/** The fake's answer to files.getUploadURLExternal, pointing the bytes at `uploadUrl`. */
function uploadUrlIs(uploadUrl: string) {
  api.scripted.set('files.getUploadURLExternal', [
    { status: 200, body: { ok: true, upload_url: uploadUrl, file_id: 'F0SCRIPTED' } },
  ]);
}

describe('createFileUploader', () => {
  it('uploads the bytes to the URL Slack gives, then shares the file in the thread with its comment', async () => {
    const { fileId } = await uploader().upload({ ...file, threadTs: '1700000000.000100', initialComment: 'The radar' });

    expect(api.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    const [getUrl, complete] = api.calls;
    expect(getUrl!.args).toEqual({ filename: file.filename, length: String(Buffer.byteLength(file.content, 'utf8')) });
    expect(Buffer.byteLength(file.content, 'utf8')).toBeGreaterThan(file.content.length);
    expect(getUrl!.token).toBe('xoxb-test-token');

    expect(api.uploads.get(fileId)).toEqual({ content: file.content, token: undefined });

    expect(complete!.args).toEqual({
      files: [{ id: fileId, title: file.title }],
      channel_id: 'C0001',
      thread_ts: '1700000000.000100',
      initial_comment: 'The radar',
    });
    expect(errors).toEqual([]);
  });

  it('shares in the channel itself, with no comment, when given neither thread nor comment', async () => {
    const { fileId } = await uploader().upload(file);
    expect(api.callsTo('files.completeUploadExternal')[0]!.args).toEqual({
      files: [{ id: fileId, title: file.title }],
      channel_id: 'C0001',
    });
    expect(api.uploads.get(fileId)?.content).toBe(file.content);
  });

  it('opens a DM with the person and returns its channel id', async () => {
    await expect(uploader().openDirectMessage('U0042')).resolves.toBe('DU0042');
    expect(api.callsTo('conversations.open')[0]!.args).toEqual({ users: 'U0042' });
  });

  it('fails on files.getUploadURLExternal with Slack’s code, and uploads nothing', async () => {
    api.scripted.set('files.getUploadURLExternal', [{ status: 200, body: { ok: false, error: 'invalid_auth' } }]);
    const error = await failure(uploader().upload(file));
    expect([error.step, error.code]).toEqual(['files.getUploadURLExternal', 'invalid_auth']);
    expect(api.uploads.size).toBe(0);
    expect(api.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal']);
    expect(errors).toEqual([['files.getUploadURLExternal', 'invalid_auth']]);
  });

  it('fails on files.getUploadURLExternal when Slack gives no upload URL', async () => {
    api.scripted.set('files.getUploadURLExternal', [{ status: 200, body: { ok: true, file_id: 'F01' } }]);
    const error = await failure(uploader().upload(file));
    expect([error.step, error.code]).toEqual(['files.getUploadURLExternal', 'invalid_response']);
    expect(api.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal']);
  });

  it('fails on the upload when the upload URL refuses the bytes, and shares nothing', async () => {
    api.scripted.set('upload', [{ status: 500, body: { error: 'storage down' } }]);
    const error = await failure(uploader().upload(file));
    expect([error.step, error.code, error.status]).toEqual(['upload', 'upload_rejected', 500]);
    expect(api.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal']);
    expect(errors).toEqual([['upload', 'upload_rejected']]);
  });

  it('fails on the upload when the upload URL does not answer in time, without naming the URL', async () => {
    const silent = await serve(() => new Promise<void>(() => undefined));
    try {
      uploadUrlIs(`${silent.url}/upload/v1/secret-credential-123`);
      const started = Date.now();
      const error = await failure(uploader({ uploadTimeoutMs: 300 }).upload(file));
      expect([error.step, error.code]).toEqual(['upload', 'upload_timeout']);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) })).not.toContain(
        'secret-credential-123',
      );
      expect(api.callsTo('files.completeUploadExternal')).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('fails on the upload when the upload URL cannot be reached, without naming the URL', async () => {
    const gone = await serve(() => undefined);
    await gone.close();
    uploadUrlIs(`${gone.url}/upload/v1/secret-credential-456`);
    const error = await failure(uploader().upload(file));
    expect([error.step, error.code]).toEqual(['upload', 'upload_unreachable']);
    expect(`${error.message} ${error.stack} ${String(error.cause)}`).not.toContain('secret-credential-456');
    expect(api.callsTo('files.completeUploadExternal')).toEqual([]);
  });

  it('fails on files.completeUploadExternal with Slack’s code, telling when the channel is out of reach', async () => {
    api.scripted.set('files.completeUploadExternal', [{ status: 200, body: { ok: false, error: 'not_in_channel' } }]);
    const error = await failure(uploader().upload(file));
    expect([error.step, error.code]).toEqual(['files.completeUploadExternal', 'not_in_channel']);
    // A SlackPostError like a failed post, so a caller can fall back to a DM.
    expect(error).toBeInstanceOf(SlackPostError);
    expect(error.channelGone).toBe(true);
    expect(errors).toEqual([['files.completeUploadExternal', 'not_in_channel']]);
  });

  it('fails on files.completeUploadExternal when Slack answers with an HTTP error', async () => {
    api.scripted.set('files.completeUploadExternal', [{ status: 503, body: { ok: false } }]);
    const error = await failure(uploader().upload(file));
    expect([error.step, error.code, error.channelGone]).toEqual([
      'files.completeUploadExternal',
      'request_failed',
      false,
    ]);
  });

  it('fails on conversations.open with Slack’s code, or when Slack gives no channel', async () => {
    api.scripted.set('conversations.open', [
      { status: 200, body: { ok: false, error: 'user_not_found' } },
      { status: 200, body: { ok: true } },
    ]);
    const refused = await failure(uploader().openDirectMessage('U0404'));
    expect([refused.step, refused.code]).toEqual(['conversations.open', 'user_not_found']);
    const empty = await failure(uploader().openDirectMessage('U0404'));
    expect([empty.step, empty.code]).toEqual(['conversations.open', 'invalid_response']);
    expect(errors).toEqual([
      ['conversations.open', 'user_not_found'],
      ['conversations.open', 'invalid_response'],
    ]);
  });
});
