/**
 * The one error hierarchy of lib/. Each class carries a stable code and a message
 * that is safe to show to a client; `httpStatusFor` is the single status table.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;

  /** The field the error is about, for input errors. */
  readonly field?: string;

  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = options.field;
  }
}

/** Input failed validation; the message names the field and the fix. */
export class ValidationError extends AppError {
  readonly code = 'invalid_input';
}

/** The resource does not exist or is outside the actor's scope. */
export class NotFoundError extends AppError {
  readonly code = 'not_found';
}

/** The request conflicts with the current state, such as a finished job. */
export class ConflictError extends AppError {
  readonly code = 'conflict';
}

/** The caller is not authenticated or its credential is invalid. */
export class UnauthorizedError extends AppError {
  readonly code = 'unauthorized';
}

/** The caller is known but not allowed to do this. */
export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
}

/** The request body is larger than the endpoint accepts. */
export class PayloadTooLargeError extends AppError {
  readonly code = 'payload_too_large';
}

/** Too many attempts; the caller should wait. */
export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
}

const STATUS: Record<string, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
};

/** Maps an error to its HTTP status; anything that is not an AppError is a 500. */
export function httpStatusFor(error: unknown): number {
  if (error instanceof AppError) {
    return STATUS[error.code] ?? 500;
  }
  return 500;
}

/** The JSON body sent for an error; unknown errors never leak their message. */
export function errorBody(error: unknown): { error: { code: string; message: string; field?: string } } {
  if (error instanceof AppError) {
    return { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
  }
  return { error: { code: 'internal', message: 'internal server error' } };
}

/** Every code of the hierarchy, so a test can prove each has a status. */
export const ERROR_CODES = Object.keys(STATUS);
