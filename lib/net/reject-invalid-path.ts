import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@/lib/log';

/**
 * Returns true when every percent-escape in the path of a request target
 * decodes to valid UTF-8 (`%ff`, `%zz` and a lone `%` do not). The query string
 * is not checked, because URLSearchParams decodes it leniently.
 */
export function hasValidPathEncoding(target: string): boolean {
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends 400 for a request whose path has an invalid percent-escape and returns
 * true, or returns false and sends nothing. Next.js 16 decodes dynamic route
 * segments before any route handler runs and turns a decode failure into a
 * plain-text 500, so the web listener calls this before Next.js. API paths get
 * the API's JSON error body, and pages get a plain-text page.
 */
export function rejectInvalidPath(req: IncomingMessage, res: ServerResponse, log: Logger, address: string): boolean {
  const target = req.url ?? '/';
  if (hasValidPathEncoding(target)) return false;

  const path = target.split('?')[0]!.slice(0, 200);
  log.info({ address, method: req.method, path }, 'rejected request with invalid percent-encoding in the path');
  if (target.startsWith('/api/')) {
    const body = JSON.stringify({ error: { code: 'invalid_input', message: 'path: invalid percent-encoding', field: 'path' } });
    res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    return true;
  }
  const body = 'Bad Request: the path contains invalid percent-encoding\n';
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
  return true;
}
