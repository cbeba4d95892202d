import { invalidAccountId, planUsage } from '../blocks/messages.ts';
import { alertsReply } from '../blocks/alertReplies.ts';
import { digestNowFollowUp, digestSettingsReply, watchReply } from '../blocks/digestReplies.ts';
import { planReply, reindexReply, type View } from '../blocks/replies.ts';
import { radarCsv, radarCsvFilename } from '../blocks/radarCsv.ts';
import { radarCsvComment, radarCsvReply, radarMessage } from '../blocks/radarMessage.ts';
import { statusReply } from '../blocks/statusMessage.ts';
import { type FileDestination, fileDelivery } from '../deliver/fileDelivery.ts';
import type { PlanCommand } from '../grammar/planCommand.ts';
import { alertsOutcomeName, type AlertsUseCase } from '../usecases/alerts.ts';
import { type DigestSettingsUseCase, digestSettingsOutcomeName } from '../usecases/digestSettings.ts';
import { planOutcomeName, type PlanUseCases } from '../usecases/plan.ts';
import { type RadarCsvOutcome, radarOutcomeName, type RadarUseCase } from '../usecases/radar.ts';
import { statusOutcomeName, type StatusUseCase } from '../usecases/status.ts';
import { SlackPostError } from '../slackApi/poster.ts';
import type { FileUploader } from '../slackApi/files.ts';
import type { Asker } from '../usecases/types.ts';
import { watchOutcomeName, type WatchUseCase } from '../usecases/watch.ts';
import type { AnswerPlan } from './runAnswer.ts';

export interface PlanAnswerDeps {
  plan: PlanUseCases;
  watch: WatchUseCase;
  digestSettings: DigestSettingsUseCase;
  alerts: AlertsUseCase;
  radar: RadarUseCase;
  /** `/plan status`, for the people in `ADMIN_USER_IDS`. */
  status: StatusUseCase;
  /** Files in conversations (the radar's CSV). */
  files: FileUploader;
  /** Demo mode: the sample account ids the usage note suggests. */
  demoAccounts: string[] | undefined;
}

/** Where the answer is shown, and the names it is logged under. */
export interface PlanAnswerContext {
  asker: Asker;
  view: () => View;
  /** The lookup log's name for how it was asked (`/plan`, `@plan`, `dm`). */
  command: string;
  /** Where a file the answer makes goes (the radar's CSV); none: this surface takes no files. */
  files?: FileDestination;
}

/**
 * What a `/plan` subcommand needs from the access gate: digest commands lead to posts the whole
 * channel sees; lookups and watches call Constant Contact, so they count against the person's limit.
 */
export function planAccess(parsed: Exclude<PlanCommand, { kind: 'help' | 'invalid' }>): {
  visible: boolean;
  spends: boolean;
} {
  switch (parsed.kind) {
    // The radar shows billing facts like a card, and goes through every account: it counts as a lookup.
    case 'lookup':
    case 'find':
    case 'reindex':
    case 'radar':
      return { visible: false, spends: true };
    case 'watch':
      return { visible: true, spends: true };
    case 'digest':
      return { visible: true, spends: parsed.args[0]?.toLowerCase() === 'now' };
    case 'alerts': {
      // Turning alerts on leads to posts the whole channel sees; a test asks Constant Contact.
      const verb = parsed.args[0]?.toLowerCase();
      return { visible: verb !== undefined && verb !== 'off', spends: verb === 'test' };
    }
    // `status` reads only what planbot keeps: no call to Constant Contact, no lookup spent.
    case 'unwatch':
    case 'watchlist':
    case 'status':
      return { visible: false, spends: false };
  }
}

/** The audit's name for a /plan subcommand, and what it was about. */
export function planTarget(parsed: Exclude<PlanCommand, { kind: 'help' }>): NonNullable<AnswerPlan['what']> {
  switch (parsed.kind) {
    case 'lookup':
      return { action: 'lookup', target: parsed.accountId };
    case 'find':
      return { action: 'lookup', target: parsed.words };
    case 'reindex':
      return { action: 'reindex' };
    case 'radar':
      return parsed.csv ? { action: 'radar', target: 'csv' } : { action: 'radar' };
    case 'invalid':
      return { action: 'lookup', target: parsed.input };
    case 'watch':
    case 'unwatch':
      return { action: parsed.kind, target: [...parsed.ids, ...parsed.invalid].join(' ') };
    case 'watchlist':
      return { action: 'watchlist' };
    case 'digest':
      return { action: 'digest', target: parsed.args.join(' ') };
    case 'alerts':
      return { action: 'alerts', target: parsed.args.join(' ') };
    case 'status':
      return { action: 'status' };
  }
}

