import { z } from 'zod';

const port = z
  .number({ error: 'expected an integer port number from 1 to 65535' })
  .int({ error: 'expected an integer port number from 1 to 65535' })
  .min(1, { error: 'expected an integer port number from 1 to 65535' })
  .max(65535, { error: 'expected an integer port number from 1 to 65535' });

const httpsUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.pathname === '/' && !url.search && !url.hash;
    } catch {
      return false;
    }
  },
  { error: 'expected an https URL with no path, such as https://patch.example.com:8443' },
);

const postgresUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      return false;
    }
  },
  { error: 'expected a postgres:// or postgresql:// connection URL' },
);

const requestCount = z
  .number({ error: 'expected a whole number of requests from 1 to 1000000' })
  .int({ error: 'expected a whole number of requests from 1 to 1000000' })
  .min(1, { error: 'expected a whole number of requests from 1 to 1000000' })
  .max(1_000_000, { error: 'expected a whole number of requests from 1 to 1000000' });

const windowSeconds = z
  .number({ error: 'expected whole seconds from 1 to 86400' })
  .int({ error: 'expected whole seconds from 1 to 86400' })
  .min(1, { error: 'expected whole seconds from 1 to 86400' })
  .max(86_400, { error: 'expected whole seconds from 1 to 86400' });

const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'expected an IPv4 or IPv6 address' });

/** The validated configuration; every key has a default so an empty file is valid. */
export const configSchema = z
  .object({
    server: z
      .object({
        public_url: httpsUrl.optional(),
        web_port: port.default(8443),
        agent_port: port.default(8444),
        web_bind: ipAddress.default('0.0.0.0'),
        agent_bind: ipAddress.default('0.0.0.0'),
        host_names: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    paths: z
      .object({
        data_dir: z.string().min(1).default('.data'),
        config_dir: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        url: postgresUrl.optional(),
        app_url: postgresUrl.optional(),
        embedded_port: port.default(5433),
      })
      .strict()
      .prefault({}),
    hosts: z
      .object({
        offline_after_seconds: z.number().int().min(60, { error: 'expected at least 60 seconds' }).default(900),
      })
      .strict()
      .prefault({}),
    agent: z
      .object({
        certificate_validity_days: z.number().int().min(1).max(825).default(90),
        inventory_interval_seconds: z.number().int().min(30).default(300),
      })
      .strict()
      .prefault({}),
    enrollment: z
      .object({
        token_ttl_hours: z.number().int().min(1).max(24 * 90).default(24),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        default_timeout_seconds: z.number().int().min(30).max(86_400).default(3600),
        host_wait_seconds: z.number().int().min(60).max(7 * 86_400).default(86_400),
        schedule_grace_seconds: z.number().int().min(30).max(86_400).default(300),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        session_lifetime_hours: z
          .number({ error: 'expected whole hours from 1 to 720' })
          .int({ error: 'expected whole hours from 1 to 720' })
          .min(1, { error: 'expected whole hours from 1 to 720' })
          .max(720, { error: 'expected whole hours from 1 to 720' })
          .default(12),
        issuer: z.string().min(1).max(256).optional(),
        bind_sessions_to_address: z.boolean({ error: 'expected true or false' }).default(false),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        allowed_origins: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        public_requests_per_minute: requestCount.default(300),
        revocation_requests_per_minute: requestCount.default(1200),
        enrollment_requests_per_minute: requestCount.default(60),
        enrollment_failures: requestCount.default(10),
        enrollment_failure_window_seconds: windowSeconds.default(900),
        setup_failures: requestCount.default(10),
        setup_failure_window_seconds: windowSeconds.default(900),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;
