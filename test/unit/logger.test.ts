import { describe, expect, it } from 'vitest';
import { boltLogger, createLogger, scrubSecrets } from '../../src/logger.ts';

/** A logger writing into an array, one JSON line per entry. */
function capture(level: Parameters<typeof createLogger>[0] = 'debug') {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (s: string) => void lines.push(s) });
  return {
    logger,
    lines,
    out: () => lines.join(''),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const secrets = ['xoxb-123', 'Bearer abc', 's3cret', 'xoxb-1234-abcd', 'eyJhbGciOi.x.y'];

describe('the logger', () => {
  it('keeps secrets out of structured fields and free text alike', () => {
    const { logger, out, entries } = capture();
    logger.info(
      {
        token: 'xoxb-123',
        headers: { authorization: 'Bearer abc' },
        config: { clientSecret: 's3cret' },
        accountId: 'a07e1lxtnhz0',
      },
      'posted with xoxb-1234-abcd and Bearer eyJhbGciOi.x.y',
    );
    for (const s of secrets) expect(out()).not.toContain(s);
    const [entry] = entries();
    // What is not secret is still there to debug with.
    expect(entry).toMatchObject({ level: 'info', app: 'planbot', accountId: 'a07e1lxtnhz0', token: '[redacted]' });
    expect(entry?.msg).toMatch(/^posted with .*\[redacted\].* and .*\[redacted\]/);
  });

  it.each([
    { name: 'a top-level api key', obj: { apiKey: 'k-111' }, secret: 'k-111' },
    { name: 'an x-api-key header', obj: { headers: { 'x-api-key': 'k-222' } }, secret: 'k-222' },
    {
      name: 'a request’s authorization header',
      obj: { req: { headers: { authorization: 'Basic Zm9vOmJhcg==' } } },
      secret: 'Zm9vOmJhcg==',
    },
    { name: 'a nested access token', obj: { res: { body: { access_token: 'jwt-333' } } }, secret: 'jwt-333' },
    { name: 'a signing secret in config', obj: { slack: { signingSecret: 'sign-444' } }, secret: 'sign-444' },
    { name: 'a password', obj: { password: 'hunter2' }, secret: 'hunter2' },
  ])('redacts $name', ({ obj, secret }) => {
    const { logger, out } = capture();
    logger.warn(obj, 'something happened');
    expect(out()).toContain('[redacted]');
    expect(out()).not.toContain(secret);
  });

  it.each([
    'xoxa-2-abc',
    'xoxb-1-abc',
    'xoxe-1-abc',
    'xoxo-1-abc',
    'xoxp-1-abc',
    'xoxr-1-abc',
    'xoxs-1-abc',
    'xapp-1-A0-abc',
    'bearer abc.def',
    'BASIC Zm9vOmJhcg==',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
  ])('scrubs %s wherever it sits in a line', (secret) => {
    const { logger, out } = capture();
    logger.info({ detail: `upstream said: ${secret}.` }, `failed (${secret})`);
    expect(out()).toContain('[redacted]');
    expect(out()).not.toContain(secret.slice(5));
  });

  it('leaves a line with nothing token-shaped as it was', () => {
    const { logger, entries } = capture();
    logger.info({ detail: 'Basically fine, xo xo' }, 'plan for acct00001 read in 20 ms');
    expect(entries()[0]).toMatchObject({ detail: 'Basically fine, xo xo', msg: 'plan for acct00001 read in 20 ms' });
  });

  it('scrubs secrets passed as interpolated text', () => {
    const { logger, out } = capture();
    logger.info('token was %s', 'xoxp-555-abc');
    expect(out()).not.toContain('xoxp-555-abc');
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    expect(lines).toHaveLength(1);
  });
});

describe('boltLogger', () => {
  it.each([
    { method: 'debug', args: ['token xoxb-999-zzz'], secret: 'xoxb-999-zzz' },
    { method: 'info', args: ['socket', 'xapp-1-A1-abc'], secret: 'xapp-1-A1-abc' },
    { method: 'warn', args: [{ headers: { Authorization: 'Bearer eyJabc.def.ghi' } }], secret: 'eyJabc.def.ghi' },
    { method: 'error', args: [new Error('auth failed for xoxb-42-q')], secret: 'xoxb-42-q' },
  ] as const)('Bolt’s $method lines are scrubbed', ({ method, args, secret }) => {
    const { logger, out, entries } = capture();
    boltLogger(logger)[method](...args);
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatchObject({ level: method, component: 'bolt' });
    expect(out()).not.toContain(secret);
  });
});

describe('scrubSecrets', () => {
  it.each([
    { name: 'a bot token', text: 'using xoxb-1234-abcd now', want: 'using xoxb…[redacted] now' },
    { name: 'a user token', text: 'xoxp-1-2-3', want: 'xoxp…[redacted]' },
    { name: 'an app token', text: 'xapp-1-A-2', want: 'xapp…[redacted]' },
    { name: 'a bearer header', text: 'Authorization: Bearer eyJhbGciOi.x.y', want: 'Authorization: Bear…[redacted]' },
    { name: 'a bare JWT', text: 'jwt eyJhbGciOi.eyJzdWIi.sig', want: 'jwt eyJh…[redacted]' },
    { name: 'a basic header', text: 'basic Zm9vOmJhcg==', want: 'basi…[redacted]' },
    {
      name: 'text without secrets',
      text: 'GET /partner/accounts/a07e1lxtnhz0/plan answered 404',
      want: 'GET /partner/accounts/a07e1lxtnhz0/plan answered 404',
    },
  ])('$name', ({ text, want }) => {
    expect(scrubSecrets(text)).toBe(want);
  });
});

describe('errors in the log', () => {
  it('keep their message and stack for debugging, with token-shaped text scrubbed', () => {
    const { logger, out, entries } = capture();
    const error = new Error('upstream said xoxb-777-leak was bad');
    logger.error({ err: error, error: `wrapped: ${error.message}` }, 'lookup failed');
    logger.error(new Error('bare Bearer eyJabc.def.ghi'));
    expect(out()).not.toContain('xoxb-777-leak');
    expect(out()).not.toContain('eyJabc.def.ghi');
    const [first, second] = entries() as Array<{ err: { type: string; message: string; stack: string } }>;
    expect(first?.err.type).toBe('Error');
    expect(first?.err.message).toMatch(/^upstream said xoxb…\[redacted\] was bad$/);
    expect(first?.err.stack).toContain('logger.test.ts');
    expect(second?.err.message).toMatch(/^bare Bear…\[redacted\]$/);
  });
});
