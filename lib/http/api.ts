import { anonymousContext, consoleContext } from '@/lib/console-context';
import type { Context } from '@/lib/context';
import type { UserContext } from '@/lib/console-context';
import { errorBody, httpStatusFor, PayloadTooLargeError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { parseJsonBody, requireJsonContentType } from './parse-json-body';

/** Largest JSON body the console API accepts, in bytes. */
export const MAX_API_BODY_BYTES = 1024 * 1024;

/**
 * Reads a JSON body with a size limit: 415 for another content type, 413 when
 * larger, 400 when not UTF-8, not JSON or nested too deep (see parseJsonBody).
 */
export async function readJsonRequest(request: Request, maxBytes = MAX_API_BODY_BYTES): Promise<unknown> {
  requireJsonContentType(request.headers.get('content-type'));
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    throw new PayloadTooLargeError(`request body larger than ${maxBytes} bytes`);
  }

  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(`request body larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }

  return parseJsonBody(Buffer.concat(chunks));
}

/** Maps an error to a JSON response; unknown errors are logged and get a generic 500. */
export function errorResponse(error: unknown): Response {
  const status = httpStatusFor(error);
  if (status === 500) {
    getRuntime().log.error({ err: error }, 'API request failed');
  }
  const headers = new Headers({ 'cache-control': 'no-store' });
  const retryAfter = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (status === 429 && typeof retryAfter === 'number') {
    headers.set('retry-after', String(retryAfter));
  }
  return Response.json(errorBody(error), { status, headers });
}

/**
 * Wraps a route handler: authenticates the caller (401 without a valid access
 * token), runs the handler and turns a thrown AppError into its JSON error response.
 */
export function apiRoute<P>(
  handler: (request: Request, ctx: UserContext, params: P) => Promise<Response>,
): (request: Request, route: { params: Promise<P> }) => Promise<Response> {
  return async (request, route) => {
    try {
      const ctx = await consoleContext();
      return await handler(request, ctx, await route.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * Wraps a route handler that runs before sign-in (sign-in steps, first-run setup,
 * host enrollment): the context's actor is the client address only.
 */
export function publicApiRoute<P>(
  handler: (request: Request, ctx: Context, params: P) => Promise<Response>,
): (request: Request, route: { params: Promise<P> }) => Promise<Response> {
  return async (request, route) => {
    try {
      const ctx = await anonymousContext();
      return await handler(request, ctx, await route.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
