/**
 * A person must have an answer within 15 s of typing. Lookups get 12 s of that (queueing, token,
 * retries); the rest is for Slack's delivery and our post to the response_url.
 */
export const answerBudgetMs = 12_000;
export const respondTimeoutMs = 2_500;

/**
 * Lets the event loop take in (and acknowledge) the requests already waiting before this one's
 * lookup runs: acks have Slack's 3-second deadline, answers have 15 seconds.
 */
export const yieldToAcks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
