import type { AppConfig } from '@/lib/config/load-config';
import type { DatabaseHandle } from '@/lib/db/client';
import type { Logger } from '@/lib/log';

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
  /** CA private key, used only to sign enrolling agents' CSRs. */
  caKeyPem: string;
  caFingerprint: string;
  /** URL agents enroll through (the web listener). */
  enrollUrl: string;
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
