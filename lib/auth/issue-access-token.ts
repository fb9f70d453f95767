import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyStore } from './key-store';

/** Lifetime of an access token in seconds (15 minutes). */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 15 * 60;

/** The JOSE `typ` header of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Roles an access token can carry. */
export type AccessTokenRole = 'admin' | 'operator';

export interface IssueAccessTokenOptions {
  userId: string;
  /**
   * The user's role when the token is issued. It is a hint for the user interface only:
   * authorisation reads the current role from the database on every request, so a role
   * change applies before the token expires.
   */
  role: AccessTokenRole;
  /** The refresh token family (session) this token belongs to, sent as `sid`. */
  sessionId: string;
  /**
   * The client the token is bound to, sent as the `cnf` claim: `bindingHash` (the
   * session's binding hash, as `cnf.bkt`) and `clientAddress` (the resolved client
   * address at issue, as `cnf.addr`).
   */
  confirmation: { bindingHash: string; clientAddress: string };
  issuer: string;
  audience: string;
  now?: Date;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/**
 * Signs a 15-minute access token with the key store's active Ed25519 key. The header is
 * `{alg: 'EdDSA', typ: 'at+jwt', kid}`, and the claims are iss, aud, sub (user id), sid
 * (session id), role, cnf (`{bkt, addr}`, the client binding), jti (random UUID), iat,
 * nbf and exp, all in whole seconds.
 */
export async function issueAccessToken(store: KeyStore, options: IssueAccessTokenOptions): Promise<IssuedAccessToken> {
  const { kid, privateKey } = await store.signingKey();
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const expiresAt = issuedAt + ACCESS_TOKEN_LIFETIME_SECONDS;
  const jti = randomUUID();

  const token = await new SignJWT({
    sid: options.sessionId,
    role: options.role,
    cnf: { bkt: options.confirmation.bindingHash, addr: options.confirmation.clientAddress },
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: ACCESS_TOKEN_TYPE, kid })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.userId)
    .setJti(jti)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(privateKey);

  return { token, jti, expiresAt: new Date(expiresAt * 1000) };
}
