import { readFileSync } from 'node:fs';
import { bool, cleanEnv, EnvMissingError, makeValidator, port, str, url } from 'envalid';

/** Everything planbot reads from the environment, validated once at start-up. */
export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  dataDir: string;
  demoMode: boolean;
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
  };
  constantContact: {
    /** Undefined in demo mode, where the built-in sample partner API answers instead. */
    credentials: { clientId: string; clientSecret: string; apiKey: string } | undefined;
    tokenUrl: string;
    apiUrl: string;
    /** Most requests per second to Constant Contact from this process. */
    rateLimit: number;
    /** Requests a UTC day the partner may make (all of planbot together). */
    dailyQuota: number;
    /** Requests of the day kept for people: background work stops once no more than this is left. */
    quotaReserve: number;
  };
  rebilly: {
    /** Undefined when /plans is not set up (the command then says so). */
    apiKey: string | undefined;
    /** `https://api.rebilly.com`, optionally ending in `/organizations/{id}`. */
    apiUrl: string;
  };
  /** Unset: the embedded SQLite store, one replica. Set: every replica shares this Redis. */
  redis: { url: string; prefix: string } | undefined;
  digests: {
    /** How long a digest whose replica died waits before another replica takes it over. */
    takeoverMs: number;
  };
  access: AccessSettings;
  /** Who may see `/plan status` (operational detail); empty: nobody. */
  adminUserIds: string[];
  /** The commit this build is of (`PLANBOT_COMMIT`, else `GIT_COMMIT`, set at build time); unset: unknown here. */
  commit: string | undefined;
  /** How often the account index (names to ids) is walked again; 0: only on `/plan reindex`. */
  accountIndexRefreshMs: number;
  /** Where a compact copy of the audit lines is posted (unset: the log only). */
  auditChannelId: string | undefined;
  alerts: AlertSettings;
  history: {
    /** How many UTC days (today included) each account's usage history keeps. */
    days: number;
  };
  radar: {
    /** Plan reads a UTC day (all replicas together) for accounts whose tier the radar does not know; 0: none. */
    planReadsPerDay: number;
  };
}

/** Constant Contact's partner webhooks, and where planbot is reached from outside. */
export interface AlertSettings {
  /** The secret path segment of the webhook endpoint; unset: no endpoint, no alerts. */
  webhookSecret: string | undefined;
  /** planbot's public https base (no trailing slash); with the secret, planbot keeps the subscriptions. */
  publicUrl: string | undefined;
  /** The API key notifications must carry: planbot's own (`CC_API_KEY`, else `CC_CLIENT_ID`). */
  apiKey: string | undefined;
}

/** Who may use planbot and how much. Empty lists mean "no restriction of that kind". */
export interface AccessSettings {
  userIds: string[];
  channelIds: string[];
  usergroupIds: string[];
  /** Post plans into channels shared with other organizations (Slack Connect). */
  allowExternalChannels: boolean;
  /** The workspace planbot belongs to; unset, auth.test says. */
  teamId: string | undefined;
  /** Lookups one person may make a minute (all replicas together when Redis is set). */
  lookupsPerMinute: number;
}

/** Settings that may instead be read from a file named by `<NAME>_FILE` (Docker and Kubernetes secrets). */
export const fileSettings = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'CC_CLIENT_ID',
  'CC_CLIENT_SECRET',
  'CC_API_KEY',
  'REBILLY_API_KEY',
  'REDIS_URL',
  'CC_WEBHOOK_SECRET',
] as const;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export const defaults = {
  slackApiUrl: 'https://slack.com/api/',
  ccTokenUrl: 'https://authz.constantcontact.com/partners/oauth2/default/v1/token',
  ccApiUrl: 'https://api.cc.email/v3',
  rebillyApiUrl: 'https://api.rebilly.com',
} as const;

