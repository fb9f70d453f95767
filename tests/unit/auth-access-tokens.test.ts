import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '@/lib/auth/issue-access-token';
import { createKeyStore, type KeyStore } from '@/lib/auth/key-store';
import { keyIdFor } from '@/lib/auth/signing-key-files';
import { ensureSigningKey, rotateSigningKey } from '@/lib/auth/signing-keys';
import { TokenError, toUnauthorizedError, type TokenErrorCode } from '@/lib/auth/token-error';
import { verifyAccessToken } from '@/lib/auth/verify-access-token';
import { UnauthorizedError } from '@/lib/errors';

interface Vectors {
  ed25519_rfc8032_7_1: { name: string; secret: string; public: string; message: string; signature: string }[];
  jws_eddsa_rfc8037_appendix_a: {
    private_jwk: { kty: string; crv: string; d: string; x: string };
    jwk_thumbprint_A3: string;
    payload: string;
    compact_jws_A4: string;
  };
}

const vectors = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../fixtures/security/test-vectors.json'), 'utf8'),
) as Vectors;

const ISSUER = 'https://patch.example.test';
const AUDIENCE = 'https://patch.example.test/api';
const USER_ID = '4b0c2f0e-5d1a-4c43-9d8e-0f6f7f7a1a01';
const SESSION_ID = '8d3c1f9a-2b7e-4f15-8a0c-5e2d6b9c7f02';
const CONFIRMATION = { bindingHash: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg', clientAddress: '192.0.2.10' };
const verifyOptions = { issuer: ISSUER, audience: AUDIENCE };

let workDir: string;
let store: KeyStore;
let signing: { kid: string; privateKey: KeyObject };

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'pm-auth-tokens-'));
  const configDir = path.join(workDir, 'config');
  await ensureSigningKey(configDir);
  store = createKeyStore(configDir);
  signing = await store.signingKey();
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: USER_ID,
    sid: SESSION_ID,
    role: 'operator',
    cnf: { bkt: CONFIRMATION.bindingHash, addr: CONFIRMATION.clientAddress },
    jti: 'c1d2e3f4-0000-4000-8000-000000000001',
    iat: now,
    nbf: now,
    exp: now + 900,
    ...overrides,
  };
}

/** Signs any header and claims with EdDSA, so a test controls every field. */
async function signEdDsa(header: Record<string, unknown>, payload: Record<string, unknown>, key = signing.privateKey) {
  const crit = Array.isArray(header.crit) ? Object.fromEntries(header.crit.map((name: string) => [name, true])) : undefined;
  return new CompactSign(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', ...header })
    .sign(key, crit ? { crit } : undefined);
}

async function failureCode(token: string, options: { issuer: string; audience: string; now?: Date } = verifyOptions) {
  try {
    await verifyAccessToken(store, token, options);
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
  throw new Error('expected a TokenError, but the token verified');
}

async function validToken(now?: Date) {
  const issued = await issueAccessToken(store, { userId: USER_ID, role: 'admin', sessionId: SESSION_ID, confirmation: CONFIRMATION, issuer: ISSUER, audience: AUDIENCE, now });
  return issued.token;
}

describe('published vectors', () => {
  it('signs the RFC 8032 Ed25519 test vectors', () => {
    for (const vector of vectors.ed25519_rfc8032_7_1) {
      const privateKey = createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'OKP',
          crv: 'Ed25519',
          d: Buffer.from(vector.secret, 'hex').toString('base64url'),
          x: Buffer.from(vector.public, 'hex').toString('base64url'),
        },
      });
      const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
      expect(Buffer.from(publicJwk.x!, 'base64url').toString('hex'), vector.name).toBe(vector.public);
      const signature = sign(null, Buffer.from(vector.message, 'hex'), privateKey);
      expect(signature.toString('hex'), vector.name).toBe(vector.signature);
    }
  });

  it('verifies the RFC 8037 EdDSA JWS with jose', async () => {
    const vector = vectors.jws_eddsa_rfc8037_appendix_a;
    const { d: _d, ...publicJwk } = vector.private_jwk;
    const publicKey = await importJWK({ ...publicJwk, alg: 'EdDSA' }, 'EdDSA');
    const { payload, protectedHeader } = await compactVerify(vector.compact_jws_A4, publicKey, { algorithms: ['EdDSA'] });
    expect(new TextDecoder().decode(payload)).toBe(vector.payload);
    expect(protectedHeader).toEqual({ alg: 'EdDSA' });
  });

  it('reproduces the RFC 8037 signature', async () => {
    const vector = vectors.jws_eddsa_rfc8037_appendix_a;
    const privateKey = createPrivateKey({ format: 'jwk', key: vector.private_jwk });
    const jws = await new CompactSign(new TextEncoder().encode(vector.payload)).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey);
    expect(jws).toBe(vector.compact_jws_A4);
  });

  it('derives the kid as the RFC 8037 thumbprint', () => {
    const vector = vectors.jws_eddsa_rfc8037_appendix_a;
    const privateKey = createPrivateKey({ format: 'jwk', key: vector.private_jwk });
    expect(keyIdFor(privateKey)).toBe(vector.jwk_thumbprint_A3);
  });
});

