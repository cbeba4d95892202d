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
}

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

const optionalSecret = str({ default: undefined });

const redisUrl = makeValidator<string>((input) => {
  if (input.trim() === '') return '';
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new Error('must be a URL like redis://host:6379');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('must start with redis:// or rediss://');
  return input;
});

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
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
      REBILLY_API_KEY: optionalSecret,
      REBILLY_API_URL: url({ default: defaults.rebillyApiUrl }),
      REDIS_URL: redisUrl({ default: undefined }),
      REDIS_PREFIX: str({ default: 'planbot' }),
      DIGEST_TAKEOVER_SECONDS: positiveNumber({ default: 30 }),
    },
    {
      // Collect instead of exiting, so the conditional checks below join the same message.
      reporter: ({ errors }) => {
        for (const [name, error] of Object.entries(errors)) {
          const reason = error instanceof Error ? error.message : String(error);
          problems.push(error instanceof EnvMissingError ? `${name} is missing` : `${name} is invalid: ${firstLine(reason)}`);
        }
      },
    },
  );

  const empty = (value: string | undefined) => value === undefined || value.trim() === '';
  if (!problems.some((p) => p.startsWith('SLACK_BOT_TOKEN')) && empty(clean.SLACK_BOT_TOKEN)) problems.push('SLACK_BOT_TOKEN is missing');
  const socketMode = !empty(clean.SLACK_APP_TOKEN);
  if (!socketMode && empty(clean.SLACK_SIGNING_SECRET)) {
    problems.push('SLACK_SIGNING_SECRET is missing (required in HTTP mode; set SLACK_APP_TOKEN for Socket Mode)');
  }

  const hasId = !empty(clean.CC_CLIENT_ID);
  const hasSecret = !empty(clean.CC_CLIENT_SECRET);
  if (hasId !== hasSecret) {
    problems.push(`${hasId ? 'CC_CLIENT_SECRET' : 'CC_CLIENT_ID'} is missing (set both partner credentials, or neither)`);
  } else if (!hasId && empty(clean.REBILLY_API_KEY) && !clean.DEMO_MODE) {
    // Each command works on its own credentials, but a bot with neither has nothing to answer.
    problems.push('CC_CLIENT_ID and CC_CLIENT_SECRET are missing (required for /plan; or set DEMO_MODE=true to try planbot)');
    problems.push('REBILLY_API_KEY is missing (required for /plans)');
  }

  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(clean.REDIS_PREFIX)) problems.push('REDIS_PREFIX is invalid: use 1–40 letters, digits, dots, dashes or underscores');

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
    },
    rebilly: {
      apiKey: empty(clean.REBILLY_API_KEY) || clean.DEMO_MODE ? undefined : clean.REBILLY_API_KEY,
      apiUrl: clean.REBILLY_API_URL.replace(/\/+$/, ''),
    },
    redis: empty(clean.REDIS_URL) ? undefined : { url: clean.REDIS_URL as string, prefix: clean.REDIS_PREFIX },
    digests: { takeoverMs: clean.DIGEST_TAKEOVER_SECONDS * 1000 },
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
