import fs from 'node:fs';
import path from 'node:path';
import { verifyAuthenticationResponse, verifyRegistrationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { stringToBytes } from 'otplib';
import { describe, expect, it } from 'vitest';
import {
  RECOVERY_CODE_ALPHABET,
  createRecoveryCode,
  hashRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeMatches,
} from '@/lib/auth/mfa/recovery-code';
import { hotpAt, matchTotpStep, totpAt, totpStep } from '@/lib/auth/mfa/totp-code';
import { encodeCbor } from '../helpers/soft-authenticator';

interface Vectors {
  totp_rfc6238_appendix_b: {
    seeds_ascii: { sha1: string; sha256: string; sha512: string };
    sha1_seed_base32: string;
    rows: { t: number; sha1: string; sha256: string; sha512: string }[];
  };
  hotp_rfc4226_appendix_d: { secret_ascii: string; codes_counter_0_to_9: string[] };
  webauthn_w3c_l3_16_2_none_es256: {
    rp_id: string;
    origin: string;
    registration: Record<'challenge_hex' | 'credential_id_hex' | 'clientDataJSON_hex' | 'attestationObject_hex' | 'credential_public_key_cose_b64url', string>;
    authentication: Record<'challenge_b64url' | 'authenticatorData_hex' | 'clientDataJSON_hex' | 'signature_hex', string>;
  };
  webauthn_py_webauthn_okp_ed25519_assertion: Record<
    'rp_id' | 'origin' | 'credential_id' | 'credential_public_key_cose_b64url' | 'challenge_b64url' | 'authenticatorData' | 'clientDataJSON' | 'signature',
    string
  >;
}

const vectors = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/security/test-vectors.json'), 'utf8'),
) as Vectors;

const hexToBase64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

describe('TOTP and HOTP vectors', () => {
  const totp = vectors.totp_rfc6238_appendix_b;

  for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
    it(`totpAt matches RFC 6238 ${algorithm} rows`, async () => {
      const seed = stringToBytes(totp.seeds_ascii[algorithm]);
      for (const row of totp.rows) {
        expect(await totpAt(seed, new Date(row.t * 1000), { algorithm, digits: 8 }), `t=${row.t}`).toBe(row[algorithm]);
      }
    });
  }

  it('totpAt takes the Base32 seed', async () => {
    const row = totp.rows[0]!;
    expect(await totpAt(totp.sha1_seed_base32, new Date(row.t * 1000), { digits: 8 })).toBe(row.sha1);
  });

  it('hotpAt matches RFC 4226 codes', async () => {
    const hotp = vectors.hotp_rfc4226_appendix_d;
    const seed = stringToBytes(hotp.secret_ascii);
    for (const [counter, code] of hotp.codes_counter_0_to_9.entries()) {
      expect(await hotpAt(seed, counter), `counter ${counter}`).toBe(code);
    }
  });

  it('matchTotpStep accepts one step of drift only', async () => {
    const secret = totp.sha1_seed_base32;
    const now = new Date(1_111_111_111_000);
    const step = totpStep(now);
    const at = (offset: number) => totpAt(secret, new Date(now.getTime() + offset * 30_000));

    expect(await matchTotpStep(secret, await at(-1), now)).toBe(step - 1);
    expect(await matchTotpStep(secret, await at(0), now)).toBe(step);
    expect(await matchTotpStep(secret, await at(1), now)).toBe(step + 1);
    expect(await matchTotpStep(secret, await at(-2), now)).toBeNull();
    expect(await matchTotpStep(secret, await at(2), now)).toBeNull();
  });

  it('matchTotpStep rejects malformed codes', async () => {
    const secret = totp.sha1_seed_base32;
    const now = new Date(1_111_111_111_000);
    const code = await totpAt(secret, now);

    expect(await matchTotpStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(totpStep(now));
    expect(await matchTotpStep(secret, `${code}0`, now)).toBeNull();
    expect(await matchTotpStep(secret, 'abcdef', now)).toBeNull();
    expect(await matchTotpStep(secret, '', now)).toBeNull();
  });
});

