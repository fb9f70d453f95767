import { z } from 'zod';

/** A user id as the operations of this folder take it. */
export const userIdField = z.uuid({ error: 'userId: expected a user id (UUID)' });

/** An optional client address, used only as a rate-limit key. */
export const clientAddressField = z
  .string()
  .trim()
  .min(1, { error: 'clientAddress: expected an IP address' })
  .max(64, { error: 'clientAddress: at most 64 characters' })
  .optional();

/**
 * Returns the SQLSTATE of a PostgreSQL error, looking through the `cause` chain
 * because drizzle wraps the driver's error.
 */
export function postgresErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      return code;
    }
    current = current.cause;
  }
  return undefined;
}

/** SQLSTATE of a foreign-key violation, such as a user id that does not exist. */
export const FOREIGN_KEY_VIOLATION = '23503';

/** SQLSTATE of a unique-constraint violation. */
export const UNIQUE_VIOLATION = '23505';