describe('issueAccessToken', () => {
  it('sets the header and every claim', async () => {
    const now = new Date('2030-01-02T03:04:05Z');
    const issued = await issueAccessToken(store, { userId: USER_ID, role: 'operator', sessionId: SESSION_ID, confirmation: CONFIRMATION, issuer: ISSUER, audience: AUDIENCE, now });
    const [header, payload] = issued.token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    const seconds = now.getTime() / 1000;

    expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: signing.kid });
    expect(payload).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: USER_ID,
      sid: SESSION_ID,
      role: 'operator',
      cnf: { bkt: CONFIRMATION.bindingHash, addr: CONFIRMATION.clientAddress },
      jti: issued.jti,
      iat: seconds,
      nbf: seconds,
      exp: seconds + 900,
    });
    expect(issued.expiresAt.toISOString()).toBe('2030-01-02T03:19:05.000Z');
  });

  it('round-trips through verifyAccessToken', async () => {
    const now = new Date();
    const issued = await issueAccessToken(store, { userId: USER_ID, role: 'admin', sessionId: SESSION_ID, confirmation: CONFIRMATION, issuer: ISSUER, audience: AUDIENCE, now });
    const verified = await verifyAccessToken(store, issued.token, verifyOptions);
    expect(verified).toEqual({
      userId: USER_ID,
      sessionId: SESSION_ID,
      role: 'admin',
      jti: issued.jti,
      kid: signing.kid,
      issuedAt: new Date(Math.floor(now.getTime() / 1000) * 1000),
      expiresAt: issued.expiresAt,
      confirmation: CONFIRMATION,
    });
  });

  it('gives every token its own jti', async () => {
    const first = await issueAccessToken(store, { userId: USER_ID, role: 'admin', sessionId: SESSION_ID, confirmation: CONFIRMATION, issuer: ISSUER, audience: AUDIENCE });
    const second = await issueAccessToken(store, { userId: USER_ID, role: 'admin', sessionId: SESSION_ID, confirmation: CONFIRMATION, issuer: ISSUER, audience: AUDIENCE });
    expect(first.jti).not.toBe(second.jti);
  });
});

