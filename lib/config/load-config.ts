import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { configSchema, type RawConfig } from './schema';

/** Environment variables as a plain map, so tests can pass their own. */
export type Environment = Record<string, string | undefined>;

/** Raised when the configuration file or an environment override is invalid; the message names the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The resolved configuration used by the server, the worker and the CLI. */
export interface AppConfig {
  configFile: string | null;
  publicUrl: string;
  webPort: number;
  agentPort: number;
  webBind: string;
  agentBind: string;
  hostNames: string[];
  dataDir: string;
  configDir: string;
  databaseUrl: string | null;
  /** Connection URL of the restricted application role for an external database; null to derive or fall back. */
  databaseAppUrl: string | null;
  embeddedDatabasePort: number;
  offlineAfterSeconds: number;
  certificateValidityDays: number;
  inventoryIntervalSeconds: number;
  enrollmentTokenTtlHours: number;
  jobDefaultTimeoutSeconds: number;
  jobHostWaitSeconds: number;
  /** How late a scheduled job may still start; a run found later is recorded as missed. */
  scheduleGraceSeconds: number;
  allowedOrigins: string[];
  /** Absolute lifetime of a console session, in hours, however active it is. */
  sessionLifetimeHours: number;
  /** The `iss` of access tokens; defaults to the public URL. */
  tokenIssuer: string;
  /** When true, a session's tokens work only from the client address they were issued to. */
  bindSessionsToAddress: boolean;
  /** Per-client-address limits of the routes that need no session. */
  limits: RequestLimits;
  logLevel: RawConfig['log']['level'];
}

/**
 * Per-client-address request limits, counted in PostgreSQL so that every server
 * process shares them. Each count resets when its window ends.
 */
export interface RequestLimits {
  /** Requests per minute to any route that needs no session, except the CRL and OCSP. */
  publicRequestsPerMinute: number;
  /** Requests per minute to the CRL and the OCSP responder, which TLS clients fetch on their own. */
  revocationRequestsPerMinute: number;
  /** Enrollment requests per minute, counting POST /api/v1/enroll and downloads with an enrollment token. */
  enrollmentRequestsPerMinute: number;
  /** Failed enrollments (and download token checks) per window before every enrollment is rejected. */
  enrollmentFailures: number;
  enrollmentFailureWindowSeconds: number;
  /** Wrong setup tokens per window before first-run setup is rejected. */
  setupFailures: number;
  setupFailureWindowSeconds: number;
}

/** Environment variables that override a key of the file, with the form each expects. */
const ENV_OVERRIDES: { env: string; key: [string, string]; kind: 'string' | 'port' | 'ip' }[] = [
  { env: 'PM_DATA_DIR', key: ['paths', 'data_dir'], kind: 'string' },
  { env: 'PM_CONFIG_DIR', key: ['paths', 'config_dir'], kind: 'string' },
  { env: 'PM_WEB_PORT', key: ['server', 'web_port'], kind: 'port' },
  { env: 'PM_AGENT_PORT', key: ['server', 'agent_port'], kind: 'port' },
  { env: 'PM_WEB_BIND', key: ['server', 'web_bind'], kind: 'ip' },
  { env: 'PM_AGENT_BIND', key: ['server', 'agent_bind'], kind: 'ip' },
  { env: 'PM_PUBLIC_URL', key: ['server', 'public_url'], kind: 'string' },
  { env: 'PM_DB_PORT', key: ['database', 'embedded_port'], kind: 'port' },
  { env: 'DATABASE_URL', key: ['database', 'url'], kind: 'string' },
  { env: 'PM_DATABASE_APP_URL', key: ['database', 'app_url'], kind: 'string' },
  { env: 'PM_LOG_LEVEL', key: ['log', 'level'], kind: 'string' },
];

/**
 * Locates the configuration file: `PM_CONFIG` when set (it must exist), else
 * `config.toml` in the working directory when present, else none (all defaults).
 */
export function findConfigFile(env: Environment, cwd: string): string | null {
  if (env.PM_CONFIG) {
    const file = path.resolve(cwd, env.PM_CONFIG);
    if (!fs.existsSync(file)) {
      throw new ConfigError(`PM_CONFIG: file ${file} does not exist; create it or unset PM_CONFIG`);
    }
    return file;
  }

  const local = path.join(cwd, 'config.toml');
  return fs.existsSync(local) ? local : null;
}

function readToml(file: string): Record<string, unknown> {
  try {
    return parseToml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`${file}: invalid TOML (${detail}); fix the syntax and start again`);
  }
}

