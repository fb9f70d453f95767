import { UnsupportedMediaTypeError, ValidationError } from '@/lib/errors';

/**
 * Deepest nesting of arrays and objects a request body may have. Real requests
 * nest a few levels, and the limit keeps every later walk over the value short.
 */
export const MAX_JSON_DEPTH = 64;

/** Raises UnsupportedMediaTypeError (415) unless the Content-Type header names application/json. */
export function requireJsonContentType(header: string | null | undefined): void {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new UnsupportedMediaTypeError('content-type: expected application/json', { field: 'content-type' });
  }
}

/**
 * Decodes and parses a request body. This is the one parse step of both body
 * readers (console API and agent listener), so every JSON body is checked here.
 * Raises ValidationError naming `body` when the bytes are not valid UTF-8, not
 * JSON, or nested deeper than MAX_JSON_DEPTH.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError('body: not valid UTF-8', { field: 'body' });
  }

  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('body: malformed JSON', { field: 'body' });
  }

  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ValidationError(`body: nested deeper than ${MAX_JSON_DEPTH} levels; send a flat JSON object`, { field: 'body' });
  }
  return value;
}

/**
 * Returns the nesting depth of a parsed JSON value (a scalar is 0, `[]` is 1),
 * stopping as soon as it passes `limit`. Uses an explicit stack, not recursion.
 */
export function jsonDepth(value: unknown, limit = Infinity): number {
  // Two parallel stacks instead of an object per entry: a 1,500-package inventory has about 1,500 containers.
  const values: unknown[] = [value];
  const depths: number[] = [0];
  let deepest = 0;
  while (values.length > 0) {
    const current = values.pop();
    const parentDepth = depths.pop()!;
    if (current === null || typeof current !== 'object') continue;

    const depth = parentDepth + 1;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return deepest;
    }
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      // Scalars add no depth, so only containers go on the stack.
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth);
      }
    }
  }
  return deepest;
}
