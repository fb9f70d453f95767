import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteWebAuthnCredential } from '@/lib/auth/mfa/delete-webauthn-credential';
import { finishWebAuthnLogin } from '@/lib/auth/mfa/finish-webauthn-login';
import { finishWebAuthnRegistration } from '@/lib/auth/mfa/finish-webauthn-registration';
import { listWebAuthnCredentials } from '@/lib/auth/mfa/list-webauthn-credentials';
import { createMfaLimiter } from '@/lib/auth/mfa/mfa-limiter';
import { renameWebAuthnCredential } from '@/lib/auth/mfa/rename-webauthn-credential';
import { startWebAuthnLogin } from '@/lib/auth/mfa/start-webauthn-login';
import { startWebAuthnRegistration } from '@/lib/auth/mfa/start-webauthn-registration';
import { userMfaStatus } from '@/lib/auth/mfa/user-mfa-status';
import type { Context } from '@/lib/context';
import { ConflictError, NotFoundError, RateLimitedError, UnauthorizedError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { SoftAuthenticator, type CeremonyOptions } from '../helpers/soft-authenticator';

let database: TestDatabase;
let ctx: Context;

const rpId = 'patch.example.test';
const origin = 'https://patch.example.test';

async function createUser(): Promise<{ userId: string; username: string }> {
  const username = `user-${crypto.randomBytes(4).toString('hex')}`;
  const [row] = await database.sql<{ id: string }[]>`insert into users (username, role) values (${username}, 'operator') returning id`;
  return { userId: row!.id, username };
}

async function register(userId: string, authenticator = new SoftAuthenticator()): Promise<SoftAuthenticator> {
  const options = await startWebAuthnRegistration(ctx, { userId, username: 'someone', rpId, rpName: 'Patch Manager' });
  const response = authenticator.createCredential({ challenge: options.challenge, origin, rpId });
  await finishWebAuthnRegistration(ctx, { userId, response, expectedOrigin: origin, rpId, name: 'YubiKey' });
  return authenticator;
}

/** Awaits a rejection and returns the verifier's own message behind the UnauthorizedError. */
async function verifierMessage(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  return error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
}

async function storedCounter(credentialId: string): Promise<number> {
  const [row] = await database.sql<{ counter: string }[]>`select counter from webauthn_credentials where id = ${credentialId}`;
  return Number(row!.counter);
}

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { actor: { kind: 'console', address: '127.0.0.1' }, db: database.db };
});

afterAll(async () => {
  await database?.drop();
});

