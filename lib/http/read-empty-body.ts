import { ValidationError } from '@/lib/errors';
import { parseJsonBody, requireJsonContentType } from './parse-json-body';

/** Largest body an endpoint without input reads before it rejects the request. `{}` with some whitespace fits. */
const MAX_EMPTY_BODY_BYTES = 256;

const NO_BODY_MESSAGE = 'body: this endpoint takes no body; send an empty body or {}';

/**
 * Checks the body of an endpoint that takes no input, such as a POST that
 * only triggers an action. An empty body or the JSON object `{}` passes. A body
 * with another content type raises UnsupportedMediaTypeError (415); any other
 * JSON body, or more than a few hundred bytes, raises ValidationError (400).
 * Call it before the endpoint acts, so a malformed request changes nothing.
 */
export async function readEmptyBody(request: Request): Promise<void> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > 0) {
    requireJsonContentType(request.headers.get('content-type'));
  }
  if (declared > MAX_EMPTY_BODY_BYTES) {
    await request.body?.cancel();
    throw new ValidationError(NO_BODY_MESSAGE, { field: 'body' });
  }

  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_EMPTY_BODY_BYTES) {
      await reader.cancel();
      requireJsonContentType(request.headers.get('content-type'));
      throw new ValidationError(NO_BODY_MESSAGE, { field: 'body' });
    }
    chunks.push(value);
  }
  if (size === 0) return;

  requireJsonContentType(request.headers.get('content-type'));
  const body = parseJsonBody(Buffer.concat(chunks));
  const isEmptyObject = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
  if (!isEmptyObject) {
    throw new ValidationError(NO_BODY_MESSAGE, { field: 'body' });
  }
}
