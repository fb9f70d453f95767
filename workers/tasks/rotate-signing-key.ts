import { rotateSigningKey, rotationDue } from '@/lib/auth/signing-keys';
import type { Logger } from '@/lib/log';

/**
 * Rotates the access token signing key once the active key is 90 days old. Runs
 * daily; server processes pick up the new key through their key store within
 * about a second, and the old key keeps verifying for 24 hours.
 */
export async function runRotateSigningKey(configDir: string, log: Logger): Promise<void> {
  if (!(await rotationDue(configDir))) {
    return;
  }
  const { kid, retiredKid } = await rotateSigningKey(configDir);
  log.info({ kid, retiredKid }, 'rotated the access token signing key');
}
