import type { webApi } from '@slack/bolt';
import { type Dispatcher, request } from 'undici';
import { withTimeout } from '../lifecycle/withTimeout.ts';
import { SlackPostError } from './poster.ts';

/** The step of an upload (or of opening a DM) that failed: a Web API method, or `upload`, the POST of the bytes. */
export type FileStep = 'files.getUploadURLExternal' | 'upload' | 'files.completeUploadExternal' | 'conversations.open';

/**
 * A failed step, with Slack's error code for a Web API method (`not_in_channel`, `invalid_auth`, …) or,
 * for the POST of the bytes, `upload_rejected` (with the HTTP status), `upload_timeout` or
 * `upload_unreachable`. A SlackPostError, so `channelGone` says when sharing in the channel cannot work.
 */
export class SlackFileError extends SlackPostError {
  readonly step: FileStep;
  /** The upload URL's HTTP status, when it answered with a failure. */
  readonly status: number | undefined;
  constructor(step: FileStep, code: string, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(code, message, options.cause);
    this.name = 'SlackFileError';
    this.step = step;
    this.status = options.status;
  }
}

export interface FileToUpload {
  filename: string;
  title: string;
  /** Sent as UTF-8. */
  content: string;
  channelId: string;
  /** Shares the file as a reply in this thread. */
  threadTs?: string;
  /** The message the file is shared with. */
  initialComment?: string;
}

/** Files shared in a conversation, through Slack's external upload (the replacement of `files.upload`). */
export interface FileUploader {
  /** Uploads the file and shares it in the channel (or thread); returns the file's id. Throws SlackFileError. */
  upload(file: FileToUpload): Promise<{ fileId: string }>;
  /** The id of planbot's DM with the person, opened if need be. Throws SlackFileError. */
  openDirectMessage(userId: string): Promise<string>;
}

/** How long the POST of the bytes may take before the upload counts as failed. */
const defaultUploadTimeoutMs = 30_000;

export function createFileUploader(
  client: webApi.WebClient,
  options: {
    onError?: (method: string, code: string) => void;
    uploadTimeoutMs?: number;
    /** The undici dispatcher the bytes are POSTed through; undici's global one by default. */
    dispatcher?: Dispatcher;
  } = {},
): FileUploader {
  const uploadTimeoutMs = options.uploadTimeoutMs ?? defaultUploadTimeoutMs;
  const fail = (step: FileStep, code: string, message: string, extra: { cause?: unknown; status?: number } = {}) => {
    options.onError?.(step, code);
    return new SlackFileError(step, code, message, extra);
  };
  const failed = (step: FileStep, error: unknown) => {
    const code = (error as { data?: { error?: string } }).data?.error ?? 'request_failed';
    return fail(step, code, `${step} failed: ${code}`, { cause: error });
  };

  /**
   * POSTs the bytes to Slack's upload URL. The URL carries a credential, so it appears in no message
   * and no error of this module, and the underlying network error is reduced to its code.
   */
  async function sendBytes(uploadUrl: string, body: Buffer): Promise<void> {
    let status: number;
    try {
      status = await withTimeout(uploadTimeoutMs, async (signal) => {
        const res = await request(uploadUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body,
          signal,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
        await res.body.dump();
        return res.statusCode;
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw fail('upload', 'upload_timeout', `upload: no answer within ${uploadTimeoutMs} ms`);
      }
      const reason = (error as { code?: unknown }).code;
      throw fail(
        'upload',
        'upload_unreachable',
        `upload failed: ${typeof reason === 'string' ? reason : 'network error'}`,
      );
    }
    if (status < 200 || status >= 300) {
      throw fail('upload', 'upload_rejected', `upload answered HTTP ${status}`, { status });
    }
  }

  return {
    async upload(file) {
      const body = Buffer.from(file.content, 'utf8');
      let uploadUrl: string | undefined;
      let fileId: string | undefined;
      try {
        // The size in bytes: a name like "Café" makes the UTF-8 longer than the string.
        const res = await client.files.getUploadURLExternal({ filename: file.filename, length: body.byteLength });
        uploadUrl = res.upload_url;
        fileId = res.file_id;
      } catch (error) {
        throw failed('files.getUploadURLExternal', error);
      }
      if (!uploadUrl || !fileId) {
        throw fail(
          'files.getUploadURLExternal',
          'invalid_response',
          'files.getUploadURLExternal gave no upload URL or file id',
        );
      }

      await sendBytes(uploadUrl, body);

      try {
        await client.files.completeUploadExternal({
          files: [{ id: fileId, title: file.title }],
          ...(file.threadTs
            ? { channel_id: file.channelId, thread_ts: file.threadTs }
            : { channel_id: file.channelId }),
          ...(file.initialComment ? { initial_comment: file.initialComment } : {}),
        });
      } catch (error) {
        throw failed('files.completeUploadExternal', error);
      }
      return { fileId };
    },

    async openDirectMessage(userId) {
      let channelId: string | undefined;
      try {
        const res = await client.conversations.open({ users: userId });
        channelId = res.channel?.id;
      } catch (error) {
        throw failed('conversations.open', error);
      }
      if (!channelId) throw fail('conversations.open', 'invalid_response', 'conversations.open gave no channel id');
      return channelId;
    },
  };
}
