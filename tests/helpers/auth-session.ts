import crypto from 'node:crypto';
import { generateSecret } from 'otplib';
import { hashPassword } from '@/lib/auth/hash-password';
import { totpAt, totpStep } from '@/lib/auth/mfa/totp-code';
import type { Database } from '@/lib/db/client';
import { mfaTotp, users } from '@/lib/db/schema';
import { requestJson, type BoundBearer, type JsonResponse } from './https-json';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  totpSecret: string;
}

/**
 * Inserts an enabled user with an Argon2id password hash and a confirmed TOTP
 * secret, so it can sign in through the real API at once.
 */
export async function createTestUser(db: Database, options: { role: 'admin' | 'operator'; username?: string }): Promise<TestUser> {
  const username = options.username ?? `${options.role}-${crypto.randomBytes(4).toString('hex')}`;
  const password = `test password ${crypto.randomBytes(9).toString('base64url')}`;
  const totpSecret = generateSecret({ length: 20 });
  const [row] = await db
    .insert(users)
    .values({ username, role: options.role, passwordHash: await hashPassword(password), passwordChangedAt: new Date() })
    .returning({ id: users.id });
  await db.insert(mfaTotp).values({ userId: row!.id, secret: totpSecret, confirmedAt: new Date() });
  return { id: row!.id, username, password, totpSecret };
}

/** Time steps already used per secret, because the server rejects a replayed step. */
const usedSteps = new Map<string, number>();

/**
 * Returns a TOTP code for a step the server has not seen for this secret. The
 * server accepts t-1, t and t+1 once each. Only t and t+1 are used: a code for
 * t-1 fails when the request reaches the server after the next step began,
 * which happens on a loaded machine. Two sign-ins fit in one 30-second step, and
 * a third waits for the next step.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  for (;;) {
    const now = new Date();
    const current = totpStep(now);
    const step = Math.max((usedSteps.get(secret) ?? -Infinity) + 1, current);
    if (step <= current + 1) {
      usedSteps.set(secret, step);
      return totpAt(secret, new Date(step * 30_000));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Cookies a response sets, by name; a cleared cookie has the value ''. */
export function setCookies(response: JsonResponse): Map<string, string> {
  const cookies = new Map<string, string>();
  const header = response.headers['set-cookie'];
  const lines = header === undefined ? [] : [header].flat();
  for (const line of lines) {
    const [pair] = line.split(';');
    const index = pair!.indexOf('=');
    cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
  }
  return cookies;
}

export interface SignedIn {
  /** Cookie header with the access token and the binding cookie, for console pages and the API. */
  cookie: string;
  /** The Authorization header with the binding secret, for requestJson's `authorization` option. */
  bearer: BoundBearer;
  accessToken: string;
  refreshToken: string;
  /** The session's binding secret from the `pm_bind` cookie. */
  binding: string;
}

/** Builds the SignedIn credentials from the cookies a completed sign-in sets. */
export function signedInFrom(cookies: Map<string, string>): SignedIn {
  const accessToken = cookies.get('pm_access') ?? '';
  const binding = cookies.get('pm_bind') ?? '';
  return {
    cookie: `pm_access=${accessToken}; pm_bind=${binding}`,
    bearer: { authorization: `Bearer ${accessToken}`, binding },
    accessToken,
    refreshToken: cookies.get('pm_refresh') ?? '',
    binding,
  };
}

/** Signs in through the real API with the password and a TOTP code, as the browser does. */
export async function signIn(
  server: { webUrl: string; caCertPem: string },
  user: { username: string; password: string; totpSecret: string },
): Promise<SignedIn> {
  const login = await requestJson(`${server.webUrl}/api/v1/auth/login`, {
    body: { username: user.username, password: user.password },
    ca: server.caCertPem,
  });
  if (login.status !== 200) {
    throw new Error(`sign-in of ${user.username} failed at the password step: ${login.status} ${login.text}`);
  }
  const challenge = setCookies(login).get('pm_mfa');

  const verified = await requestJson(`${server.webUrl}/api/v1/auth/mfa/totp`, {
    body: { code: await freshTotpCode(user.totpSecret) },
    cookie: `pm_mfa=${challenge}`,
    ca: server.caCertPem,
  });
  if (verified.status !== 200) {
    throw new Error(`sign-in of ${user.username} failed at the TOTP step: ${verified.status} ${verified.text}`);
  }
  return signedInFrom(setCookies(verified));
}

/** Returns the session cookies for a Playwright browser context: the access token and its binding cookie. */
export function browserSessionCookies(session: SignedIn, webUrl: string) {
  const cookie = { url: webUrl, httpOnly: true, secure: true, sameSite: 'Strict' as const };
  return [
    { name: 'pm_access', value: session.accessToken, ...cookie },
    { name: 'pm_bind', value: session.binding, ...cookie },
  ];
}
