/**
 * A person must have an answer within 15 s of typing. Lookups get 12 s of that (queueing, token,
 * retries); the rest is for Slack's delivery and our post to the response_url.
 */
export const answerBudgetMs = 12_000;
export const respondTimeoutMs = 2_500;
