/**
 * Helpers for text that reaches PostgreSQL, whose `text` type cannot hold NUL
 * and whose UTF-8 encoding cannot hold a lone UTF-16 surrogate.
 */

/** True when the string can be stored as PostgreSQL text unchanged. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/** Replaces NUL and lone surrogates with U+FFFD, keeping everything else. */
export function toStorableText(value: string): string {
  return value.replace(/\u0000/g, '\uFFFD').toWellFormed();
}

/** Returns a copy of a JSON value with every string made storable. */
export function toStorableJson<T>(value: T): T {
  if (typeof value === 'string') {
    return toStorableText(value) as T;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => toStorableJson(item)) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [toStorableText(key), toStorableJson(item)])) as T;
  }
  return value;
}

/**
 * Finds the first string (key or value) that cannot be stored, and returns its
 * path, for example `packages.3.name`; null when every string can be stored.
 */
export function findUnstorableText(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') {
    return isStorableText(value) ? null : path.join('.') || '(value)';
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, String(index)]);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, '(key)'].join('.');
      const found = findUnstorableText(item, [...path, key]);
      if (found !== null) return found;
    }
  }
  return null;
}
