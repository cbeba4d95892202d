import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from '@slack/bolt';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/** Field names whose values are secret wherever they appear (two levels deep). */
const secretKeys = [
  'token',
  'botToken',
  'appToken',
  'access_token',
  'accessToken',
  'authorization',
  'Authorization',
  'x-api-key',
  'apiKey',
  'api_key',
  'clientSecret',
  'client_secret',
  'signingSecret',
  'password',
  'secret',
];

const secretKeySet = new Set(secretKeys.map((k) => k.toLowerCase()));

/** Token shapes that may hide inside free text (a Bolt debug line, an upstream error message). */
const secretPatterns: RegExp[] = [
  /\bxox[abposre]-[A-Za-z0-9-]+/g,
  /\bxapp-[A-Za-z0-9-]+/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
];

/** Whether any of those shapes could start in the text: most lines have none, and one scan is cheaper than four. */
const mayHoldSecret = /xox[abposre]-|xapp-|bearer|basic|eyJ/i;

export function scrubSecrets(text: string): string {
  if (!mayHoldSecret.test(text)) return text;
  let out = text;
  for (const pattern of secretPatterns) out = out.replace(pattern, (m) => `${m.slice(0, 4)}…[redacted]`);
  return out;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'planbot' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors are already flattened and scrubbed by logMethod below.
      serializers: { err: (value: unknown) => value },
      hooks: {
        // One walk over what is logged: fields named like secrets are redacted at any depth, and
        // free text (messages, error messages and stacks) is scrubbed of token-shaped strings.
        // (Cheaper than pino's wildcard path redaction, which cost ~75 µs a line under load.)
        logMethod(args, method) {
          const cleaned = args.map((a, i) =>
            i === 0 && a instanceof Error ? { err: scrubValue(a, 0) } : scrubValue(a, 0),
          );
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
      formatters: {
        level: (label) => ({ level: label }),
      },
    },
    destination,
  );
}

/** Secret-named fields redacted, strings scrubbed, errors flattened with scrubbed message and stack (4 levels deep). */
function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubSecrets(value.message) };
    if (value.stack) out.stack = scrubSecrets(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.cause !== undefined && depth < 3) out.cause = scrubValue(value.cause, depth + 1);
    return out;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[nested too deep to log]';
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      secretKeySet.has(k.toLowerCase()) ? '[redacted]' : scrubValue(v, depth + 1),
    ]),
  );
}

/** Bolt wants its own logger interface; this routes its lines into pino, scrubbed. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const line = (parts: unknown[]) =>
    scrubSecrets(parts.map((p) => (typeof p === 'string' ? p : safeJson(p))).join(' '));
  // Bolt writes several debug lines per request; build them only when someone will read them.
  return {
    debug: (...msg) => child.isLevelEnabled('debug') && child.debug(line(msg)),
    info: (...msg) => child.isLevelEnabled('info') && child.info(line(msg)),
    warn: (...msg) => child.isLevelEnabled('warn') && child.warn(line(msg)),
    error: (...msg) => child.isLevelEnabled('error') && child.error(line(msg)),
    setLevel: () => {},
    getLevel: () => child.level as BoltLogLevel,
    setName: () => {},
  };
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