describe('verifyAccessToken rejects', () => {
  it('alg none', async () => {
    const token = `${encode({ alg: 'none', typ: 'at+jwt', kid: signing.kid })}.${encode(claims())}.`;
    expect(await failureCode(token)).toBe('alg_not_allowed');
  });

  it('HS256 keyed with the public key', async () => {
    const publicPem = createPublicKey(signing.privateKey).export({ type: 'spki', format: 'pem' });
    const signingInput = `${encode({ alg: 'HS256', typ: 'at+jwt', kid: signing.kid })}.${encode(claims())}`;
    const mac = createHmac('sha256', publicPem).update(signingInput).digest('base64url');
    expect(await failureCode(`${signingInput}.${mac}`)).toBe('alg_not_allowed');
  });

  it('RS256 and the Ed25519 alias', async () => {
    for (const alg of ['RS256', 'Ed25519', 'ES256', 'eddsa']) {
      const token = `${encode({ alg, typ: 'at+jwt', kid: signing.kid })}.${encode(claims())}.c2ln`;
      expect(await failureCode(token), alg).toBe('alg_not_allowed');
    }
  });

  it('a stripped signature', async () => {
    const [header, payload] = (await validToken()).split('.');
    expect(await failureCode(`${header}.${payload}.`)).toBe('signature_invalid');
  });

  it('a tampered payload', async () => {
    const [header, , signature] = (await validToken()).split('.');
    const forged = encode(claims({ role: 'admin', sub: '00000000-0000-4000-8000-000000000000' }));
    expect(await failureCode(`${header}.${forged}.${signature}`)).toBe('signature_invalid');
  });

  it('an unknown kid', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const token = await signEdDsa({ typ: 'at+jwt', kid: keyIdFor(privateKey) }, claims(), privateKey);
    expect(await failureCode(token)).toBe('kid_unknown');
  });

  it('a missing kid', async () => {
    expect(await failureCode(await signEdDsa({ typ: 'at+jwt' }, claims()))).toBe('kid_unknown');
  });

  it('an expired token', async () => {
    const issuedAt = new Date(Date.now() - 16 * 60 * 1000);
    expect(await failureCode(await validToken(issuedAt))).toBe('expired');
  });

  it('a token whose nbf is in the future', async () => {
    const future = new Date(Date.now() + 10 * 60 * 1000);
    expect(await failureCode(await validToken(future))).toBe('not_yet_valid');
  });

  it('a token whose iat is in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, claims({ iat: now + 600, nbf: now }));
    expect(await failureCode(token)).toBe('not_yet_valid');
  });

  it('a lifetime over 15 minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const longLived = await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, claims({ exp: now + 901 }));
    const backdated = await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, claims({ iat: now - 600, nbf: now - 600, exp: now + 600 }));

    expect(await failureCode(longLived)).toBe('lifetime_invalid');
    expect(await failureCode(backdated)).toBe('lifetime_invalid');
    const fifteenMinutes = await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, claims({ exp: now + 900 }));
    await expect(verifyAccessToken(store, fifteenMinutes, verifyOptions)).resolves.toMatchObject({ userId: USER_ID });
  });

  it('a wrong audience', async () => {
    expect(await failureCode(await validToken(), { issuer: ISSUER, audience: 'https://other.example.test' })).toBe('audience_invalid');
  });

  it('a wrong issuer', async () => {
    expect(await failureCode(await validToken(), { issuer: 'https://other.example.test', audience: AUDIENCE })).toBe('issuer_invalid');
  });

  it('a wrong typ', async () => {
    for (const typ of ['JWT', 'id_token+jwt', undefined]) {
      const token = await signEdDsa({ kid: signing.kid, ...(typ ? { typ } : {}) }, claims());
      expect(await failureCode(token), String(typ)).toBe('typ_invalid');
    }
  });

  it('a missing exp', async () => {
    const { exp: _exp, ...withoutExp } = claims();
    expect(await failureCode(await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, withoutExp))).toBe('claim_missing');
  });

  it('missing iat, sub, sid, jti or role', async () => {
    for (const name of ['iat', 'sub', 'sid', 'jti', 'role']) {
      const payload = claims();
      delete payload[name];
      expect(await failureCode(await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, payload)), name).toBe('claim_missing');
    }
  });

  it('a missing or malformed cnf', async () => {
    const cases: Record<string, unknown> = {
      absent: undefined,
      string: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg',
      'no bkt': { addr: '192.0.2.10' },
      'empty bkt': { bkt: '', addr: '192.0.2.10' },
      'no addr': { bkt: CONFIRMATION.bindingHash },
      array: [CONFIRMATION.bindingHash],
    };
    for (const [name, cnf] of Object.entries(cases)) {
      const payload = claims({ cnf });
      if (cnf === undefined) delete payload.cnf;
      expect(await failureCode(await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, payload)), name).toBe('claim_missing');
    }
  });

  it('an unknown crit header', async () => {
    const token = await signEdDsa({ typ: 'at+jwt', kid: signing.kid, crit: ['urn:example:policy'], 'urn:example:policy': 1 }, claims());
    expect(await failureCode(token)).toBe('crit_unsupported');
  });

  it('a key past its 24-hour overlap', async () => {
    const configDir = path.join(workDir, 'past-overlap');
    const retiredAt = new Date('2031-06-01T00:00:00Z');
    const overlapEnd = new Date(retiredAt.getTime() + 24 * 3600 * 1000);
    await ensureSigningKey(configDir, new Date('2031-03-01T00:00:00Z'));
    const pastStore = createKeyStore(configDir);
    // Signed with the old key and valid in every claim at the end of the overlap, so only the key's age can fail it.
    const token = (await issueAccessToken(pastStore, { userId: USER_ID, role: 'admin', sessionId: SESSION_ID, confirmation: CONFIRMATION, issuer: ISSUER, audience: AUDIENCE, now: overlapEnd })).token;
    await rotateSigningKey(configDir, retiredAt);
    await pastStore.reload();

    const lastSecond = await verifyAccessToken(pastStore, token, { ...verifyOptions, now: new Date(overlapEnd.getTime() - 1000) }).catch((error: unknown) => error);
    const atEnd = await verifyAccessToken(pastStore, token, { ...verifyOptions, now: overlapEnd }).catch((error: unknown) => error);

    expect(lastSecond).not.toBeInstanceOf(Error);
    expect(atEnd).toBeInstanceOf(TokenError);
    expect((atEnd as TokenError).code).toBe('key_expired');
  });

  it('input that is not a compact JWT', async () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d', '{"alg":"EdDSA"}.e30.', `${'a'.repeat(5000)}.e30.`]) {
      expect(await failureCode(token), token.slice(0, 20)).toBe('malformed');
    }
  });

  it('a header that is not a JSON object', async () => {
    expect(await failureCode(`${Buffer.from('[1]').toString('base64url')}.e30.`)).toBe('malformed');
    expect(await failureCode(`${Buffer.from('not json').toString('base64url')}.e30.`)).toBe('malformed');
  });
});

