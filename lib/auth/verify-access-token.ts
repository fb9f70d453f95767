import { errors, jwtVerify, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_LIFETIME_SECONDS, ACCESS_TOKEN_TYPE, type AccessTokenRole } from './issue-access-token';
import type { KeyStore } from './key-store';
import { TokenError } from './token-error';

/** Allowed clock difference between the processes that issue and verify, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Maximum token length in characters. Tokens issued here are about 500 characters long. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface VerifyAccessTokenOptions {
  issuer: string;
  audience: string;
  now?: Date;
}

/** The claims of a verified access token. */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  role: AccessTokenRole;
  jti: string;
  kid: string;
  issuedAt: Date;
  expiresAt: Date;
  /** The `cnf` claim: the hash of the session's binding secret and the client address at issue. */
  confirmation: { bindingHash: string; clientAddress: string };
}

/**
 * Verifies an access token and returns its claims, or throws a TokenError whose code
 * names the first check that failed. The checks run in this fixed order, so the
 * cheap header checks come before any key lookup and the signature before any claim:
 *
 * 1. compact form and JSON header (`malformed`)
 * 2. `alg` is EdDSA (`alg_not_allowed`), before any key lookup
 * 3. `typ` is at+jwt (`typ_invalid`)
 * 4. no `crit` header (`crit_unsupported`)
 * 5. `kid` names a known key (`kid_unknown`) that is active or retired less than 24 hours
 *    ago (`key_expired`). Keys embedded in the header (`jwk`, `jku`, `x5c`) are never used.
 * 6. signature (`signature_invalid`), by jose's jwtVerify with `algorithms: ['EdDSA']`
 * 7. `exp` and `iat` present (`claim_missing`), `nbf` reached (`not_yet_valid`), `exp` not
 *    passed (`expired`), `iat` not in the future (`not_yet_valid`), all with
 *    `CLOCK_TOLERANCE_SECONDS` of tolerance, and `exp` at most 15 minutes after `iat`
 *    (`lifetime_invalid`), so a token signed with a longer life is refused
 * 8. `iss` (`issuer_invalid`), then `aud` (`audience_invalid`)
 * 9. `sub`, `sid`, `jti`, `role` and `cnf` with string members `bkt` and `addr` present
 *    (`claim_missing`)
 *
 * Callers turn a TokenError into an UnauthorizedError with `toUnauthorizedError`.
 */
export async function verifyAccessToken(
  store: KeyStore,
  token: string,
  options: VerifyAccessTokenOptions,
): Promise<AccessTokenClaims> {
  const now = options.now ?? new Date();
  const header = parseHeader(token);

  if (header.alg !== 'EdDSA') {
    throw new TokenError('alg_not_allowed', `access token algorithm ${String(header.alg)} is not allowed; only EdDSA is`);
  }

  if (typeof header.typ !== 'string' || normalizeType(header.typ) !== ACCESS_TOKEN_TYPE) {
    throw new TokenError('typ_invalid', `access token type ${String(header.typ)} is invalid; expected ${ACCESS_TOKEN_TYPE}`);
  }

  if (Object.hasOwn(header, 'crit')) {
    throw new TokenError('crit_unsupported', 'access token has a crit header, and no header extension is supported');
  }

  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new TokenError('kid_unknown', 'access token has no kid header');
  }
  const kid = header.kid;
  const key = await store.verificationKey(kid, now);

  const payload = await verifySignatureAndTimes(token, key, now);

  if (payload.iss !== options.issuer) {
    throw new TokenError('issuer_invalid', 'access token issuer is invalid');
  }

  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(options.audience)) {
    throw new TokenError('audience_invalid', 'access token audience is invalid');
  }

  const { sub, jti, sid, role, cnf } = payload;
  for (const [name, value] of [
    ['sub', sub],
    ['sid', sid],
    ['jti', jti],
  ] as const) {
    if (typeof value !== 'string' || value === '') {
      throw new TokenError('claim_missing', `access token claim ${name} is missing`);
    }
  }
  if (role !== 'admin' && role !== 'operator') {
    throw new TokenError('claim_missing', 'access token claim role is missing or invalid');
  }
  const confirmation = parseConfirmation(cnf);

  return {
    userId: sub as string,
    sessionId: sid as string,
    jti: jti as string,
    role,
    kid,
    issuedAt: new Date(payload.iat! * 1000),
    expiresAt: new Date(payload.exp! * 1000),
    confirmation,
  };
}

function parseConfirmation(cnf: unknown): AccessTokenClaims['confirmation'] {
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new TokenError('claim_missing', 'access token claim cnf is missing or invalid');
  }
  const { bkt, addr } = cnf as Record<string, unknown>;
  if (typeof bkt !== 'string' || bkt === '' || typeof addr !== 'string') {
    throw new TokenError('claim_missing', 'access token claim cnf is missing or invalid');
  }
  return { bindingHash: bkt, clientAddress: addr };
}

function parseHeader(token: string): Record<string, unknown> {
  if (typeof token !== 'string' || token.length > MAX_ACCESS_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw new TokenError('malformed', 'access token is not a compact JWT');
  }

  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
  } catch (error) {
    throw new TokenError('malformed', 'access token header is not valid JSON', { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new TokenError('malformed', 'access token header is not a JSON object');
  }
  return header as Record<string, unknown>;
}

/** Normalizes a `typ` value as jose does: lower case, with an optional `application/` prefix removed. */
function normalizeType(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

type VerifiedPayload = JWTPayload & { sid?: unknown; role?: unknown; cnf?: unknown };

async function verifySignatureAndTimes(token: string, key: Parameters<typeof jwtVerify>[1], now: Date): Promise<VerifiedPayload> {
  let payload: VerifiedPayload;
  try {
    ({ payload } = await jwtVerify<VerifiedPayload>(token, key, {
      algorithms: ['EdDSA'],
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['exp', 'iat'],
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    throw toTokenError(error);
  }

  if (payload.iat! > now.getTime() / 1000 + CLOCK_TOLERANCE_SECONDS) {
    throw new TokenError('not_yet_valid', 'access token was issued in the future');
  }
  if (payload.exp! - payload.iat! > ACCESS_TOKEN_LIFETIME_SECONDS) {
    throw new TokenError('lifetime_invalid', `access token lifetime exceeds ${ACCESS_TOKEN_LIFETIME_SECONDS} seconds`);
  }
  return payload;
}

function toTokenError(error: unknown): TokenError {
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenError('signature_invalid', 'access token signature is invalid', { cause: error });
  }
  if (error instanceof errors.JWTExpired) {
    return new TokenError('expired', 'access token has expired', { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') {
      return new TokenError('claim_missing', `access token claim ${error.claim} is missing`, { cause: error });
    }
    if (error.claim === 'nbf' && error.reason === 'check_failed') {
      return new TokenError('not_yet_valid', 'access token is not valid yet', { cause: error });
    }
    return new TokenError('malformed', `access token claim ${error.claim} is invalid`, { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new TokenError('alg_not_allowed', 'access token algorithm is not allowed; only EdDSA is', { cause: error });
  }
  if (error instanceof errors.JOSEError) {
    return new TokenError('malformed', 'access token is malformed', { cause: error });
  }
  throw error;
}
