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
 * The walk uses an explicit stack, so nesting depth never exhausts the call stack.
 */
export function findUnstorableText(value: unknown): string | null {
  // Nearly every input is clean, so a walk that builds no paths checks it first.
  return hasUnstorableText(value) ? unstorablePath(value) : null;
}

/** True when any string (key or value) in the JSON value cannot be stored; allocates nothing per string. */
function hasUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === 'string') {
      if (!isStorableText(current)) return true;
    } else if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
    } else if (current !== null && typeof current === 'object') {
      for (const key in current) {
        if (!Object.hasOwn(current, key)) continue;
        if (!isStorableText(key)) return true;
        stack.push((current as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/** Returns the path of the first unstorable string in document order, or null. */
function unstorablePath(value: unknown): string | null {
  // A key is pushed as a string whose reported path ends in `(key)`. The stack
  // contains each level's entries reversed, so they are checked in document order.
  const stack: { value: unknown; path: string | null }[] = [{ value, path: null }];
  const join = (path: string | null, key: string) => (path === null ? key : `${path}.${key}`);

  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const current = entry.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return entry.path ?? '(value)';
      continue;
    }

    const children: { value: unknown; path: string }[] = [];
    if (Array.isArray(current)) {
      current.forEach((item: unknown, index) => children.push({ value: item, path: join(entry.path, String(index)) }));
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        children.push({ value: key, path: join(entry.path, '(key)') }, { value: item, path: join(entry.path, key) });
      }
    }
    for (let index = children.length - 1; index >= 0; index--) stack.push(children[index]!);
  }
  return null;
}

/** Escapes `\`, `%` and `_` so a user's text matches itself literally inside a LIKE or ILIKE pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
