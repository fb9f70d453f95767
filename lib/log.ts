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
  'authorization',
  'cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];

export type Logger = pino.Logger;

let root: Logger | undefined;

/** Returns the process-wide logger; the first call fixes its level and name. */
export function getLogger(options: { level?: string; name?: string } = {}): Logger {
  root ??= pino({
    name: options.name ?? 'patch-manager',
    level: options.level ?? process.env.PM_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
  return root;
}
