import { describe, expect, it } from 'vitest';
import { ConfigError, defaults, loadConfig } from '../../src/config.ts';

/** The smallest working HTTP-mode setup. */
const base = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'signing',
  CC_CLIENT_ID: 'client-id',
  CC_CLIENT_SECRET: 'client-secret',
};

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('config_invalid');
    return (error as ConfigError).problems;
  }
  return [];
}

describe('loadConfig', () => {
  it('an empty environment is one error naming every missing setting', () => {
    const got = problems({});
    expect(got).toHaveLength(4);
    expect(got.find((p) => p.startsWith('SLACK_BOT_TOKEN'))).toBeDefined();
    expect(got.find((p) => p.startsWith('SLACK_SIGNING_SECRET'))).toBeDefined();
    expect(got.find((p) => p.includes('CC_CLIENT_ID') && p.includes('CC_CLIENT_SECRET'))).toBeDefined();
    expect(got.find((p) => p.startsWith('REBILLY_API_KEY'))).toBeDefined();
  });

  it('the error message lists every problem for the operator', () => {
    expect(() => loadConfig({})).toThrow(/SLACK_BOT_TOKEN[\s\S]*SLACK_SIGNING_SECRET[\s\S]*CC_CLIENT_ID/);
  });

  it.each([
    { name: 'HTTP mode with everything set', env: base },
    {
      name: 'Socket Mode does not need the signing secret',
      env: { ...base, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1' },
    },
    {
      name: 'demo mode needs no partner credentials',
      env: { ...base, CC_CLIENT_ID: undefined, CC_CLIENT_SECRET: undefined, DEMO_MODE: 'true' },
    },
    {
      name: 'a Rebilly key alone is enough (only /plans works)',
      env: { ...base, CC_CLIENT_ID: undefined, CC_CLIENT_SECRET: undefined, REBILLY_API_KEY: 'reb-key' },
    },
  ])('$name starts', ({ env }) => {
    expect(problems(env)).toEqual([]);
  });

  it.each([
    { name: 'an empty bot token is missing', env: { ...base, SLACK_BOT_TOKEN: '' }, want: 'SLACK_BOT_TOKEN' },
    { name: 'a bot token of spaces is missing', env: { ...base, SLACK_BOT_TOKEN: '   ' }, want: 'SLACK_BOT_TOKEN' },
    {
      name: 'a blank signing secret is missing in HTTP mode',
      env: { ...base, SLACK_SIGNING_SECRET: '  ' },
      want: 'SLACK_SIGNING_SECRET',
    },
    {
      name: 'a blank app token is not Socket Mode',
      env: { ...base, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: ' ' },
      want: 'SLACK_SIGNING_SECRET',
    },
    {
      name: 'a client id without a secret names the secret',
      env: { ...base, CC_CLIENT_SECRET: undefined },
      want: 'CC_CLIENT_SECRET is missing',
    },
    {
      name: 'a client secret without an id names the id',
      env: { ...base, CC_CLIENT_ID: undefined },
      want: 'CC_CLIENT_ID is missing',
    },
    {
      name: 'a blank client secret counts as missing',
      env: { ...base, CC_CLIENT_SECRET: ' ' },
      want: 'CC_CLIENT_SECRET is missing',
    },
    {
      name: 'half the credentials is an error even in demo mode',
      env: { ...base, CC_CLIENT_SECRET: undefined, DEMO_MODE: 'true' },
      want: 'CC_CLIENT_SECRET is missing',
    },
    { name: 'an unknown log level', env: { ...base, LOG_LEVEL: 'loud' }, want: 'LOG_LEVEL is invalid' },
    {
      name: 'a Slack API URL that is not a URL',
      env: { ...base, SLACK_API_URL: 'slack' },
      want: 'SLACK_API_URL is invalid',
    },
    {
      name: 'a Redis URL of another scheme',
      env: { ...base, REDIS_URL: 'http://127.0.0.1:6379' },
      want: 'REDIS_URL is invalid: must start with redis://',
    },
    {
      name: 'a Redis URL that is not a URL',
      env: { ...base, REDIS_URL: '127.0.0.1:6379' },
      want: 'REDIS_URL is invalid',
    },
    { name: 'a key prefix with a space', env: { ...base, REDIS_PREFIX: 'plan bot' }, want: 'REDIS_PREFIX is invalid' },
    {
      name: 'a takeover time of zero',
      env: { ...base, DIGEST_TAKEOVER_SECONDS: '0' },
      want: 'DIGEST_TAKEOVER_SECONDS is invalid',
    },
  ])('$name', ({ env, want }) => {
    const got = problems(env);
    expect(got).toHaveLength(1);
    expect(got[0]).toContain(want);
  });

  it('an invalid rate limit and port are reported together', () => {
    const got = problems({ ...base, CC_RATE_LIMIT: '0', PORT: 'eighty' });
    expect(got).toHaveLength(2);
    expect(got.find((p) => p.startsWith('CC_RATE_LIMIT is invalid'))).toContain('above 0');
    expect(got.find((p) => p.startsWith('PORT is invalid'))).toBeDefined();
  });

  it.each(['-1', 'abc', 'Infinity', ''])('a rate limit of %j is refused', (rate) => {
    expect(problems({ ...base, CC_RATE_LIMIT: rate }).join('\n')).toContain('CC_RATE_LIMIT is invalid');
  });

  it('the partner API key defaults to the client id', () => {
    expect(loadConfig(base).constantContact.credentials).toEqual({
      clientId: 'client-id',
      clientSecret: 'client-secret',
      apiKey: 'client-id',
    });
  });

  it('a partner API key that is set is used', () => {
    expect(loadConfig({ ...base, CC_API_KEY: 'key-2' }).constantContact.credentials?.apiKey).toBe('key-2');
  });

  it('demo mode ignores partner credentials even when they are set', () => {
    const c = loadConfig({ ...base, DEMO_MODE: 'true' });
    expect(c.demoMode).toBe(true);
    expect(c.constantContact.credentials).toBeUndefined();
  });

  it('defaults fill in everything optional', () => {
    expect(loadConfig(base)).toEqual({
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      dataDir: './data',
      demoMode: false,
      slack: { botToken: 'xoxb-1', signingSecret: 'signing', appToken: undefined, apiUrl: defaults.slackApiUrl },
      constantContact: {
        credentials: { clientId: 'client-id', clientSecret: 'client-secret', apiKey: 'client-id' },
        tokenUrl: defaults.ccTokenUrl,
        apiUrl: defaults.ccApiUrl,
        rateLimit: 4,
        dailyQuota: 10_000,
        quotaReserve: 2_000,
      },
      rebilly: { apiKey: undefined, apiUrl: defaults.rebillyApiUrl },
      redis: undefined,
      digests: { takeoverMs: 30_000 },
      access: {
        userIds: [],
        channelIds: [],
        usergroupIds: [],
        allowExternalChannels: false,
        teamId: undefined,
        lookupsPerMinute: 30,
      },
      adminUserIds: [],
      commit: undefined,
      auditChannelId: undefined,
      accountIndexRefreshMs: 3_600_000,
      alerts: { webhookSecret: undefined, publicUrl: undefined, apiKey: 'client-id' },
      history: { days: 400 },
      radar: { planReadsPerDay: 500 },
    });
  });

  it('RADAR_PLAN_READS_PER_DAY is a whole number, 0 (no reads) or above', () => {
    expect(loadConfig({ ...base, RADAR_PLAN_READS_PER_DAY: '2' }).radar).toEqual({ planReadsPerDay: 2 });
    expect(loadConfig({ ...base, RADAR_PLAN_READS_PER_DAY: '0' }).radar).toEqual({ planReadsPerDay: 0 });
    for (const bad of ['-1', '2.5', 'lots', ' ']) {
      expect(problems({ ...base, RADAR_PLAN_READS_PER_DAY: bad })).toEqual([
        'RADAR_PLAN_READS_PER_DAY is invalid: must be a whole number, 0 or above',
      ]);
    }
  });

  it('HISTORY_DAYS is a whole number of days, 1 or above', () => {
    expect(loadConfig({ ...base, HISTORY_DAYS: '30' }).history).toEqual({ days: 30 });
    expect(loadConfig({ ...base, HISTORY_DAYS: ' 1 ' }).history).toEqual({ days: 1 });
    for (const bad of ['0', '-3', '2.5', 'a year', ' ']) {
      expect(problems({ ...base, HISTORY_DAYS: bad })).toEqual([
        'HISTORY_DAYS is invalid: must be a whole number, 1 or above',
      ]);
    }
  });

  it.each([
    {
      name: 'a Slack API URL gets the trailing slash the Web API client needs',
      env: { SLACK_API_URL: 'http://127.0.0.1:9/api' },
      pick: (c: ReturnType<typeof loadConfig>) => c.slack.apiUrl,
      want: 'http://127.0.0.1:9/api/',
    },
    {
      name: 'a partner API URL loses its trailing slashes',
      env: { CC_API_URL: 'http://127.0.0.1:9/v3//' },
      pick: (c: ReturnType<typeof loadConfig>) => c.constantContact.apiUrl,
      want: 'http://127.0.0.1:9/v3',
    },
    {
      name: 'a fractional rate limit is kept',
      env: { CC_RATE_LIMIT: '2.5' },
      pick: (c: ReturnType<typeof loadConfig>) => c.constantContact.rateLimit,
      want: 2.5,
    },
    {
      name: 'the port is a number',
      env: { PORT: '8080' },
      pick: (c: ReturnType<typeof loadConfig>) => c.port,
      want: 8080,
    },
    {
      name: 'REDIS_URL switches to the shared store, under the default key prefix',
      env: { REDIS_URL: 'redis://:pw@10.0.0.5:6380/2' },
      pick: (c: ReturnType<typeof loadConfig>) => c.redis,
      want: { url: 'redis://:pw@10.0.0.5:6380/2', prefix: 'planbot' },
    },
    {
      name: 'an empty REDIS_URL keeps the embedded store',
      env: { REDIS_URL: '' },
      pick: (c: ReturnType<typeof loadConfig>) => c.redis,
      want: undefined,
    },
    {
      name: 'the digest takeover time is read in seconds',
      env: { DIGEST_TAKEOVER_SECONDS: '5' },
      pick: (c: ReturnType<typeof loadConfig>) => c.digests.takeoverMs,
      want: 5_000,
    },
    {
      name: 'Socket Mode keeps the app token',
      env: { SLACK_APP_TOKEN: 'xapp-1' },
      pick: (c: ReturnType<typeof loadConfig>) => c.slack.appToken,
      want: 'xapp-1',
    },
  ])('$name', ({ env, pick, want }) => {
    expect(pick(loadConfig({ ...base, ...env }))).toEqual(want);
  });
});

describe('access settings', () => {
  it('reads comma-separated Slack ids, ignoring spaces and empty items', () => {
    const c = loadConfig({
      ...base,
      ALLOWED_USER_IDS: ' U0001, W0002 ,,',
      ALLOWED_CHANNEL_IDS: 'C0001,G0002,D0003',
      ALLOWED_USERGROUP_IDS: 'S0SALES',
      ALLOW_EXTERNAL_CHANNELS: 'true',
      SLACK_TEAM_ID: 'T0001',
      USER_LOOKUPS_PER_MINUTE: '12',
      AUDIT_CHANNEL_ID: 'C0AUDIT',
    });
    expect(c.access).toEqual({
      userIds: ['U0001', 'W0002'],
      channelIds: ['C0001', 'G0002', 'D0003'],
      usergroupIds: ['S0SALES'],
      allowExternalChannels: true,
      teamId: 'T0001',
      lookupsPerMinute: 12,
    });
    expect(c.auditChannelId).toBe('C0AUDIT');
  });

  it('names every malformed id list in one message, with an example of the right shape', () => {
    const error = (() => {
      try {
        loadConfig({
          ...base,
          ALLOWED_USER_IDS: 'U0001,@dana',
          ALLOWED_CHANNEL_IDS: '#sales',
          ALLOWED_USERGROUP_IDS: 'U0001',
          USER_LOOKUPS_PER_MINUTE: '0',
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual([
      "ALLOWED_USER_IDS is invalid: @dana isn't a Slack user id (like U0123ABCD)",
      "ALLOWED_CHANNEL_IDS is invalid: #sales isn't a Slack channel id (like C0123ABCD)",
      "ALLOWED_USERGROUP_IDS is invalid: U0001 isn't a Slack user group id (like S0123ABCD)",
      'USER_LOOKUPS_PER_MINUTE is invalid: must be a number above 0',
    ]);
  });
});

describe('admin settings', () => {
  it('reads ADMIN_USER_IDS like ALLOWED_USER_IDS; unset, nobody is an admin', () => {
    expect(loadConfig({ ...base, ADMIN_USER_IDS: ' U0ADMIN, W0002 ,,' }).adminUserIds).toEqual(['U0ADMIN', 'W0002']);
    expect(loadConfig(base).adminUserIds).toEqual([]);
    expect(problems({ ...base, ADMIN_USER_IDS: 'U0001,dana' })).toEqual([
      "ADMIN_USER_IDS is invalid: dana isn't a Slack user id (like U0123ABCD)",
    ]);
  });

  it('takes the build’s commit from PLANBOT_COMMIT, else GIT_COMMIT', () => {
    expect(loadConfig(base).commit).toBeUndefined();
    expect(loadConfig({ ...base, GIT_COMMIT: 'abc1234' }).commit).toBe('abc1234');
    expect(loadConfig({ ...base, GIT_COMMIT: 'abc1234', PLANBOT_COMMIT: 'v1.2.0-5-gdef' }).commit).toBe(
      'v1.2.0-5-gdef',
    );
    expect(problems({ ...base, PLANBOT_COMMIT: 'abc <!here>' })).toEqual([
      'PLANBOT_COMMIT is invalid: must be a commit hash or a build name (up to 64 letters, digits, dots, dashes, underscores or slashes)',
    ]);
  });
});

describe('daily quota settings', () => {
  const quota = (env: NodeJS.ProcessEnv) => {
    const { dailyQuota, quotaReserve } = loadConfig({ ...base, ...env }).constantContact;
    return { dailyQuota, quotaReserve };
  };

  it('takes CC_QUOTA_RESERVE as a share of CC_DAILY_QUOTA or as a number of requests', () => {
    expect(quota({})).toEqual({ dailyQuota: 10_000, quotaReserve: 2_000 });
    expect(quota({ CC_DAILY_QUOTA: '25000', CC_QUOTA_RESERVE: '10%' })).toEqual({
      dailyQuota: 25_000,
      quotaReserve: 2_500,
    });
    expect(quota({ CC_DAILY_QUOTA: '1000', CC_QUOTA_RESERVE: '12.5 %' })).toEqual({
      dailyQuota: 1_000,
      quotaReserve: 125,
    });
    expect(quota({ CC_QUOTA_RESERVE: '1500' })).toEqual({ dailyQuota: 10_000, quotaReserve: 1_500 });
    expect(quota({ CC_QUOTA_RESERVE: '0' })).toEqual({ dailyQuota: 10_000, quotaReserve: 0 });
  });

  it.each([
    { env: { CC_DAILY_QUOTA: '0' }, says: 'CC_DAILY_QUOTA is invalid: must be a whole number, 1 or above' },
    { env: { CC_DAILY_QUOTA: '9.5' }, says: 'CC_DAILY_QUOTA is invalid: must be a whole number, 1 or above' },
    { env: { CC_QUOTA_RESERVE: '100%' }, says: 'CC_QUOTA_RESERVE is invalid: must be below 100%' },
    {
      env: { CC_QUOTA_RESERVE: 'a fifth' },
      says: 'CC_QUOTA_RESERVE is invalid: must be a percentage of CC_DAILY_QUOTA (like 20%) or a whole number of requests (like 2000)',
    },
    {
      env: { CC_QUOTA_RESERVE: '-5' },
      says: 'CC_QUOTA_RESERVE is invalid: must be a percentage of CC_DAILY_QUOTA (like 20%) or a whole number of requests (like 2000)',
    },
    {
      env: { CC_DAILY_QUOTA: '500', CC_QUOTA_RESERVE: '500' },
      says: 'CC_QUOTA_RESERVE is invalid: must be below CC_DAILY_QUOTA (500)',
    },
  ])('refuses $env with one clear line', ({ env, says }) => {
    expect(problems({ ...base, ...env })).toEqual([says]);
  });
});

describe('alert settings', () => {
  const secret = 'a'.repeat(24);

  it('takes a webhook secret of 24 URL-safe characters or more, and an https PUBLIC_URL without its trailing slash', () => {
    const c = loadConfig({ ...base, CC_WEBHOOK_SECRET: secret, PUBLIC_URL: 'https://planbot.example.com/' });
    expect(c.alerts).toEqual({ webhookSecret: secret, publicUrl: 'https://planbot.example.com', apiKey: 'client-id' });
  });

  it('checks notifications against CC_API_KEY when it is set', () => {
    expect(loadConfig({ ...base, CC_API_KEY: 'the-key' }).alerts.apiKey).toBe('the-key');
  });

  it('refuses a short or unsafe secret and a PUBLIC_URL that is not https, naming each without echoing the secret', () => {
    for (const [env, problem] of [
      [{ CC_WEBHOOK_SECRET: 'short' }, /CC_WEBHOOK_SECRET is invalid: must be at least 24 characters/],
      [{ CC_WEBHOOK_SECRET: `${secret}/../x` }, /CC_WEBHOOK_SECRET is invalid: use only letters/],
      [{ PUBLIC_URL: 'http://planbot.example.com' }, /PUBLIC_URL is invalid: must start with https/],
      [{ PUBLIC_URL: 'https://planbot.example.com/?a=1' }, /PUBLIC_URL is invalid: must not have a query/],
    ] as const) {
      let error: unknown;
      try {
        loadConfig({ ...base, ...env });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(problem);
      expect((error as Error).message).not.toContain('short');
    }
  });

  it('reads the secret from CC_WEBHOOK_SECRET_FILE', () => {
    const c = loadConfig({ ...base, CC_WEBHOOK_SECRET_FILE: '/run/secrets/hook' }, { readFile: () => `${secret}\n` });
    expect(c.alerts.webhookSecret).toBe(secret);
  });
});

describe('ACCOUNT_INDEX_REFRESH_MINUTES', () => {
  it.each([
    ['90', 5_400_000],
    ['0.5', 30_000],
    ['0', 0],
  ])('%s minutes is %i ms (0: only /plan reindex walks the list)', (minutes, ms) => {
    expect(loadConfig({ ...base, ACCOUNT_INDEX_REFRESH_MINUTES: minutes }).accountIndexRefreshMs).toBe(ms);
  });

  it.each(['-1', 'hourly', ' '])('refuses %j, saying what it takes', (minutes) => {
    expect(() => loadConfig({ ...base, ACCOUNT_INDEX_REFRESH_MINUTES: minutes })).toThrow(
      'ACCOUNT_INDEX_REFRESH_MINUTES is invalid: must be a number, 0 or above',
    );
  });
});

describe('secrets from files', () => {
  const files: Record<string, string> = {
    '/run/secrets/bot': 'xoxb-from-file\n',
    '/run/secrets/cc': 'cc-secret-from-file\r\n',
    '/run/secrets/rebilly': 'rb-key',
  };
  const readFile = (path: string) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };

  it('reads NAME_FILE into NAME, dropping the trailing newline', () => {
    const c = loadConfig(
      {
        SLACK_SIGNING_SECRET: 'signing',
        CC_CLIENT_ID: 'client-id',
        SLACK_BOT_TOKEN_FILE: '/run/secrets/bot',
        CC_CLIENT_SECRET_FILE: '/run/secrets/cc',
        REBILLY_API_KEY_FILE: '/run/secrets/rebilly',
      },
      { readFile },
    );
    expect(c.slack.botToken).toBe('xoxb-from-file');
    expect(c.constantContact.credentials?.clientSecret).toBe('cc-secret-from-file');
    expect(c.rebilly.apiKey).toBe('rb-key');
  });

  it('stops on an unreadable file or a setting given twice, naming the file but never a value', () => {
    let problems: string[] = [];
    try {
      loadConfig(
        {
          ...base,
          SLACK_BOT_TOKEN: 'xoxb-inline',
          SLACK_BOT_TOKEN_FILE: '/run/secrets/bot',
          CC_CLIENT_SECRET: '',
          CC_CLIENT_SECRET_FILE: '/run/secrets/missing',
        },
        { readFile },
      );
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toEqual([
      'SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set; set one of them',
      'CC_CLIENT_SECRET_FILE is invalid: cannot read /run/secrets/missing (ENOENT)',
      'CC_CLIENT_SECRET is missing (set both partner credentials, or neither)',
    ]);
    expect(problems.join('\n')).not.toContain('xoxb');
  });
});