/** One error that names every problem, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`planbot cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const positiveNumber = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isFinite(value) || value <= 0) throw new Error('must be a number above 0');
  return value;
});

const nonNegativeNumber = makeValidator<number>((input) => {
  const value = Number(input);
  if (input.trim() === '' || !Number.isFinite(value) || value < 0) throw new Error('must be a number, 0 or above');
  return value;
});

const wholeNumberAboveZero = makeValidator<number>((input) => {
  const value = Number(input);
  if (input.trim() === '' || !Number.isSafeInteger(value) || value < 1)
    throw new Error('must be a whole number, 1 or above');
  return value;
});

const wholeNumber = makeValidator<number>((input) => {
  const value = Number(input);
  if (input.trim() === '' || !Number.isSafeInteger(value) || value < 0)
    throw new Error('must be a whole number, 0 or above');
  return value;
});

/** `20%` of the daily quota, or a number of requests; checked against the quota once both are read. */
type QuotaReserve = { percent: number } | { requests: number };
const quotaReserve = makeValidator<QuotaReserve>((input) => {
  const value = input.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
  if (percent) {
    const share = Number(percent[1]);
    if (share >= 100) throw new Error('must be below 100%');
    return { percent: share };
  }
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return { requests: Number(value) };
  throw new Error('must be a percentage of CC_DAILY_QUOTA (like 20%) or a whole number of requests (like 2000)');
});

const optionalSecret = str({ default: undefined });

/** Long enough not to be guessed, and safe as one URL path segment as it is. */
export const minWebhookSecretLength = 24;
const webhookSecret = makeValidator<string>((input) => {
  const value = input.trim();
  if (value === '') return '';
  if (value.length < minWebhookSecretLength)
    throw new Error(`must be at least ${minWebhookSecretLength} characters (try: openssl rand -hex 24)`);
  if (!/^[A-Za-z0-9._~-]+$/.test(value))
    throw new Error('use only letters, digits, dots, dashes, underscores or tildes');
  return value;
});

const publicUrl = makeValidator<string>((input) => {
  const value = input.trim();
  if (value === '') return '';
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('must be a URL like https://planbot.example.com');
  }
  if (parsed.protocol !== 'https:') throw new Error('must start with https:// (Constant Contact calls https only)');
  if (parsed.search || parsed.hash) throw new Error('must not have a query or a fragment');
  return value.replace(/\/+$/, '');
});

const redisUrl = makeValidator<string>((input) => {
  if (input.trim() === '') return '';
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new Error('must be a URL like redis://host:6379');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new Error('must start with redis:// or rediss://');
  return input;
});

/** Comma-separated Slack ids of one kind (`U…`, `C…`, `S…`); spaces and empty items are ignored. */
function slackIds(kind: string, prefixes: string, example: string) {
  const shape = new RegExp(`^[${prefixes}][A-Z0-9]{2,30}$`);
  return makeValidator<string[]>((input) => {
    const ids = input
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    const bad = ids.filter((id) => !shape.test(id));
    if (bad.length > 0)
      throw new Error(
        `${bad.slice(0, 3).join(', ')} ${bad.length === 1 ? "isn't a" : "aren't"} Slack ${kind} id${bad.length === 1 ? '' : 's'} (like ${example})`,
      );
    return ids;
  });
}
const userIds = slackIds('user', 'UW', 'U0123ABCD');
const channelIds = slackIds('channel', 'CGD', 'C0123ABCD');
const usergroupIds = slackIds('user group', 'S', 'S0123ABCD');
/** A commit hash or a build's name: short, and safe to show as it is. */
const commitId = makeValidator<string>((input) => {
  const value = input.trim();
  if (value === '') return '';
  if (!/^[A-Za-z0-9._/-]{1,64}$/.test(value))
    throw new Error(
      'must be a commit hash or a build name (up to 64 letters, digits, dots, dashes, underscores or slashes)',
    );
  return value;
});
const teamId = makeValidator<string>((input) => {
  if (input.trim() === '') return '';
  if (!/^T[A-Z0-9]{2,30}$/.test(input.trim())) throw new Error('must be a Slack workspace id like T0123ABCD');
  return input.trim();
});

/**
 * `NAME_FILE` names a file whose contents (one trailing newline dropped) become `NAME`. Setting
 * both is a mistake worth stopping for, and a file that cannot be read is named, never echoed.
 */