describe('WebAuthn registration', () => {
  it('options require user verification', async () => {
    const { userId, username } = await createUser();

    const options = await startWebAuthnRegistration(ctx, { userId, username, rpId, rpName: 'Patch Manager' });

    expect(options.rp).toEqual({ id: rpId, name: 'Patch Manager' });
    expect(options.user.name).toBe(username);
    expect(Buffer.from(options.user.id, 'base64url').toString('hex')).toBe(userId.replaceAll('-', ''));
    expect(options.authenticatorSelection).toMatchObject({ userVerification: 'required', residentKey: 'preferred' });
    expect(options.attestation).toBe('none');
    expect(options.excludeCredentials).toEqual([]);
    expect(Buffer.from(options.challenge, 'base64url').length).toBeGreaterThanOrEqual(32);

    const [challenge] = await database.sql<{ purpose: string; webauthn_challenge: string; ttl: number }[]>`
      select purpose, webauthn_challenge, extract(epoch from expires_at - now())::int as ttl
      from auth_challenges where user_id = ${userId}`;
    expect(challenge?.purpose).toBe('webauthn-register');
    expect(challenge?.webauthn_challenge).toBe(options.challenge);
    expect(challenge?.ttl).toBeGreaterThan(290);
    expect(challenge?.ttl).toBeLessThanOrEqual(300);
  });

  it('stores a verified credential', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    const credentials = await listWebAuthnCredentials(ctx, userId);

    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ id: authenticator.id, name: 'YubiKey', transports: ['usb'], backedUp: false, lastUsedAt: null });
    expect(Object.keys(credentials[0]!).sort()).toEqual(['backedUp', 'createdAt', 'id', 'lastUsedAt', 'name', 'transports']);
    const [row] = await database.sql<{ public_key: Buffer }[]>`select public_key from webauthn_credentials where id = ${authenticator.id}`;
    expect(row?.public_key.equals(authenticator.cosePublicKey())).toBe(true);
    expect(await userMfaStatus(ctx, userId)).toMatchObject({ webauthn: 1, enrolled: true });
  });

  it('excludes registered credentials', async () => {
    const { userId, username } = await createUser();
    const authenticator = await register(userId);

    const options = await startWebAuthnRegistration(ctx, { userId, username, rpId, rpName: 'Patch Manager' });

    expect(options.excludeCredentials).toEqual([{ id: authenticator.id, type: 'public-key', transports: ['usb'] }]);
  });

  it('rejects the same authenticator twice', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    await expect(register(userId, authenticator)).rejects.toThrow(ConflictError);
  });

  it('rejects a reused challenge', async () => {
    const { userId, username } = await createUser();
    const options = await startWebAuthnRegistration(ctx, { userId, username, rpId, rpName: 'Patch Manager' });
    const first = new SoftAuthenticator().createCredential({ challenge: options.challenge, origin, rpId });
    await finishWebAuthnRegistration(ctx, { userId, response: first, expectedOrigin: origin, rpId, name: 'first' });

    const second = new SoftAuthenticator().createCredential({ challenge: options.challenge, origin, rpId });

    await expect(finishWebAuthnRegistration(ctx, { userId, response: second, expectedOrigin: origin, rpId, name: 'second' })).rejects.toThrow(
      /challenge/,
    );
    expect(await listWebAuthnCredentials(ctx, userId)).toHaveLength(1);
  });

  const rejectedRegistrations: [string, Partial<CeremonyOptions>, RegExp][] = [
    ['without UV flag', { userVerified: false }, /user could not be verified/],
    ['from another origin', { origin: 'https://evil.example' }, /origin "https:\/\/evil.example"/],
    ['for another RP ID', { rpId: 'evil.example' }, /RP ID hash/],
    ['of type webauthn.get', { type: 'webauthn.get' }, /response type: webauthn.get/],
  ];

  for (const [label, overrides, reason] of rejectedRegistrations) {
    it(`rejects registration ${label}`, async () => {
      const { userId, username } = await createUser();
      const options = await startWebAuthnRegistration(ctx, { userId, username, rpId, rpName: 'Patch Manager' });
      const response = new SoftAuthenticator().createCredential({ challenge: options.challenge, origin, rpId, ...overrides });

      expect(await verifierMessage(finishWebAuthnRegistration(ctx, { userId, response, expectedOrigin: origin, rpId, name: '' }))).toMatch(
        reason,
      );

      expect(await listWebAuthnCredentials(ctx, userId)).toEqual([]);
      const [challenge] = await database.sql<{ consumed: boolean }[]>`
        select consumed_at is not null as consumed from auth_challenges where user_id = ${userId}`;
      expect(challenge?.consumed).toBe(true);
    });
  }

  it('rejects an expired challenge', async () => {
    const { userId, username } = await createUser();
    const options = await startWebAuthnRegistration(ctx, { userId, username, rpId, rpName: 'Patch Manager' });
    await database.sql`update auth_challenges set expires_at = now() - interval '1 second' where user_id = ${userId}`;

    const response = new SoftAuthenticator().createCredential({ challenge: options.challenge, origin, rpId });

    await expect(finishWebAuthnRegistration(ctx, { userId, response, expectedOrigin: origin, rpId, name: '' })).rejects.toThrow(
      /expired/,
    );
  });

  it("rejects another user's challenge", async () => {
    const alice = await createUser();
    const bob = await createUser();
    const options = await startWebAuthnRegistration(ctx, { ...alice, rpId, rpName: 'Patch Manager' });

    const response = new SoftAuthenticator().createCredential({ challenge: options.challenge, origin, rpId });

    await expect(finishWebAuthnRegistration(ctx, { userId: bob.userId, response, expectedOrigin: origin, rpId, name: '' })).rejects.toThrow(
      UnauthorizedError,
    );
    await finishWebAuthnRegistration(ctx, { userId: alice.userId, response, expectedOrigin: origin, rpId, name: '' });
  });
});

