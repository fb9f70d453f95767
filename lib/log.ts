import pino from 'pino';

/**
 * Paths pino removes from every log line. Any field that can carry a secret is
 * listed here once, so callers never redact on their own.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'ticket',
  '*.ticket',
  'secret',
  '*.secret',
  'privateKey',
  '*.privateKey',
  'keyPem',
  '*.keyPem',
  'caKeyPem',
  '*.caKeyPem',
  'totpSecret',
  '*.totpSecret',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'codeVerifier',
  '*.codeVerifier',
  'authorization',
  'cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];

export type Logger = pino.Logger;

/** Longest SQL text kept in a logged error. */
const MAX_LOGGED_QUERY = 500;

/**
 * Serialises errors like pino's standard serializer, but drops the bound
 * parameters and shortens the SQL that postgres.js attaches to its errors:
 * parameters can carry secrets, hashes and megabytes of agent payload.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  delete serialized.parameters;
  delete serialized.args;
  if (typeof serialized.query === 'string' && serialized.query.length > MAX_LOGGED_QUERY) {
    serialized.query = `${serialized.query.slice(0, MAX_LOGGED_QUERY)}…`;
  }
  if (typeof serialized.message === 'string' && serialized.message.length > 2000) {
    serialized.message = `${serialized.message.slice(0, 2000)}…`;
  }
  if (typeof serialized.stack === 'string' && serialized.stack.length > 4000) {
    serialized.stack = `${serialized.stack.slice(0, 4000)}…`;
  }
  return serialized;
}

let root: Logger | undefined;

/** Returns the process-wide logger; the first call fixes its level and name. */
export function getLogger(options: { level?: string; name?: string } = {}): Logger {
  root ??= pino({
    name: options.name ?? 'patch-manager',
    level: options.level ?? process.env.PM_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
  });
  return root;
}
