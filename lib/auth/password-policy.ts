import { ValidationError } from '@/lib/errors';
import { loadCommonPasswords } from './common-passwords';

/** Minimum password length in characters (Unicode code points, after NFKC). */
export const PASSWORD_MIN_LENGTH = 12;

/** Maximum password length in characters; bounds the work one hash request can cause. */
export const PASSWORD_MAX_LENGTH = 1024;

/** Usernames shorter than this are only compared for equality, not searched for inside the password. */
const MIN_USERNAME_LENGTH_FOR_CONTAINS = 3;

/**
 * Rejects a new password that is too short, too long, equal to or containing the
 * username (case-insensitive), or on the bundled list of common passwords. The checks
 * run in that order and the first failure raises a ValidationError with field
 * `password` and a message that names the fix. Composition rules (digits, symbols)
 * are deliberately absent: length and the list do more and annoy less.
 */
export function checkPasswordPolicy(password: string, options: { username: string }): void {
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;

  if (length > PASSWORD_MAX_LENGTH) {
    throw policyError(`password: longer than ${PASSWORD_MAX_LENGTH} characters; choose a shorter password`);
  }

  if (length < PASSWORD_MIN_LENGTH) {
    throw policyError(
      `password: shorter than ${PASSWORD_MIN_LENGTH} characters; choose a longer one, such as a phrase of several words`,
    );
  }

  const lower = normalized.toLowerCase();
  const username = options.username.normalize('NFKC').toLowerCase();
  if (username !== '' && lower === username) {
    throw policyError('password: equal to the username; choose a password unrelated to the username');
  }

  if (username.length >= MIN_USERNAME_LENGTH_FOR_CONTAINS && lower.includes(username)) {
    throw policyError('password: contains the username; choose a password that does not include it');
  }

  if (loadCommonPasswords().has(lower)) {
    throw policyError(
      'password: on the list of common passwords; choose a less predictable one, such as several unrelated words',
    );
  }
}

function policyError(message: string): ValidationError {
  return new ValidationError(message, { field: 'password' });
}
