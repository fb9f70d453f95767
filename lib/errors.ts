/**
 * Defines the one error hierarchy of lib/. Each class carries a stable code and a message
 * that is safe to show to a client; `httpStatusFor` is the single status table.
 */
/*
 * server.ts runs lib/ under tsx while Next.js runs its own bundled copy, and an
 * error raised by one copy (a limiter or key store the server created) must still
 * pass `instanceof` checks in the other. The classes are therefore created once per
 * process and kept on globalThis.
 */
function defineErrorClasses() {
  abstract class AppError extends Error {
    abstract readonly code: string;

    /** The field the error is about, for input errors. */
    readonly field?: string;

    constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
      super(message, { cause: options.cause });
      this.field = options.field;
    }
  }

  /** Input failed validation; the message names the field and the fix. */
  class ValidationError extends AppError {
    readonly code = 'invalid_input';
  }

  /** The resource does not exist or is outside the actor's scope. */
  class NotFoundError extends AppError {
    readonly code = 'not_found';
  }

  /** The request conflicts with the current state, such as a finished job. */
  class ConflictError extends AppError {
    readonly code = 'conflict';
  }

  /** The caller is not authenticated or its credential is invalid. */
  class UnauthorizedError extends AppError {
    readonly code = 'unauthorized';
  }

  /** The caller is known but not allowed to do this. */
  class ForbiddenError extends AppError {
    readonly code = 'forbidden';
  }

  /** The request body is larger than the endpoint accepts. */
  class PayloadTooLargeError extends AppError {
    readonly code = 'payload_too_large';
  }

  /** The request body has a media type the endpoint does not read, such as text/plain where JSON is expected. */
  class UnsupportedMediaTypeError extends AppError {
    readonly code = 'unsupported_media_type';
  }

  /** Too many attempts; the caller should wait. */
  class RateLimitedError extends AppError {
    readonly code = 'rate_limited';
  }

  return { AppError, ValidationError, NotFoundError, ConflictError, UnauthorizedError, ForbiddenError, PayloadTooLargeError, UnsupportedMediaTypeError, RateLimitedError };
}

const ERRORS_KEY = Symbol.for('patch-manager.errors');
type ErrorClasses = ReturnType<typeof defineErrorClasses>;
const shared = ((globalThis as { [ERRORS_KEY]?: ErrorClasses })[ERRORS_KEY] ??= defineErrorClasses());

export const AppError = shared.AppError;
export type AppError = InstanceType<typeof shared.AppError>;
export const ValidationError = shared.ValidationError;
export type ValidationError = InstanceType<typeof shared.ValidationError>;
export const NotFoundError = shared.NotFoundError;
export type NotFoundError = InstanceType<typeof shared.NotFoundError>;
export const ConflictError = shared.ConflictError;
export type ConflictError = InstanceType<typeof shared.ConflictError>;
export const UnauthorizedError = shared.UnauthorizedError;
export type UnauthorizedError = InstanceType<typeof shared.UnauthorizedError>;
export const ForbiddenError = shared.ForbiddenError;
export type ForbiddenError = InstanceType<typeof shared.ForbiddenError>;
export const PayloadTooLargeError = shared.PayloadTooLargeError;
export type PayloadTooLargeError = InstanceType<typeof shared.PayloadTooLargeError>;
export const UnsupportedMediaTypeError = shared.UnsupportedMediaTypeError;
export type UnsupportedMediaTypeError = InstanceType<typeof shared.UnsupportedMediaTypeError>;
export const RateLimitedError = shared.RateLimitedError;
export type RateLimitedError = InstanceType<typeof shared.RateLimitedError>;

const STATUS: Record<string, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
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