describe('WebAuthn sign-in', () => {
  async function signIn(userId: string, authenticator: SoftAuthenticator, overrides: Partial<CeremonyOptions> = {}) {
    const options = await startWebAuthnLogin(ctx, { userId, rpId });
    const response = authenticator.getAssertion({ challenge: options.challenge, origin, rpId, ...overrides });
    return finishWebAuthnLogin(ctx, { userId, response, expectedOrigin: origin, rpId });
  }

  it('options list the user credentials', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    const options = await startWebAuthnLogin(ctx, { userId, rpId });

    expect(options.rpId).toBe(rpId);
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials).toEqual([{ id: authenticator.id, type: 'public-key', transports: ['usb'] }]);
  });

  it('verifies an assertion and advances the counter', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    expect(await signIn(userId, authenticator)).toEqual({ credentialId: authenticator.id });
    expect(await storedCounter(authenticator.id)).toBe(1);
    expect(await signIn(userId, authenticator)).toEqual({ credentialId: authenticator.id });
    expect(await storedCounter(authenticator.id)).toBe(2);
    const [credential] = await listWebAuthnCredentials(ctx, userId);
    expect(credential?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('rejects an assertion without UV flag', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    expect(await verifierMessage(signIn(userId, authenticator, { userVerified: false }))).toMatch(/user could not be verified/);
    expect(await storedCounter(authenticator.id)).toBe(0);
  });

  it('rejects a counter that did not increase', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);
    await signIn(userId, authenticator, { counter: 5 });

    expect(await verifierMessage(signIn(userId, authenticator, { counter: 5 }))).toMatch(/counter value 5 was lower than expected 5/);
    expect(await verifierMessage(signIn(userId, authenticator, { counter: 4 }))).toMatch(/counter value 4 was lower than expected 5/);

    expect(await storedCounter(authenticator.id)).toBe(5);
    expect(await signIn(userId, authenticator, { counter: 6 })).toEqual({ credentialId: authenticator.id });
  });

  it('accepts an authenticator without counter', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    expect(await signIn(userId, authenticator, { counter: 0 })).toEqual({ credentialId: authenticator.id });
    expect(await signIn(userId, authenticator, { counter: 0 })).toEqual({ credentialId: authenticator.id });
  });

  it('rejects a reused challenge', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);
    const options = await startWebAuthnLogin(ctx, { userId, rpId });
    const first = authenticator.getAssertion({ challenge: options.challenge, origin, rpId });
    await finishWebAuthnLogin(ctx, { userId, response: first, expectedOrigin: origin, rpId });

    const second = authenticator.getAssertion({ challenge: options.challenge, origin, rpId });

    await expect(finishWebAuthnLogin(ctx, { userId, response: second, expectedOrigin: origin, rpId })).rejects.toThrow(/already used/);
    expect(await storedCounter(authenticator.id)).toBe(1);
  });

  it('parallel use of one challenge: exactly one passes', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);
    const options = await startWebAuthnLogin(ctx, { userId, rpId });
    const responses = Array.from({ length: 6 }, () => authenticator.getAssertion({ challenge: options.challenge, origin, rpId }));

    const results = await Promise.allSettled(
      responses.map((response) => finishWebAuthnLogin(ctx, { userId, response, expectedOrigin: origin, rpId })),
    );

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('rejects an assertion from another origin', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    expect(await verifierMessage(signIn(userId, authenticator, { origin: 'https://evil.example' }))).toMatch(/origin "https:\/\/evil.example"/);
    expect(await storedCounter(authenticator.id)).toBe(0);
  });

  it('rejects an assertion for another RP ID', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    expect(await verifierMessage(signIn(userId, authenticator, { rpId: 'evil.example' }))).toMatch(/RP ID hash/);
  });

  it("rejects another user's credential", async () => {
    const alice = await createUser();
    const bob = await createUser();
    await register(alice.userId);
    const bobsKey = await register(bob.userId);

    await expect(signIn(alice.userId, bobsKey)).rejects.toThrow(/not registered for this user/);
    expect(await storedCounter(bobsKey.id)).toBe(0);
  });

  it('rejects an unregistered authenticator', async () => {
    const { userId } = await createUser();
    await register(userId);

    await expect(signIn(userId, new SoftAuthenticator())).rejects.toThrow(/not registered for this user/);
  });

  it('rejects a signature by another key', async () => {
    const { userId } = await createUser();
    const registered = await register(userId);
    const options = await startWebAuthnLogin(ctx, { userId, rpId });
    const forged = { ...new SoftAuthenticator().getAssertion({ challenge: options.challenge, origin, rpId }), id: registered.id, rawId: registered.id };

    await expect(finishWebAuthnLogin(ctx, { userId, response: forged, expectedOrigin: origin, rpId })).rejects.toThrow(
      /could not be verified/,
    );
  });

  it('start without credentials is not found', async () => {
    const { userId } = await createUser();

    await expect(startWebAuthnLogin(ctx, { userId, rpId })).rejects.toThrow(NotFoundError);
  });

  it('failures are throttled', async () => {
    const limiter = await createMfaLimiter(database.sql, { maxFailuresPerUser: 2 });
    const { userId } = await createUser();
    const authenticator = await register(userId);
    const attempt = async (overrides: { userVerified?: boolean }) => {
      const options = await startWebAuthnLogin(ctx, { userId, rpId });
      const response = authenticator.getAssertion({ challenge: options.challenge, origin, rpId, ...overrides });
      return finishWebAuthnLogin(ctx, { userId, response, expectedOrigin: origin, rpId, clientAddress: '198.51.100.4' }, limiter);
    };
    await expect(attempt({ userVerified: false })).rejects.toThrow(UnauthorizedError);
    await expect(attempt({ userVerified: false })).rejects.toThrow(UnauthorizedError);

    await expect(attempt({})).rejects.toThrow(RateLimitedError);
  });
});

