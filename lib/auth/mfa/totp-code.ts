import { generate, verify, type HashAlgorithm } from 'otplib';

/** Length of a TOTP step in seconds (RFC 6238 default, used by every common authenticator app). */
export const TOTP_PERIOD_SECONDS = 30;

/** Digits of a console TOTP code. */
export const TOTP_DIGITS = 6;

/**
 * Accepted clock drift in seconds on either side of `now`. With 30-second steps this
 * accepts exactly the steps t-1, t and t+1.
 */
const TOTP_TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

const TOTP_CODE_PATTERN = /^\d{6}$/;

export interface OtpParameters {
  algorithm?: HashAlgorithm;
  digits?: number;
}

/**
 * Computes the HOTP value (RFC 4226) of `secret` at `counter`. A string secret is
 * Base32, a byte array is the raw key. SHA-1 and 6 digits unless given.
 */
export async function hotpAt(secret: string | Uint8Array, counter: number, parameters: OtpParameters = {}): Promise<string> {
  return generate({
    strategy: 'hotp',
    secret,
    counter,
    algorithm: parameters.algorithm ?? 'sha1',
    digits: parameters.digits ?? TOTP_DIGITS,
  });
}

/**
 * Computes the TOTP value (RFC 6238, T0 = 0, 30-second steps) of `secret` at `time`.
 * A string secret is Base32, a byte array is the raw key. SHA-1 and 6 digits unless given.
 */
export async function totpAt(secret: string | Uint8Array, time: Date, parameters: OtpParameters = {}): Promise<string> {
  return generate({
    secret,
    epoch: Math.floor(time.getTime() / 1000),
    period: TOTP_PERIOD_SECONDS,
    algorithm: parameters.algorithm ?? 'sha1',
    digits: parameters.digits ?? TOTP_DIGITS,
  });
}

/** Returns the TOTP time step that contains `time`. */
export function totpStep(time: Date): number {
  return Math.floor(time.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * Finds the time step among t-1, t and t+1 around `now` at which `code` is the
 * SHA-1, 6-digit TOTP of the Base32 `secret`. Returns null when none matches.
 * Spaces in the code are ignored; otplib compares the codes in constant time.
 */
export async function matchTotpStep(secret: string, code: string, now: Date): Promise<number | null> {
  const digits = code.replace(/\s+/g, '');
  if (!TOTP_CODE_PATTERN.test(digits)) {
    return null;
  }

  const result = await verify({
    secret,
    token: digits,
    epoch: Math.floor(now.getTime() / 1000),
    period: TOTP_PERIOD_SECONDS,
    epochTolerance: TOTP_TOLERANCE_SECONDS,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
  });

  // The result type covers HOTP too; a TOTP match always carries its time step.
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