function applyEnvOverrides(raw: Record<string, unknown>, env: Environment): void {
  for (const override of ENV_OVERRIDES) {
    const value = env[override.env];
    if (value === undefined || value === '') continue;

    const [section, key] = override.key;
    const current = raw[section];
    const table = (typeof current === 'object' && current !== null ? current : {}) as Record<string, unknown>;
    raw[section] = table;

    if (override.kind === 'port') {
      if (!/^\d{1,5}$/.test(value)) {
        throw new ConfigError(`${override.env}: invalid value "${value}"; expected an integer port number from 1 to 65535`);
      }
      table[key] = Number(value);
    } else {
      table[key] = value;
    }
  }
}

function describeIssue(issue: z.core.$ZodIssue, envNames: Map<string, string>): string {
  const key = issue.path.join('.');
  const env = envNames.get(key);
  const where = env ? `${key} (set by ${env})` : key || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((name) => (key ? `${key}.${name}` : name)).join(', ');
    return `unknown key ${names}; remove it or check its spelling against deploy/config.example.toml`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return `${where}: missing value`;
  }
  return `${where}: ${issue.message}`;
}

function defaultHostNames(publicUrl: URL): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1', os.hostname()]);
  names.add(publicUrl.hostname.replace(/^\[|\]$/g, ''));
  return [...names];
}

/** Loads, validates and resolves the configuration; throws ConfigError naming the key and the expected form. */
export function loadConfig(options: { env?: Environment; cwd?: string } = {}): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFile = findConfigFile(env, cwd);
  const raw = configFile ? readToml(configFile) : {};
  applyEnvOverrides(raw, env);

  // With reportInput, an issue about a value of the wrong type carries its input, which distinguishes it from a missing value.
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const envNames = new Map(
      ENV_OVERRIDES.filter((item) => env[item.env]).map((item) => [item.key.join('.'), item.env]),
    );
    const lines = parsed.error.issues.map((issue) => describeIssue(issue, envNames));
    const source = configFile ?? 'the environment';
    throw new ConfigError(`invalid configuration in ${source}:\n  ${lines.join('\n  ')}`);
  }

  const config = parsed.data;
  const baseDir = configFile ? path.dirname(configFile) : cwd;
  const dataDir = path.resolve(baseDir, config.paths.data_dir);
  const configDir = config.paths.config_dir ? path.resolve(baseDir, config.paths.config_dir) : dataDir;
  const publicUrl = new URL(config.server.public_url ?? `https://localhost:${config.server.web_port}`);
  const hostNames = config.server.host_names.length > 0 ? config.server.host_names : defaultHostNames(publicUrl);

  return {
    configFile,
    publicUrl: publicUrl.origin,
    webPort: config.server.web_port,
    agentPort: config.server.agent_port,
    webBind: config.server.web_bind,
    agentBind: config.server.agent_bind,
    hostNames,
    dataDir,
    configDir,
    databaseUrl: config.database.url ?? null,
    databaseAppUrl: config.database.app_url ?? null,
    embeddedDatabasePort: config.database.embedded_port,
    offlineAfterSeconds: config.hosts.offline_after_seconds,
    certificateValidityDays: config.agent.certificate_validity_days,
    inventoryIntervalSeconds: config.agent.inventory_interval_seconds,
    enrollmentTokenTtlHours: config.enrollment.token_ttl_hours,
    jobDefaultTimeoutSeconds: config.jobs.default_timeout_seconds,
    jobHostWaitSeconds: config.jobs.host_wait_seconds,
    scheduleGraceSeconds: config.jobs.schedule_grace_seconds,
    allowedOrigins: config.security.allowed_origins,
    sessionLifetimeHours: config.auth.session_lifetime_hours,
    tokenIssuer: config.auth.issuer ?? publicUrl.origin,
    bindSessionsToAddress: config.auth.bind_sessions_to_address,
    limits: {
      publicRequestsPerMinute: config.limits.public_requests_per_minute,
      revocationRequestsPerMinute: config.limits.revocation_requests_per_minute,
      enrollmentRequestsPerMinute: config.limits.enrollment_requests_per_minute,
      enrollmentFailures: config.limits.enrollment_failures,
      enrollmentFailureWindowSeconds: config.limits.enrollment_failure_window_seconds,
      setupFailures: config.limits.setup_failures,
      setupFailureWindowSeconds: config.limits.setup_failure_window_seconds,
    },
    logLevel: config.log.level,
  };
}