/** `/plan …`, `@planbot plan …` and `plan …` in a DM: one decision tree, whatever the surface. */
export function planAnswer(deps: PlanAnswerDeps, parsed: PlanCommand, ctx: PlanAnswerContext): AnswerPlan {
  if (parsed.kind === 'help') {
    return { run: async () => ({ message: planUsage(deps.demoAccounts), outcome: 'help' }) };
  }
  const what = planTarget(parsed);
  if (parsed.kind === 'invalid') {
    return { what, run: async () => ({ message: invalidAccountId(parsed.input), outcome: 'invalid_input' }) };
  }
  const access = planAccess(parsed);
  const { asker } = ctx;
  switch (parsed.kind) {
    case 'reindex':
      return {
        what,
        access,
        run: async () => {
          const result = await deps.plan.reindex();
          return { message: reindexReply(result), outcome: result.kind === 'reindex' ? result.status : result.kind };
        },
      };
    case 'watch':
    case 'unwatch':
    case 'watchlist':
      return {
        what,
        access,
        run: async (deadline) => {
          const outcome = await deps.watch.run(parsed, asker, deadline);
          return { message: watchReply(outcome), outcome: watchOutcomeName(outcome) };
        },
      };
    case 'digest':
      return {
        what,
        access,
        run: async () => {
          const outcome = await deps.digestSettings.run(parsed.args, asker);
          const reply = { message: digestSettingsReply(outcome), outcome: digestSettingsOutcomeName(outcome) };
          if (outcome.kind !== 'started') return reply;
          return { ...reply, followUp: async () => digestNowFollowUp(await outcome.run()) };
        },
      };
    case 'alerts':
      return {
        what,
        access,
        run: async () => {
          const outcome = await deps.alerts.run(parsed.args, asker);
          return { message: alertsReply(outcome), outcome: alertsOutcomeName(outcome) };
        },
      };
    case 'radar':
      return {
        what,
        access,
        run: async () => {
          if (parsed.csv) {
            const outcome = await radarCsvAnswer(deps, ctx);
            return { message: radarCsvReply(outcome), outcome: radarOutcomeName(outcome) };
          }
          const outcome = await deps.radar.draw();
          return { message: radarMessage(outcome, ctx.view()), outcome: radarOutcomeName(outcome) };
        },
      };
    case 'status':
      return {
        what,
        access,
        run: async () => {
          // Shown only to the admin: the slash command's private answer, or their DM with planbot.
          const inPrivate = ctx.view().audience.kind === 'private' || asker.channelId.startsWith('D');
          const outcome = await deps.status.run(asker, inPrivate ? 'private' : 'conversation');
          return { message: statusReply(outcome), outcome: statusOutcomeName(outcome) };
        },
      };
    case 'lookup':
    case 'find':
      return {
        what,
        access,
        run: async (deadline) => {
          const outcome = await deps.plan.find(parsed, asker, { deadline, command: ctx.command });
          return { message: planReply(outcome, ctx.view()), outcome: planOutcomeName(outcome) };
        },
      };
  }
}

/**
 * `/plan radar --csv`: every indexed account's outlook, rendered as a CSV and uploaded where the
 * surface says (the person's DM for a slash command; the DM or thread asked in otherwise).
 */
async function radarCsvAnswer(deps: PlanAnswerDeps, ctx: PlanAnswerContext): Promise<RadarCsvOutcome> {
  const to = ctx.files;
  if (!to) return { kind: 'no_place' };
  const rows = await deps.radar.rows();
  if (rows.kind !== 'rows') return rows;
  const today = ctx.view().now;
  const where = to.kind === 'dm' ? 'dm' : 'here';
  try {
    const sent = await fileDelivery(deps.files, to).send({
      filename: radarCsvFilename(today),
      title: `Upgrade radar, ${today.toISOString().slice(0, 10)}`,
      content: radarCsv(rows.outlooks, today),
      ...(to.kind === 'dm' ? { initialComment: radarCsvComment(rows.outlooks.length, rows.index) } : {}),
    });
    return {
      kind: 'uploaded',
      to: where,
      channelId: sent.channelId,
      accounts: rows.outlooks.length,
      index: rows.index,
    };
  } catch (error) {
    if (error instanceof SlackPostError) return { kind: 'upload_failed', to: where, code: error.code };
    throw error;
  }
}
