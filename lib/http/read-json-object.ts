import { ValidationError } from '@/lib/errors';
import { readJsonRequest } from './api';

/** Reads a JSON request body that must be an object, such as `{ "groupIds": [] }`, and raises ValidationError (400) for anything else. */
export async function readJsonObject(request: Request, maxBytes?: number): Promise<Record<string, unknown>> {
  const body = await readJsonRequest(request, maxBytes);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('body: expected a JSON object', { field: 'body' });
  }
  return body as Record<string, unknown>;
}
