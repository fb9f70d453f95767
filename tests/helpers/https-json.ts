import https from 'node:https';

/** A Bearer access token with its session binding secret, which API clients send together. */
export interface BoundBearer {
  /** The Authorization header value, `Bearer <access token>`. */
  authorization: string;
  /** The session's binding secret, sent as the X-PM-Binding header. */
  binding: string;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/**
 * Sends an HTTPS request to a test server and parses a JSON answer. The CA is
 * pinned when given; `cert`/`key` present a client certificate.
 */
export function requestJson(
  url: string,
  options: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    /** Sent as the Authorization header, such as `Bearer <access token>`; a BoundBearer also sends X-PM-Binding. */
    authorization?: string | BoundBearer;
    /** Sent as the Cookie header. */
    cookie?: string;
    ca?: string;
    cert?: string;
    key?: string;
  } = {},
): Promise<JsonResponse> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        rejectUnauthorized: options.ca !== undefined,
        // A fresh connection per request, so a socket the server closed after an error is never reused.
        agent: false,
        headers: {
          // Content-Length, because Node sends a DELETE body neither chunked nor with a length unless the request sets one.
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...authorizationHeaders(options.authorization),
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            body = null;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function authorizationHeaders(authorization: string | BoundBearer | undefined): Record<string, string> {
  if (!authorization) return {};
  if (typeof authorization === 'string') return { authorization };
  return { authorization: authorization.authorization, 'x-pm-binding': authorization.binding };
}
