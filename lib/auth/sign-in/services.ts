import { getRuntime } from '@/lib/runtime';
import type { KeyStore } from '../key-store';
import type { LoginLimiter } from '../login-limiter';
import type { MfaLimiter } from '../mfa/mfa-limiter';
import { ACCESS_TOKEN_AUDIENCE } from '../session-cookies';

/** What the sign-in operations need besides the context: keys, limiters and the console's identity. */
export interface SignInServices {
  keyStore: KeyStore;
  mfaLimiter: MfaLimiter;
  loginLimiter: LoginLimiter;
  issuer: string;
  audience: string;
  /** Absolute session lifetime in seconds. */
  sessionLifetimeSeconds: number;
  /** The console's origin, which browsers report in WebAuthn client data. */
  origin: string;
  /** The WebAuthn relying party id: the console's host name. */
  rpId: string;
  /** `auth.bind_sessions_to_address`: refresh only from the address stored with the token. */
  bindSessionsToAddress: boolean;
}

/** Builds the sign-in services of this server process from its runtime. */
export function signInServices(): SignInServices {
  const runtime = getRuntime();
  const origin = new URL(runtime.config.publicUrl).origin;
  return {
    keyStore: runtime.keyStore,
    mfaLimiter: runtime.mfaLimiter,
    loginLimiter: runtime.loginLimiter,
    issuer: runtime.config.tokenIssuer,
    audience: ACCESS_TOKEN_AUDIENCE,
    sessionLifetimeSeconds: runtime.config.sessionLifetimeHours * 3600,
    origin,
    rpId: new URL(origin).hostname.replace(/^\[|\]$/g, ''),
    bindSessionsToAddress: runtime.config.bindSessionsToAddress,
  };
}
