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
