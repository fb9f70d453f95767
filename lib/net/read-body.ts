import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from '@/lib/errors';
import { parseJsonBody, requireJsonContentType } from '@/lib/http/parse-json-body';

/**
 * Reads a JSON request body of at most `maxBytes`. A declared or actual size
 * over the limit raises PayloadTooLargeError before the rest is read, another
 * content type raises UnsupportedMediaTypeError, and a body that is not UTF-8,
 * not JSON or nested too deep raises ValidationError (see parseJsonBody).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) {
    req.resume();
    throw new PayloadTooLargeError(`request body larger than ${maxBytes} bytes`);
  }
  try {
    requireJsonContentType(req.headers['content-type']);
  } catch (error) {
    req.resume();
    throw error;
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      req.resume();
      throw new PayloadTooLargeError(`request body larger than ${maxBytes} bytes`);
    }
    chunks.push(buffer);
  }

  return parseJsonBody(Buffer.concat(chunks));
}
