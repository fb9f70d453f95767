import { ValidationError } from '@/lib/errors';

/** Reads a positive integer query parameter, or the fallback when absent. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new ValidationError(`${name}: expected a positive whole number`, { field: name });
  }
  return Number(raw);
}

/**
 * Rejects a query parameter the endpoint does not read, or one given twice
 * unless it is listed in `repeatable`, with a ValidationError naming it and the
 * parameters the endpoint accepts. A filter the endpoint lacks, such as
 * `status` on a list without that filter, is therefore reported and never
 * silently ignored. Values are checked by the endpoint's own parser.
 */
export function checkQueryParameters(query: URLSearchParams, allowed: readonly string[], options: { repeatable?: readonly string[] } = {}): void {
  const accepted = allowed.length === 0 ? 'this endpoint takes no query parameters' : `expected ${allowed.join(', ')}`;
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      throw new ValidationError(`${name}: unknown query parameter; ${accepted}`, { field: name });
    }
    if (seen.has(name) && !options.repeatable?.includes(name)) {
      throw new ValidationError(`${name}: given more than once; send it once`, { field: name });
    }
    seen.add(name);
  }
}

/**
 * Reads a list parameter given repeated (`group=a&group=b`), comma-separated
 * (`group=a,b`) or both, or undefined when absent. Entries are trimmed, and an
 * empty entry is kept so the endpoint's parser rejects it.
 */
export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  return values.flatMap((value) => value.split(',')).map((entry) => entry.trim());
}
