import type { OcspResponderMaterial } from '@/lib/pki/ocsp/ensure-ocsp-responder';

/**
 * PKI state that server.ts sets at start and route handlers read: the delegated OCSP
 * responder's certificate and key, and the serials of the server's own certificates,
 * which the responder reports as good. Shared through globalThis for the same reason
 * as the runtime: Next.js bundles route handlers apart from server.ts.
 */
export interface PkiRuntime {
  responder: OcspResponderMaterial;
  ownSerials: string[];
}

const KEY = Symbol.for('patch-manager.pki-runtime');

type GlobalWithPki = typeof globalThis & { [KEY]?: PkiRuntime };

export function setPkiRuntime(runtime: PkiRuntime): void {
  (globalThis as GlobalWithPki)[KEY] = runtime;
}

/** Returns the PKI state; throws outside a started server. */
export function getPkiRuntime(): PkiRuntime {
  const runtime = (globalThis as GlobalWithPki)[KEY];
  if (!runtime) {
    throw new Error('patch-manager PKI state is not initialised; start the app through server.ts (npm start)');
  }
  return runtime;
}
