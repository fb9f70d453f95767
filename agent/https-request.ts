import https from 'node:https';
import { isIP } from 'node:net';

/** TLS settings for one request; the agent speaks TLS 1.3 only, like every listener of the server. */
export interface HttpsTlsOptions {
  /** CA certificates that the server certificate must chain to. */
  ca?: string;
  cert?: string;
  key?: string;
  /**
   * False only for the one request that fetches the CA certificate before it is
   * pinned; its fingerprint is then checked by the caller.
   */
  rejectUnauthorized: boolean;
}

export interface HttpsRequestOptions {
  url: URL;
  method: 'GET' | 'POST';
  /** JSON-serialisable request body, sent with `content-type: application/json`. */
  json?: unknown;
  tls: HttpsTlsOptions;
  timeoutMs: number;
  /** Request bodies larger than this are not sent; the promise rejects instead. */
  maxRequestBytes?: number;
  /** Response bodies larger than this fail the request. */
  maxResponseBytes: number;
}

export interface HttpsResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Sends one HTTPS request without connection reuse and returns the status and the
 * body as text. With `rejectUnauthorized` true, Node checks the chain against `ca`
 * and the certificate's names against the URL's host. Rejects on a network or TLS
 * error, on timeout and on an oversized response.
 */
export function httpsRequest(options: HttpsRequestOptions): Promise<HttpsResponse> {
  const body = options.json === undefined ? undefined : Buffer.from(JSON.stringify(options.json), 'utf8');
  const hostname = options.url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (body && options.maxRequestBytes !== undefined && body.length > options.maxRequestBytes) {
    return Promise.reject(new Error(`request body of ${body.length} bytes exceeds the limit of ${options.maxRequestBytes} bytes for ${options.url.pathname}`));
  }

  return new Promise((resolve, reject) => {
    const request = https.request(
      options.url,
      {
        method: options.method,
        agent: false,
        minVersion: 'TLSv1.3',
        ca: options.tls.ca,
        cert: options.tls.cert,
        key: options.tls.key,
        rejectUnauthorized: options.tls.rejectUnauthorized,
        // SNI carries DNS names only; for an IP address Node checks the IP SANs without it.
        servername: isIP(hostname) === 0 ? hostname : undefined,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': String(body.length), accept: 'application/json' }
          : { accept: '*/*' },
        timeout: options.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let received = 0;

        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > options.maxResponseBytes) {
            request.destroy(new Error(`response from ${options.url.origin} is larger than ${options.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );

    request.on('timeout', () => request.destroy(new Error(`request to ${options.url.origin} timed out after ${options.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Returns the server's error message from an `{ error: { code, message, field? } }`
 * body, or a short excerpt of the body when it has another shape.
 */
export function serverErrorMessage(response: HttpsResponse): string {
  try {
    const parsed = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
    const error = parsed.error;
    if (error && typeof error.message === 'string') {
      const code = typeof error.code === 'string' ? `${error.code}: ` : '';
      const field = typeof error.field === 'string' ? ` (field ${error.field})` : '';
      return `${code}${error.message}${field}`;
    }
  } catch {
    // Not JSON; fall through to the excerpt.
  }

  const excerpt = response.body.trim().slice(0, 200);
  return excerpt === '' ? 'no error message in the response' : excerpt;
}