describe('verifyAccessToken check order', () => {
  it('rejects the algorithm before looking up the kid', async () => {
    const signingInput = `${encode({ alg: 'HS256', typ: 'at+jwt', kid: 'unknown-key' })}.${encode(claims())}`;
    const mac = createHmac('sha256', 'secret').update(signingInput).digest('base64url');
    expect(await failureCode(`${signingInput}.${mac}`)).toBe('alg_not_allowed');
  });

  it('applies the first failing check of each pair', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = { iat: now - 2000, nbf: now - 2000, exp: now - 1000 };
    const [validHeader, validPayload] = (await validToken()).split('.');
    const cases: [string, TokenErrorCode, string][] = [
      ['typ before crit', 'typ_invalid', await signEdDsa({ typ: 'JWT', kid: signing.kid, crit: ['x'], x: 1 }, claims())],
      ['crit before kid', 'crit_unsupported', await signEdDsa({ typ: 'at+jwt', kid: 'unknown', crit: ['x'], x: 1 }, claims())],
      ['kid before signature', 'kid_unknown', `${encode({ alg: 'EdDSA', typ: 'at+jwt', kid: 'unknown' })}.${validPayload}.AAAA`],
      ['signature before exp', 'signature_invalid', `${validHeader}.${encode(claims(expired))}.AAAA`],
      ['exp before iss', 'expired', await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, claims({ ...expired, iss: 'other' }))],
      ['iss before aud', 'issuer_invalid', await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, claims({ iss: 'other', aud: 'other' }))],
      ['aud before sub', 'audience_invalid', await signEdDsa({ typ: 'at+jwt', kid: signing.kid }, claims({ aud: 'other', sub: undefined }))],
    ];
    for (const [name, code, token] of cases) {
      expect(await failureCode(token), name).toBe(code);
    }
  });
});

describe('signing key overlap', () => {
  it('accepts a retired key within 24 hours and rejects it after', async () => {
    const configDir = path.join(workDir, 'overlap');
    const retiredAt = new Date('2030-06-01T00:00:00Z');
    await ensureSigningKey(configDir, new Date('2030-03-01T00:00:00Z'));
    const overlapStore = createKeyStore(configDir);
    const options = { userId: USER_ID, role: 'admin' as const, sessionId: SESSION_ID, confirmation: CONFIRMATION, issuer: ISSUER, audience: AUDIENCE };

    const withinOverlap = new Date(retiredAt.getTime() + 23 * 3600 * 1000);
    const pastOverlap = new Date(retiredAt.getTime() + 24 * 3600 * 1000 + 60 * 1000);
    const oldKeyEarly = await issueAccessToken(overlapStore, { ...options, now: withinOverlap });
    const oldKeyLate = await issueAccessToken(overlapStore, { ...options, now: pastOverlap });

    await rotateSigningKey(configDir, retiredAt);
    await overlapStore.reload();

    const verified = await verifyAccessToken(overlapStore, oldKeyEarly.token, { ...verifyOptions, now: new Date(withinOverlap.getTime() + 1000) });
    expect(verified.kid).not.toBe((await overlapStore.signingKey()).kid);

    await expect(
      verifyAccessToken(overlapStore, oldKeyLate.token, { ...verifyOptions, now: new Date(pastOverlap.getTime() + 1000) }),
    ).rejects.toMatchObject({ code: 'key_expired' });

    const fresh = await issueAccessToken(overlapStore, { ...options, now: pastOverlap });
    const freshClaims = await verifyAccessToken(overlapStore, fresh.token, { ...verifyOptions, now: pastOverlap });
    expect(freshClaims.kid).toBe((await overlapStore.signingKey()).kid);
    expect(await readFile(path.join(configDir, 'jwt', `${verified.kid}.pem`), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });
});

describe('toUnauthorizedError', () => {
  it('hides the failed check behind one message', () => {
    const error = toUnauthorizedError(new TokenError('kid_unknown', 'access token names a signing key that is not known'));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toBe('access token is invalid or expired; refresh the session or sign in again');
    expect((error.cause as TokenError).code).toBe('kid_unknown');
  });
});
