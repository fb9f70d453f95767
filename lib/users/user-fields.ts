import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '@/lib/auth/password-policy';

/**
 * A username as stored: lower case, 1 to 64 characters of letters, digits, '.', '_'
 * and '-', starting with a letter or digit. Input is trimmed and lower-cased first,
 * so usernames are case-insensitive.
 */
export const usernameField = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    error: 'username: expected 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

/** A new password before the policy check; `checkPasswordPolicy` applies the length and list rules. */
export const newPasswordField = z.string().max(PASSWORD_MAX_LENGTH, { error: `password: at most ${PASSWORD_MAX_LENGTH} characters` });

/** A console role. */
export const roleField = z.enum(['admin', 'operator'], { error: 'role: expected admin or operator' });

/** A user id in a path or body. */
export const userIdParam = z.uuid({ error: 'userId: expected a user id (UUID)' });
