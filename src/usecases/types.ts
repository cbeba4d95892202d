import { isUpstreamError, type UpstreamFailure } from '../partner/errors.ts';

/** Who asked, and where: every use case is logged and audited with it. */
export interface Asker {
  userId: string;
  channelId: string;
  teamId?: string;
}

/** How long a use case may take, and how the request came (for logs and metrics). */
export interface AskOptions {
  /** Epoch ms by which the answer must be ready, so it lands within Slack's 15 s. */
  deadline: number;
  /** `/plan`, `@plan`, `dm`, `pick`, `share`, …: how it was asked. */
  command: string;
}

/** Why an upstream read failed, or `internal` for a failure planbot did not expect. */
export type Failure = UpstreamFailure | 'internal';

export function failureOf(error: unknown): Failure {
  return isUpstreamError(error) ? error.code : 'internal';
}

/** The audit's and the metrics' word for a failure. */
export const failureOutcome = (failure: Failure): string => (failure === 'internal' ? 'internal_error' : failure);
