import { readFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { loadCommonPasswords } from '@/lib/auth/common-passwords';
import { hashPassword } from '@/lib/auth/hash-password';
import { PASSWORD_HASH_PARAMS, parseEncodedHash } from '@/lib/auth/password-params';
import { PASSWORD_MAX_LENGTH, checkPasswordPolicy } from '@/lib/auth/password-policy';
import { verifyDummyPassword, verifyPassword } from '@/lib/auth/verify-password';
import { ValidationError } from '@/lib/errors';

const vectors = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../fixtures/security/test-vectors.json'), 'utf8'),
) as {
  argon2id: {
    rfc9106_5_3: Record<'password_hex' | 'salt_hex' | 'secret_hex' | 'ad_hex' | 'tag_hex', string> &
      Record<'m_kib' | 't' | 'p' | 'tag_len', number>;
    phc_reference_src_test_c: Record<'password' | 'salt' | 'tag_hex' | 'encoded', string> & Record<'m_kib' | 't' | 'p', number>;
  };
};

function policyError(password: string, username = 'alice'): ValidationError {
  try {
    checkPasswordPolicy(password, { username });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`password "${password}" passed the policy`);
}

describe('Argon2id known answers', () => {
  it('matches the RFC 9106 section 5.3 tag', async () => {
    const vector = vectors.argon2id.rfc9106_5_3;
    const tag = await argon2.hash(Buffer.from(vector.password_hex, 'hex'), {
      type: argon2.argon2id,
      raw: true,
      salt: Buffer.from(vector.salt_hex, 'hex'),
      secret: Buffer.from(vector.secret_hex, 'hex'),
      associatedData: Buffer.from(vector.ad_hex, 'hex'),
      memoryCost: vector.m_kib,
      timeCost: vector.t,
      parallelism: vector.p,
      hashLength: vector.tag_len,
    });
    expect(tag.toString('hex')).toBe(vector.tag_hex);
  });

  it('matches the reference implementation test tag', async () => {
    const vector = vectors.argon2id.phc_reference_src_test_c;
    const tag = await argon2.hash(vector.password, {
      type: argon2.argon2id,
      raw: true,
      salt: Buffer.from(vector.salt),
      memoryCost: vector.m_kib,
      timeCost: vector.t,
      parallelism: vector.p,
      hashLength: 32,
    });
    expect(tag.toString('hex')).toBe(vector.tag_hex);
  });

  it('verifies the reference encoded hash and asks for a rehash', async () => {
    const vector = vectors.argon2id.phc_reference_src_test_c;
    const result = await verifyPassword(vector.encoded, vector.password);
    expect(result.valid).toBe(true);
    // The reference hash uses t=2, below the default t=3.
    expect(result.needsRehash).toBe(true);
  });
});

describe('hashPassword', () => {
  it('encodes Argon2id with m=65536, t=3, p=1', async () => {
    const encoded = await hashPassword('a long enough passphrase');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(PASSWORD_HASH_PARAMS).toEqual({ memoryCost: 65536, timeCost: 3, parallelism: 1 });
  });

  it('uses a fresh salt for every hash', async () => {
    const first = await hashPassword('the same passphrase twice');
    const second = await hashPassword('the same passphrase twice');
    expect(first).not.toBe(second);
  });

  it('round-trips through verifyPassword without a rehash', async () => {
    const encoded = await hashPassword('violet staple orbit canyon');
    expect(await verifyPassword(encoded, 'violet staple orbit canyon')).toEqual({ valid: true, needsRehash: false });
  });

  it('rejects a wrong password', async () => {
    const encoded = await hashPassword('violet staple orbit canyon');
    expect(await verifyPassword(encoded, 'violet staple orbit canyom')).toEqual({ valid: false, needsRehash: false });
  });

  it('matches canonically equivalent Unicode input', async () => {
    const composed = 'caf\u00e9 au lait sans sucre';
    const decomposed = 'cafe\u0301 au lait sans sucre';
    const encoded = await hashPassword(composed);
    expect((await verifyPassword(encoded, decomposed)).valid).toBe(true);
  });
});

