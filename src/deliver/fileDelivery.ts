import type { FileUploader } from '../slackApi/files.ts';

/**
 * Where a file an answer made goes: the person's DM with planbot (a slash command, whose
 * conversation may be anyone's), or the conversation asked in (a DM, or a mention's thread).
 */
export type FileDestination = { kind: 'dm'; userId: string } | { kind: 'here'; channelId: string; threadTs?: string };

/** A rendered file and the message it is shared with. */
export interface RenderedFile {
  filename: string;
  title: string;
  content: string;
  initialComment?: string;
}

/** Carries a rendered file to its destination; resolves with the conversation it went to. Throws SlackFileError. */
export function fileDelivery(files: FileUploader, to: FileDestination) {
  return {
    async send(file: RenderedFile): Promise<{ channelId: string; fileId: string }> {
      const channelId = to.kind === 'dm' ? await files.openDirectMessage(to.userId) : to.channelId;
      const { fileId } = await files.upload({
        ...file,
        channelId,
        ...(to.kind === 'here' && to.threadTs ? { threadTs: to.threadTs } : {}),
      });
      return { channelId, fileId };
    },
  };
}
