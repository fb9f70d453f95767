import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// The real server's response headers: every response keeps the console out of
// frames, and pages carry a script policy with a nonce that changes per response
// and sits on every script tag the page renders.

let database: TestDatabase;
let server: ServerProcess;
let admin: SignedIn;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin', username: 'header-admin' }));
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

function policyOf(response: JsonResponse): string {
  const value = response.headers['content-security-policy'];
  expect(typeof value, 'one Content-Security-Policy header').toBe('string');
  return value as string;
}

/** Returns the policy's directives by name. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0] !== '')
      .map(([name, ...values]) => [name!, values]),
  );
}

function nonceOf(policy: string): string {
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
  expect(nonce, `a nonce in ${policy}`).toBeDefined();
  return nonce!;
}

/** Returns the opening tag of every script element in the HTML. */
function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/g) ?? [];
}

function expectScriptsCarry(html: string, nonce: string): void {
  const tags = scriptTags(html);
  expect(tags.length).toBeGreaterThan(0);
  for (const tag of tags) {
    expect(tag).toContain(`nonce="${nonce}"`);
  }
}

describe('page responses', () => {
  it('limits sign-in page scripts to a nonce', async () => {
    const response = await requestJson(`${server.webUrl}/login`, { ca: server.caCertPem });
    expect(response.status).toBe(200);
    const policy = directives(policyOf(response));

    expect(policy.get('script-src')).toEqual([`'nonce-${nonceOf(policyOf(response))}'`, "'strict-dynamic'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
    expectScriptsCarry(response.text, nonceOf(policyOf(response)));
  });

  it('gives each page response its own nonce', async () => {
    const first = await requestJson(`${server.webUrl}/hosts`, { ca: server.caCertPem, cookie: admin.cookie });
    const second = await requestJson(`${server.webUrl}/hosts`, { ca: server.caCertPem, cookie: admin.cookie });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);

    const firstNonce = nonceOf(policyOf(first));
    const secondNonce = nonceOf(policyOf(second));
    expect(firstNonce).not.toBe(secondNonce);
    expect(Buffer.from(firstNonce, 'base64')).toHaveLength(16);
    expectScriptsCarry(first.text, firstNonce);
    expectScriptsCarry(second.text, secondNonce);
    expect(first.text).not.toContain(secondNonce);
  });

  // The request gate skips static files by path prefix. A path that only starts
  // like one must still pass the gate, because the base policy alone does not limit scripts.
  it.each(['/favicon.ico', '/favicon.ico/x', '/favicon-ico', '/_next/staticfiles/app.js', '/_next/images', '/no-such-page'])(
    'gives the not-found page %s a nonce',
    async (path) => {
      const response = await requestJson(`${server.webUrl}${path}`, { ca: server.caCertPem, cookie: admin.cookie });
      expect(response.status).toBe(404);
      const policy = policyOf(response);

      expect(directives(policy).get('script-src')).toEqual([`'nonce-${nonceOf(policy)}'`, "'strict-dynamic'"]);
      expectScriptsCarry(response.text, nonceOf(policy));
    },
  );

  it('denies framing and type sniffing', async () => {
    const response = await requestJson(`${server.webUrl}/login`, { ca: server.caCertPem });

    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['strict-transport-security']).toBe('max-age=31536000');
  });
});

describe('API responses', () => {
  it('keep the base policy', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/hosts`, { ca: server.caCertPem, authorization: admin.bearer });
    expect(response.status).toBe(200);
    const policy = policyOf(response);

    expect(policy).not.toContain('nonce-');
    expect(directives(policy).get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives(policy).get('object-src')).toEqual(["'none'"]);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });
});

describe('console icon', () => {
  it('is linked from the sign-in page and served without a session', async () => {
    const page = await requestJson(`${server.webUrl}/login`, { ca: server.caCertPem });
    const href = /<link rel="icon" href="(\/icon\.svg[^"]*)"/.exec(page.text)?.[1];
    expect(href).toBeDefined();

    const icon = await requestJson(`${server.webUrl}${href!.replaceAll('&amp;', '&')}`, { ca: server.caCertPem });
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.text).toContain('<svg');
  });
});
