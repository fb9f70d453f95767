/** Backdating of notBefore on every issued certificate, to tolerate clock skew between hosts. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Returns the validity window of a new certificate: notBefore is `now` minus the clock
 * skew allowance, and notAfter lies `days` days after notBefore. Both are truncated to
 * whole seconds because X.509 times carry no fractions, so the returned dates equal the
 * ones read back from the certificate.
 */
export function validityWindow(days: number, now: Date = new Date()): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor((now.getTime() - CLOCK_SKEW_MS) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
  return { notBefore, notAfter };
}
