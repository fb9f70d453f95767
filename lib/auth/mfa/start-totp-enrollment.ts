import { isNull, sql } from 'drizzle-orm';
import { generateSecret, generateURI } from 'otplib';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { mfaTotp } from '@/lib/db/schema';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { FOREIGN_KEY_VIOLATION, postgresErrorCode, userIdField } from './shared';

export const startTotpEnrollmentInput = z
  .object({
    userId: userIdField,
    issuer: z
      .string()
      .trim()
      .min(1, { error: 'issuer: expected the product name shown in the authenticator app' })
      .max(64, { error: 'issuer: at most 64 characters' })
      .refine((value) => !value.includes(':'), { error: 'issuer: must not contain ":"' }),
    accountName: z
      .string()
      .trim()
      .min(1, { error: 'accountName: expected the username shown in the authenticator app' })
      .max(128, { error: 'accountName: at most 128 characters' }),
  })
  .strict();

export type StartTotpEnrollmentInput = z.input<typeof startTotpEnrollmentInput>;

export interface TotpEnrollment {
  /** Base32 secret of 160 bits, for manual entry in an authenticator app. */
  secret: string;
  /** `otpauth://totp/…` URI with the issuer and account name. */
  otpauthUrl: string;
  /** The URI as a QR code, a `data:image/png;base64,…` URL. */
  qrDataUrl: string;
}

/**
 * Creates a new TOTP secret for the user and stores it unconfirmed; it takes effect
 * only after `confirmTotpEnrollment`. A previous unconfirmed secret is replaced. A
 * confirmed secret is never replaced here (ConflictError), only after `resetMfa`.
 * The secret is returned to show it once; it must never be logged.
 */
export async function startTotpEnrollment(ctx: Context, input: StartTotpEnrollmentInput): Promise<TotpEnrollment> {
  const request = parseInput(startTotpEnrollmentInput, input, 'TOTP enrollment request');

  const secret = generateSecret({ length: 20 });

  let stored: { userId: string }[];
  try {
    // One statement, so a confirmation racing with this call either wins or is replaced, never half of each.
    stored = await ctx.db
      .insert(mfaTotp)
      .values({ userId: request.userId, secret })
      .onConflictDoUpdate({
        target: mfaTotp.userId,
        set: { secret, lastStep: null, createdAt: sql`now()` },
        setWhere: isNull(mfaTotp.confirmedAt),
      })
      .returning({ userId: mfaTotp.userId });
  } catch (error) {
    if (postgresErrorCode(error) === FOREIGN_KEY_VIOLATION) {
      throw new NotFoundError('user not found', { field: 'userId', cause: error });
    }
    throw error;
  }

  if (stored.length === 0) {
    throw new ConflictError('TOTP is already set up for this user; an administrator must reset MFA before a new secret can be enrolled');
  }

  const otpauthUrl = generateURI({ issuer: request.issuer, label: request.accountName, secret });
  const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', type: 'image/png' });

  return { secret, otpauthUrl, qrDataUrl };
}
