import { z } from 'zod';
import { ValidationError } from '@/lib/errors';
import { findUnstorableText } from '@/lib/text';

/**
 * Parses input with a zod schema and raises a ValidationError for the first
 * issue, naming its field. Strings PostgreSQL cannot store (NUL, lone
 * surrogates) are rejected first. Unknown keys are reported by name, so a client sees
 * which field to remove.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const unstorable = findUnstorableText(input);
  if (unstorable !== null) {
    return raise(
      new ValidationError(`${unstorable}: contains a NUL character or invalid UTF-16; remove it`, { field: unstorable }),
    );
  }

  const parsed = schema.safeParse(input);
  if (parsed.success) {
    return parsed.data;
  }

  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const names = issue.keys.map((key) => (path ? `${path}.${key}` : key));
    return raise(new ValidationError(`unknown field ${names.join(', ')}; remove it`, { field: names[0] }));
  }
  const message = issue?.message ?? `invalid ${what}`;
  // Messages written for a field already start with its name, or its name and an index such as `list[2]:`; others get it prefixed.
  const root = path.split('.')[0];
  const named = message.startsWith(`${root}:`) || message.startsWith(`${root}[`);
  const text = path && !named ? `${path}: ${message}` : message;
  return raise(new ValidationError(text, { field: path || undefined }));
}

function raise(error: Error): never {
  throw error;
}

/** Parses an optional whole number typed into a form's text box: empty means "not set", and anything but digits fails with `message`. */
export function optionalWholeNumber(message: string) {
  return z
    .string()
    .trim()
    .regex(/^\d*$/, { error: message })
    .transform((value) => (value === '' ? undefined : Number(value)));
}
