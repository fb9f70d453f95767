import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors';

/** The outcome of a console form's server action: a message for the person, and the field it concerns. */
export interface FormResult {
  ok?: string;
  error?: string;
  /** The input field an error is about, when lib/ named one. */
  field?: string;
}

/**
 * Runs a server action's lib/ call and turns the errors a person can act on
 * (invalid input, not found, conflict, forbidden) into a FormResult with the
 * message lib/ wrote. Any other error propagates to the error page.
 */
export async function formResult(run: () => Promise<unknown>, success: string): Promise<FormResult> {
  try {
    await run();
    return { ok: success };
  } catch (error) {
    if (error instanceof ValidationError || error instanceof NotFoundError || error instanceof ConflictError || error instanceof ForbiddenError) {
      return { error: error.message, ...(error.field ? { field: error.field } : {}) };
    }
    throw error;
  }
}