describe('WebAuthn credential management', () => {
  it('renames own credential', async () => {
    const { userId } = await createUser();
    const authenticator = await register(userId);

    await renameWebAuthnCredential(ctx, { userId, credentialId: authenticator.id, name: '  Desk key  ' });

    expect((await listWebAuthnCredentials(ctx, userId))[0]?.name).toBe('Desk key');
  });

  it("another user's credential is not found", async () => {
    const owner = await createUser();
    const outsider = await createUser();
    const authenticator = await register(owner.userId);

    await expect(renameWebAuthnCredential(ctx, { userId: outsider.userId, credentialId: authenticator.id, name: 'mine' })).rejects.toThrow(
      NotFoundError,
    );
    await expect(deleteWebAuthnCredential(ctx, { userId: outsider.userId, credentialId: authenticator.id })).rejects.toThrow(NotFoundError);

    expect(await listWebAuthnCredentials(ctx, owner.userId)).toMatchObject([{ id: authenticator.id, name: 'YubiKey' }]);
  });

  it('deletes own credential', async () => {
    const { userId } = await createUser();
    const kept = await register(userId);
    const removed = await register(userId);

    await deleteWebAuthnCredential(ctx, { userId, credentialId: removed.id });

    expect((await listWebAuthnCredentials(ctx, userId)).map((credential) => credential.id)).toEqual([kept.id]);
    await expect(deleteWebAuthnCredential(ctx, { userId, credentialId: removed.id })).rejects.toThrow(NotFoundError);
  });
});