describe('verifyPassword', () => {
  it('flags a hash with less memory for rehash', async () => {
    const weak = await hashPassword('river lantern paper moss', { memoryCost: 19_456, timeCost: 3, parallelism: 1 });
    expect(await verifyPassword(weak, 'river lantern paper moss')).toEqual({ valid: true, needsRehash: true });
  });

  it('flags an argon2i hash for rehash', async () => {
    const argon2i = await argon2.hash('river lantern paper moss', { type: argon2.argon2i, memoryCost: 65_536, timeCost: 3 });
    expect(await verifyPassword(argon2i, 'river lantern paper moss')).toEqual({ valid: true, needsRehash: true });
  });

  it('keeps a stronger hash as it is', async () => {
    const strong = await hashPassword('river lantern paper moss', { memoryCost: 65_536, timeCost: 4, parallelism: 1 });
    expect(await verifyPassword(strong, 'river lantern paper moss')).toEqual({ valid: true, needsRehash: false });
  });

  it('rejects an unparsable stored hash', async () => {
    expect(await verifyPassword('plaintext-password', 'plaintext-password')).toEqual({ valid: false, needsRehash: false });
    expect(await verifyPassword('', '')).toEqual({ valid: false, needsRehash: false });
  });

  it('rejects an oversized password without hashing', async () => {
    const encoded = await hashPassword('x'.repeat(PASSWORD_MAX_LENGTH));
    expect((await verifyPassword(encoded, 'x'.repeat(PASSWORD_MAX_LENGTH + 1))).valid).toBe(false);
    expect((await verifyPassword(encoded, 'x'.repeat(PASSWORD_MAX_LENGTH))).valid).toBe(true);
  });

  it('spends a full hash on an unknown user', async () => {
    await verifyDummyPassword('warm-up creates the dummy hash');
    const started = performance.now();
    expect(await verifyDummyPassword('violet staple orbit canyon')).toBe(false);
    // One 64 MiB, three-pass Argon2id verification took about 160 ms on a 2-core VM, so 10 ms is a safe floor.
    expect(performance.now() - started).toBeGreaterThan(10);
  });

  it('parses the cost fields of an encoded hash', () => {
    const parsed = parseEncodedHash(vectors.argon2id.phc_reference_src_test_c.encoded);
    expect(parsed).toEqual({ type: 'argon2id', version: 19, memoryCost: 65536, timeCost: 2, parallelism: 1, hashLength: 32 });
  });
});

describe('checkPasswordPolicy', () => {
  it('accepts a long uncommon passphrase', () => {
    expect(() => checkPasswordPolicy('violet staple orbit canyon', { username: 'alice' })).not.toThrow();
  });

  it('rejects a password shorter than 12 characters', () => {
    const error = policyError('Tr0ub4dor&3');
    expect(error.field).toBe('password');
    expect(error.message).toBe(
      'password: shorter than 12 characters; choose a longer one, such as a phrase of several words',
    );
  });

  it('counts characters, not bytes', () => {
    // Eleven characters of two bytes each are still too short.
    expect(policyError('ééééééééééé').message).toMatch(/shorter than 12 characters/);
    expect(() => checkPasswordPolicy('éa'.repeat(6) + 'zqx', { username: 'alice' })).not.toThrow();
  });

  it('rejects a password longer than 1024 characters', () => {
    const error = policyError('k'.repeat(1025));
    expect(error.field).toBe('password');
    expect(error.message).toBe('password: longer than 1024 characters; choose a shorter password');
  });

  it('accepts exactly 1024 characters', () => {
    expect(() => checkPasswordPolicy('qz'.repeat(512), { username: 'alice' })).not.toThrow();
  });

  it('rejects the username as the password', () => {
    const error = policyError('Administrator7', 'administrator7');
    expect(error.message).toBe('password: equal to the username; choose a password unrelated to the username');
  });

  it('rejects a password containing the username', () => {
    const error = policyError('my-name-is-ALICE-ok', 'alice');
    expect(error.field).toBe('password');
    expect(error.message).toBe('password: contains the username; choose a password that does not include it');
  });

  it('ignores a two-letter username inside the password', () => {
    expect(() => checkPasswordPolicy('violet staple orbit canyon', { username: 'an' })).not.toThrow();
  });

  it('rejects common passwords in any letter case', () => {
    for (const password of ['password1234', 'Password1234', 'QWERTYUIOP123', '1q2w3e4r5t6y', 'iloveyou2024!', '123456789012']) {
      const error = policyError(password, 'bob');
      expect(error.message, password).toBe(
        'password: on the list of common passwords; choose a less predictable one, such as several unrelated words',
      );
    }
  });

  it('loads a list of a few thousand entries', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBeGreaterThan(3000);
    for (const entry of list) {
      expect(entry, entry).toBe(entry.toLowerCase());
      expect(entry.length, entry).toBeGreaterThanOrEqual(12);
    }
  });
});
