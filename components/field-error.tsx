'use client';

/** Renders the error of one form field, or nothing when it has none; the id lets an input point at it with `aria-describedby`. */
export function FieldError<Field extends string>({ errors, field }: { errors: Partial<Record<Field, string>>; field: Field }) {
  const message = errors[field];
  if (!message) {
    return null;
  }
  return (
    <p id={`${field}-error`} className="text-sm text-destructive" data-testid={`error-${field}`}>
      {message}
    </p>
  );
}
