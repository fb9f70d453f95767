import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import type { CustomFetch } from 'openid-client';

/**
 * Environment variable naming a PEM file of extra CA certificates that the
 * OpenID Provider's TLS certificate may chain to, besides Node's built-in roots.
 * It exists for a provider on a private network or a test provider on loopback;
 * it never affects other outgoing connections.
 */
export const EXTRA_CA_ENV = 'PM_OIDC_EXTRA_CA_FILE';

/** Largest response body accepted from the provider, in bytes; discovery documents and JWKS are a few kilobytes. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

let trustedCas: string[] | undefined | null = null;

/**
 * Returns the CA list for provider connections: undefined (Node's roots) without
 * the environment variable, else the roots plus the file's certificates. The file
 * is read once per process, on first use, and a missing or unreadable file raises.
 */
function providerCas(): string[] | undefined {
  if (trustedCas === null) {
    const file = process.env[EXTRA_CA_ENV];
    if (!file) {
      trustedCas = undefined;
    } else {
      const pem = fs.readFileSync(file, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
        throw new Error(`${EXTRA_CA_ENV}: ${file} contains no PEM certificate`);
      }
      trustedCas = [...tls.rootCertificates, pem];
    }
  }
  return trustedCas;
}

function requestBody(body: unknown): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('OpenID Provider request: unsupported body type');
}

/**
 * A fetch for openid-client that sends requests over node:https with the provider
 * CA list, because Node 20's built-in fetch takes no CA option. It refuses plain
 * HTTP, follows no redirects and reads at most 1 MiB of a response.
 */
export const oidcFetch: CustomFetch = (url, options) =>
  new Promise<Response>((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') {
      reject(new TypeError(`OpenID Provider request to ${target.origin}: only https:// is allowed`));
      return;
    }

    const request = https.request(
      target,
      { method: options.method, headers: options.headers, ca: providerCas(), signal: options.signal, minVersion: 'TLSv1.2' },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            response.destroy(new Error(`OpenID Provider response from ${target.origin} is larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined) continue;
            for (const item of [value].flat()) headers.append(name, item);
          }
          const status = response.statusCode ?? 502;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers }));
        });
      },
    );
    request.on('error', reject);
    request.end(requestBody(options.body));
  });