describe('recovery code format', () => {
  it('createRecoveryCode has 12 symbols of the alphabet', () => {
    const codes = new Set(Array.from({ length: 200 }, () => createRecoveryCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
      expect([...code.replaceAll('-', '')].every((symbol) => RECOVERY_CODE_ALPHABET.includes(symbol))).toBe(true);
    }
  });

  it('normalizeRecoveryCode reads look-alikes', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(normalizeRecoveryCode(' ABCD-EFGH-JKMN ')).toBe('abcdefghjkmn');
    expect(normalizeRecoveryCode('OIL0 1234 5678')).toBe('0110' + '12345678');
    expect(normalizeRecoveryCode('abcd-efgh-jkm')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-jkmu')).toBeNull();
  });

  it('hashRecoveryCode salts each hash', () => {
    const code = createRecoveryCode();
    const first = hashRecoveryCode(code);
    const second = hashRecoveryCode(code);

    expect(first).not.toBe(second);
    expect(first.startsWith('sha256$')).toBe(true);
    expect(first).not.toContain(code.replaceAll('-', ''));
    expect(recoveryCodeMatches(normalizeRecoveryCode(code)!, first)).toBe(true);
    expect(recoveryCodeMatches(normalizeRecoveryCode(code)!, second)).toBe(true);
    expect(recoveryCodeMatches(normalizeRecoveryCode(createRecoveryCode())!, first)).toBe(false);
    expect(recoveryCodeMatches(normalizeRecoveryCode(code)!, 'md5$x$y')).toBe(false);
  });
});

describe('CBOR encoder', () => {
  it('encodes RFC 8949 appendix A examples', () => {
    const hex = (value: Parameters<typeof encodeCbor>[0]) => encodeCbor(value).toString('hex');

    expect(hex(0)).toBe('00');
    expect(hex(23)).toBe('17');
    expect(hex(24)).toBe('1818');
    expect(hex(1000)).toBe('1903e8');
    expect(hex(1_000_000)).toBe('1a000f4240');
    expect(hex(-1)).toBe('20');
    expect(hex(-100)).toBe('3863');
    expect(hex('IETF')).toBe('6449455446');
    expect(hex(new Uint8Array([1, 2, 3, 4]))).toBe('4401020304');
    expect(hex([1, [2, 3], [4, 5]])).toBe('8301820203820405');
    expect(hex(new Map<string, number | number[]>([['a', 1], ['b', [2, 3]]]))).toBe('a26161016162820203');
  });
});

describe('W3C WebAuthn none/ES256 vectors', () => {
  const w3c = vectors.webauthn_w3c_l3_16_2_none_es256;
  const registration = {
    id: hexToBase64url(w3c.registration.credential_id_hex),
    rawId: hexToBase64url(w3c.registration.credential_id_hex),
    type: 'public-key' as const,
    clientExtensionResults: {},
    response: {
      clientDataJSON: hexToBase64url(w3c.registration.clientDataJSON_hex),
      attestationObject: hexToBase64url(w3c.registration.attestationObject_hex),
    },
  };
  const assertion: AuthenticationResponseJSON = {
    id: registration.id,
    rawId: registration.id,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: hexToBase64url(w3c.authentication.clientDataJSON_hex),
      authenticatorData: hexToBase64url(w3c.authentication.authenticatorData_hex),
      signature: hexToBase64url(w3c.authentication.signature_hex),
    },
  };
  const credential = {
    id: registration.id,
    publicKey: new Uint8Array(Buffer.from(w3c.registration.credential_public_key_cose_b64url, 'base64url')),
    counter: 0,
  };

  const registrationOptions = (requireUserVerification: boolean) => ({
    response: registration,
    expectedChallenge: hexToBase64url(w3c.registration.challenge_hex),
    expectedOrigin: w3c.origin,
    expectedRPID: w3c.rp_id,
    requireUserVerification,
  });

  const authenticationOptions = (requireUserVerification: boolean) => ({
    response: assertion,
    expectedChallenge: w3c.authentication.challenge_b64url,
    expectedOrigin: w3c.origin,
    expectedRPID: w3c.rp_id,
    credential,
    requireUserVerification,
  });

  it('registration verifies without UV', async () => {
    const result = await verifyRegistrationResponse(registrationOptions(false));

    expect(result.verified).toBe(true);
    expect(result.registrationInfo?.credential.id).toBe(registration.id);
    expect(Buffer.from(result.registrationInfo!.credential.publicKey).toString('base64url')).toBe(w3c.registration.credential_public_key_cose_b64url);
    expect(result.registrationInfo?.userVerified).toBe(false);
  });

  it('registration rejected when UV required', async () => {
    await expect(verifyRegistrationResponse(registrationOptions(true))).rejects.toThrow(/user could not be verified/i);
  });

  it('assertion verifies without UV', async () => {
    const result = await verifyAuthenticationResponse(authenticationOptions(false));

    expect(result.verified).toBe(true);
    expect(result.authenticationInfo.newCounter).toBe(0);
  });

  it('assertion rejected when UV required', async () => {
    await expect(verifyAuthenticationResponse(authenticationOptions(true))).rejects.toThrow(/user could not be verified/i);
  });

  it('assertion rejected for another challenge', async () => {
    await expect(
      verifyAuthenticationResponse({ ...authenticationOptions(false), expectedChallenge: hexToBase64url(w3c.registration.challenge_hex) }),
    ).rejects.toThrow(/challenge/i);
  });
});

describe('Ed25519 assertion vector', () => {
  const okp = vectors.webauthn_py_webauthn_okp_ed25519_assertion;
  const options = (counter: number, requireUserVerification = false) => ({
    response: {
      id: okp.credential_id,
      rawId: okp.credential_id,
      type: 'public-key' as const,
      clientExtensionResults: {},
      response: { clientDataJSON: okp.clientDataJSON, authenticatorData: okp.authenticatorData, signature: okp.signature },
    },
    expectedChallenge: okp.challenge_b64url,
    expectedOrigin: okp.origin,
    expectedRPID: okp.rp_id,
    credential: {
      id: okp.credential_id,
      publicKey: new Uint8Array(Buffer.from(okp.credential_public_key_cose_b64url, 'base64url')),
      counter,
    },
    requireUserVerification,
  });

  it('verifies with a lower stored counter', async () => {
    const result = await verifyAuthenticationResponse(options(3));

    expect(result.verified).toBe(true);
    expect(result.authenticationInfo.newCounter).toBe(7);
  });

  it('rejects an equal or higher stored counter', async () => {
    await expect(verifyAuthenticationResponse(options(7))).rejects.toThrow(/counter/i);
    await expect(verifyAuthenticationResponse(options(100))).rejects.toThrow(/counter/i);
  });

  it('rejects when UV required', async () => {
    await expect(verifyAuthenticationResponse(options(3, true))).rejects.toThrow(/user could not be verified/i);
  });
});
