import type { AppConfig } from '@/lib/config/load-config';
import type { DatabaseHandle } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import type { KeyStore } from '@/lib/auth/key-store';
import type { LoginLimiter } from '@/lib/auth/login-limiter';
import type { MfaLimiter } from '@/lib/auth/mfa/mfa-limiter';
import type { RequestLimiters } from '@/lib/rate-limits/create-request-limiters';

/**
 * Process-wide services that server.ts creates at start. Next.js bundles the
 * app separately from server.ts, so the two module graphs share them through
 * globalThis rather than through a module-level variable.
 */
export interface Runtime {
  config: AppConfig;
  database: DatabaseHandle;
  log: Logger;
  caCertPem: string;
  caFingerprint: string;
  /** URL agents enroll through (the web listener). */
  enrollUrl: string;
  /** The access token signing keys; one store per process picks up rotations by the worker. */
  keyStore: KeyStore;
  /** Second-factor attempt limiter shared through PostgreSQL. */
  mfaLimiter: MfaLimiter;
  /** Password and refresh attempt limiter shared through PostgreSQL. */
  loginLimiter: LoginLimiter;
  /** Per-address limits of enrollment, setup and every public route, shared through PostgreSQL. */
  requestLimiters: RequestLimiters;
}

const KEY = Symbol.for('patch-manager.runtime');

type GlobalWithRuntime = typeof globalThis & { [KEY]?: Runtime };

export function setRuntime(runtime: Runtime): void {
  (globalThis as GlobalWithRuntime)[KEY] = runtime;
}

/** Returns the runtime; throws when called outside a started server, such as during `next build`. */
export function getRuntime(): Runtime {
  const runtime = (globalThis as GlobalWithRuntime)[KEY];
  if (!runtime) {
    throw new Error('patch-manager runtime is not initialised; start the app through server.ts (npm start)');
  }
  return runtime;
}
