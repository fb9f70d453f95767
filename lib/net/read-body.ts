import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, ValidationError } from '@/lib/errors';

/**
 * Reads a JSON request body of at most `maxBytes`. A declared or actual size
 * over the limit raises PayloadTooLargeError before the rest is read; a body
 * that is not JSON raises ValidationError.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) {
    req.resume();
    throw new PayloadTooLargeError(`request body larger than ${maxBytes} bytes`);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new ValidationError('content-type: expected application/json', { field: 'content-type' });
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

  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ValidationError('body: malformed JSON', { field: 'body' });
  }
}
