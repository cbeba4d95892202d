import type { Keyv } from 'keyv';
import { UpstreamError } from './errors.ts';
import { type HttpClient, headerValue } from './httpClient.ts';
import { withRetries } from './retry.ts';
import type { RetryPolicy } from './retryPolicy.ts';

interface StoredToken {
  token: string;
  /** When planbot stops using it (a little before it expires). */
  expiresAt: number;
  /** When it was fetched, and when Constant Contact says it expires (absent on tokens stored by older versions). */
  fetchedAt?: number;
  validUntil?: number;
}

/** What operators may know of the current token: its times, never the token itself. */
export interface TokenFacts {
  fetchedAt: number | undefined;
  expiresAt: number | undefined;
  /** When planbot fetches a new one instead. */
  renewsAt: number;
}

export interface TokenProviderOptions {
  http: HttpClient;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Where the token lives between requests (and, with a shared store, between replicas). */
  store: Keyv;
  /**
   * A fleet-wide lock (the store's claim), so a cold fleet makes one token request: the replica
   * that takes it fetches, the others wait for the token to appear in the shared store.
   */
  lock?: { claim(key: string, ttlMs: number): Promise<boolean>; release(key: string): Promise<void> };
  policy: RetryPolicy;
  now?: () => number;
  onFetch?: () => void;
}

const storeKey = 'cc:partner-jwt';
const lockKey = 'held:cc:partner-jwt-fetch';
/** Longer than one fetch with its retries; a replica that dies holding the lock frees it after this. */
const lockTtlMs = 10_000;
const pollMs = 100;

/**
 * The partner JWT: fetched by client credentials, kept until shortly before it expires, and shared.
 * It cannot be refreshed, so expiry means a new fetch; concurrent misses share one fetch because the
 * token endpoint itself allows only about one request a second.
 */
export class TokenProvider {
  #pending: Promise<string> | undefined;
  /** The last token seen, so a lookup does not read the store while the token is good. */
  #memo: StoredToken | undefined;
  readonly #o: TokenProviderOptions;
  readonly #now: () => number;

  constructor(options: TokenProviderOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async get(deadline: number): Promise<string> {
    if (this.#memo && this.#memo.expiresAt > this.#now()) return this.#memo.token;
    const shared = await this.#readShared();
    if (shared) return shared;
    this.#pending ??= this.#obtain(deadline).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Fetches under the fleet lock, or waits for the replica holding it to share its token. */
  async #obtain(deadline: number): Promise<string> {
    const lock = this.#o.lock;
    if (!lock) return this.#fetch(deadline);
    for (;;) {
      if (await lock.claim(lockKey, lockTtlMs)) {
        try {
          // Another replica may have stored a token between our read and our claim.
          return (await this.#readShared()) ?? (await this.#fetch(deadline));
        } finally {
          await lock.release(lockKey);
        }
      }
      if (this.#now() + pollMs > deadline) {
        throw new UpstreamError(
          'timeout',
          'constant-contact',
          'gave up waiting for another replica to fetch the partner token',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const shared = await this.#readShared();
      if (shared) return shared;
    }
  }

  /** A still-good token from the store (another request's or replica's), remembered for next time. */
  async #readShared(): Promise<string | undefined> {
    const stored = await this.#o.store.get<StoredToken>(storeKey);
    if (!stored || stored.expiresAt <= this.#now()) return undefined;
    this.#memo = stored;
    return stored.token;
  }

  /** The current token's times, without fetching one; undefined when none is held. */
  async facts(): Promise<TokenFacts | undefined> {
    const stored = (await this.#o.store.get<StoredToken>(storeKey).catch(() => undefined)) ?? this.#memo;
    if (!stored || stored.expiresAt <= this.#now()) return undefined;
    return { fetchedAt: stored.fetchedAt, expiresAt: stored.validUntil, renewsAt: stored.expiresAt };
  }

  /** Drops the token the API just refused, unless another request already replaced it. */
  async invalidate(token: string): Promise<void> {
    if (this.#memo?.token === token) this.#memo = undefined;
    const stored = await this.#o.store.get<StoredToken>(storeKey);
    if (stored?.token === token) await this.#o.store.delete(storeKey);
  }

  async #fetch(deadline: number): Promise<string> {
    const { http, tokenUrl, clientId, clientSecret, policy } = this.#o;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const res = await withRetries(
      async (timeoutMs) => {
        this.#o.onFetch?.();
        const r = await http({
          api: 'constant-contact',
          method: 'POST',
          url: tokenUrl,
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'v3api/general.partner' }).toString(),
          timeoutMs,
        });
        if (r.status === 429) {
          const retryAfter = Number(headerValue(r.headers, 'retry-after'));
          throw new UpstreamError('throttled', 'constant-contact', `token endpoint throttled (429)`, {
            status: 429,
            retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000,
          });
        }
        if (r.status >= 500) {
          throw new UpstreamError('upstream', 'constant-contact', `token endpoint failed (${r.status})`, {
            status: r.status,
          });
        }
        return r;
      },
      { api: 'constant-contact', policy, deadline, now: this.#now },
    );
    const body = (res.body && typeof res.body === 'object' ? res.body : {}) as Record<string, unknown>;
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new UpstreamError(
        'unauthorized',
        'constant-contact',
        `token endpoint refused the partner credentials (${res.status})`,
        {
          status: res.status,
          detail: typeof body.error === 'string' ? body.error : undefined,
        },
      );
    }
    const token = body.access_token;
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in);
    if (res.status !== 200 || typeof token !== 'string' || token === '') {
      throw new UpstreamError('upstream', 'constant-contact', `token endpoint gave no token (${res.status})`, {
        status: res.status,
      });
    }
    const lifetimeMs = (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000;
    // Renew a little early (5 minutes, or a tenth of a short lifetime) so no request carries a dying token.
    const keepMs = lifetimeMs - Math.min(5 * 60_000, lifetimeMs / 10);
    const fetchedAt = this.#now();
    const record: StoredToken = { token, expiresAt: fetchedAt + keepMs, fetchedAt, validUntil: fetchedAt + lifetimeMs };
    await this.#o.store.set(storeKey, record, keepMs);
    this.#memo = record;
    return token;
  }
}