export function readSecretFiles(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { env: NodeJS.ProcessEnv; problems: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of fileSettings) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path.trim() === '') continue;
    if (env[name] !== undefined && env[name].trim() !== '') {
      problems.push(`${name} and ${name}_FILE are both set; set one of them`);
      continue;
    }
    try {
      out[name] = readFile(path).replace(/\r?\n$/, '');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE is invalid: cannot read ${path} (${reason})`);
    }
  }
  return { env: out, problems };
}

export function loadConfig(rawEnv: NodeJS.ProcessEnv, options: { readFile?: (path: string) => string } = {}): Config {
  const { env, problems } = readSecretFiles(rawEnv, options.readFile);
  const clean = cleanEnv(
    env,
    {
      PORT: port({ default: 3000 }),
      HOST: str({ default: '0.0.0.0' }),
      LOG_LEVEL: str({ choices: logLevels, default: 'info' }),
      DATA_DIR: str({ default: './data' }),
      DEMO_MODE: bool({ default: false }),
      SLACK_BOT_TOKEN: str({ desc: 'the bot token (xoxb-…)' }),
      SLACK_APP_TOKEN: optionalSecret,
      SLACK_SIGNING_SECRET: optionalSecret,
      SLACK_API_URL: url({ default: defaults.slackApiUrl }),
      CC_CLIENT_ID: optionalSecret,
      CC_CLIENT_SECRET: optionalSecret,
      CC_API_KEY: optionalSecret,
      CC_TOKEN_URL: url({ default: defaults.ccTokenUrl }),
      CC_API_URL: url({ default: defaults.ccApiUrl }),
      CC_RATE_LIMIT: positiveNumber({ default: 4 }),
      CC_DAILY_QUOTA: wholeNumberAboveZero({ default: 10_000 }),
      CC_QUOTA_RESERVE: quotaReserve({ default: { percent: 20 } }),
      REBILLY_API_KEY: optionalSecret,
      REBILLY_API_URL: url({ default: defaults.rebillyApiUrl }),
      REDIS_URL: redisUrl({ default: undefined }),
      REDIS_PREFIX: str({ default: 'planbot' }),
      DIGEST_TAKEOVER_SECONDS: positiveNumber({ default: 30 }),
      ALLOWED_USER_IDS: userIds({ default: [] }),
      ADMIN_USER_IDS: userIds({ default: [] }),
      PLANBOT_COMMIT: commitId({ default: '' }),
      GIT_COMMIT: commitId({ default: '' }),
      ALLOWED_CHANNEL_IDS: channelIds({ default: [] }),
      ALLOWED_USERGROUP_IDS: usergroupIds({ default: [] }),
      ALLOW_EXTERNAL_CHANNELS: bool({ default: false }),
      SLACK_TEAM_ID: teamId({ default: '' }),
      USER_LOOKUPS_PER_MINUTE: positiveNumber({ default: 30 }),
      AUDIT_CHANNEL_ID: channelIds({ default: [] }),
      ACCOUNT_INDEX_REFRESH_MINUTES: nonNegativeNumber({ default: 60 }),
      CC_WEBHOOK_SECRET: webhookSecret({ default: '' }),
      PUBLIC_URL: publicUrl({ default: '' }),
      HISTORY_DAYS: wholeNumberAboveZero({ default: 400 }),
      RADAR_PLAN_READS_PER_DAY: wholeNumber({ default: 500 }),
    },
    {
      // Collect instead of exiting, so the conditional checks below join the same message.
      reporter: ({ errors }) => {
        for (const [name, error] of Object.entries(errors)) {
          const reason = error instanceof Error ? error.message : String(error);
          problems.push(
            error instanceof EnvMissingError ? `${name} is missing` : `${name} is invalid: ${firstLine(reason)}`,
          );
        }
      },
    },
  );

  const empty = (value: string | undefined) => value === undefined || value.trim() === '';
  if (!problems.some((p) => p.startsWith('SLACK_BOT_TOKEN')) && empty(clean.SLACK_BOT_TOKEN))
    problems.push('SLACK_BOT_TOKEN is missing');
  const socketMode = !empty(clean.SLACK_APP_TOKEN);
  if (!socketMode && empty(clean.SLACK_SIGNING_SECRET)) {
    problems.push('SLACK_SIGNING_SECRET is missing (required in HTTP mode; set SLACK_APP_TOKEN for Socket Mode)');
  }

  const hasId = !empty(clean.CC_CLIENT_ID);
  const hasSecret = !empty(clean.CC_CLIENT_SECRET);
  if (hasId !== hasSecret) {
    problems.push(
      `${hasId ? 'CC_CLIENT_SECRET' : 'CC_CLIENT_ID'} is missing (set both partner credentials, or neither)`,
    );
  } else if (!hasId && empty(clean.REBILLY_API_KEY) && !clean.DEMO_MODE) {
    // Each command works on its own credentials, but a bot with neither has nothing to answer.
    problems.push(
      'CC_CLIENT_ID and CC_CLIENT_SECRET are missing (required for /plan; or set DEMO_MODE=true to try planbot)',
    );
    problems.push('REBILLY_API_KEY is missing (required for /plans)');
  }

  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(clean.REDIS_PREFIX))
    problems.push('REDIS_PREFIX is invalid: use 1–40 letters, digits, dots, dashes or underscores');

  if (clean.AUDIT_CHANNEL_ID.length > 1) problems.push('AUDIT_CHANNEL_ID is invalid: name one channel');

  // A reserve as large as the quota would stop every index walk, digest and radar read for good.
  const quotaRead = !problems.some((p) => p.startsWith('CC_DAILY_QUOTA') || p.startsWith('CC_QUOTA_RESERVE'));
  if (quotaRead) {
    const reserve = clean.CC_QUOTA_RESERVE;
    if ('requests' in reserve && reserve.requests >= clean.CC_DAILY_QUOTA)
      problems.push(`CC_QUOTA_RESERVE is invalid: must be below CC_DAILY_QUOTA (${clean.CC_DAILY_QUOTA})`);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const credentials =
    hasId && !clean.DEMO_MODE
      ? {
          clientId: clean.CC_CLIENT_ID as string,
          clientSecret: clean.CC_CLIENT_SECRET as string,
          apiKey: empty(clean.CC_API_KEY) ? (clean.CC_CLIENT_ID as string) : (clean.CC_API_KEY as string),
        }
      : undefined;

  return {
    port: clean.PORT,
    host: clean.HOST,
    logLevel: clean.LOG_LEVEL,
    dataDir: clean.DATA_DIR,
    demoMode: clean.DEMO_MODE,
    slack: {
      botToken: clean.SLACK_BOT_TOKEN,
      signingSecret: empty(clean.SLACK_SIGNING_SECRET) ? undefined : clean.SLACK_SIGNING_SECRET,
      appToken: socketMode ? clean.SLACK_APP_TOKEN : undefined,
      // The Web API client joins method names onto this, so it must end in a slash.
      apiUrl: clean.SLACK_API_URL.endsWith('/') ? clean.SLACK_API_URL : `${clean.SLACK_API_URL}/`,
    },
    constantContact: {
      credentials,
      tokenUrl: clean.CC_TOKEN_URL,
      apiUrl: clean.CC_API_URL.replace(/\/+$/, ''),
      rateLimit: clean.CC_RATE_LIMIT,
      dailyQuota: clean.CC_DAILY_QUOTA,
      quotaReserve:
        'requests' in clean.CC_QUOTA_RESERVE
          ? clean.CC_QUOTA_RESERVE.requests
          : Math.floor((clean.CC_DAILY_QUOTA * clean.CC_QUOTA_RESERVE.percent) / 100),
    },
    rebilly: {
      apiKey: empty(clean.REBILLY_API_KEY) || clean.DEMO_MODE ? undefined : clean.REBILLY_API_KEY,
      apiUrl: clean.REBILLY_API_URL.replace(/\/+$/, ''),
    },
    redis: empty(clean.REDIS_URL) ? undefined : { url: clean.REDIS_URL as string, prefix: clean.REDIS_PREFIX },
    digests: { takeoverMs: clean.DIGEST_TAKEOVER_SECONDS * 1000 },
    access: {
      userIds: clean.ALLOWED_USER_IDS,
      channelIds: clean.ALLOWED_CHANNEL_IDS,
      usergroupIds: clean.ALLOWED_USERGROUP_IDS,
      allowExternalChannels: clean.ALLOW_EXTERNAL_CHANNELS,
      teamId: clean.SLACK_TEAM_ID === '' ? undefined : clean.SLACK_TEAM_ID,
      lookupsPerMinute: Math.max(1, Math.floor(clean.USER_LOOKUPS_PER_MINUTE)),
    },
    adminUserIds: clean.ADMIN_USER_IDS,
    commit: clean.PLANBOT_COMMIT || clean.GIT_COMMIT || undefined,
    auditChannelId: clean.AUDIT_CHANNEL_ID[0],
    accountIndexRefreshMs: clean.ACCOUNT_INDEX_REFRESH_MINUTES * 60_000,
    alerts: {
      webhookSecret: clean.CC_WEBHOOK_SECRET === '' ? undefined : clean.CC_WEBHOOK_SECRET,
      publicUrl: clean.PUBLIC_URL === '' ? undefined : clean.PUBLIC_URL,
      apiKey: clean.DEMO_MODE ? 'demo' : (credentials?.apiKey ?? undefined),
    },
    history: { days: clean.HISTORY_DAYS },
    radar: { planReadsPerDay: clean.RADAR_PLAN_READS_PER_DAY },
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
