import { eq, sql } from 'drizzle-orm';
import path from 'node:path';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { settings } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import { CERTIFICATE_MODE, PRIVATE_KEY_MODE, ensurePrivateDirectory, replaceFile } from '@/lib/pki/pki-files';
import { UploadedChainError, validateUploadedChain } from '@/lib/pki/validate-uploaded-chain';
import { parseInput } from '@/lib/validation';
import { notifyPkiEvent } from './certificate-events';
import { CONSOLE_TLS_SETTING, type ConsoleTlsSetting, uploadedTlsPaths } from './console-tls-files';

const MAX_PEM_LENGTH = 64 * 1024;

export const setConsoleTlsStrategyInput = z.discriminatedUnion('strategy', [
  z.object({ strategy: z.literal('internal') }).strict(),
  z
    .object({
      strategy: z.literal('uploaded'),
      certificateChain: z
        .string({ error: 'certificateChain: missing; paste the PEM chain, leaf first' })
        .min(1, { error: 'certificateChain: empty' })
        .max(MAX_PEM_LENGTH, { error: `certificateChain: longer than ${MAX_PEM_LENGTH} characters` }),
      privateKey: z
        .string({ error: 'privateKey: missing; paste the PEM private key' })
        .min(1, { error: 'privateKey: empty' })
        .max(MAX_PEM_LENGTH, { error: `privateKey: longer than ${MAX_PEM_LENGTH} characters` }),
    })
    .strict(),
]);

export type SetConsoleTlsStrategyInput = z.input<typeof setConsoleTlsStrategyInput>;

/**
 * Chooses the web listener's certificate: the one issued by the internal CA, or an
 * uploaded chain and key, validated by `validateUploadedChain` against the public URL.
 * An upload is written to `<configDir>/tls/uploaded.pem` and `uploaded.key` (0600)
 * before the setting changes; the setting, the audit row `settings.tls_strategy` (old
 * and new strategy, subject and fingerprint, never the key) and a notification commit
 * together, and every server process then loads the certificate without a restart.
 * Raises ValidationError naming the field for an invalid upload. Admin only.
 */
export async function setConsoleTlsStrategy(
  ctx: Context,
  input: SetConsoleTlsStrategyInput,
  server: { configDir: string; publicUrl: string },
): Promise<ConsoleTlsSetting> {
  assertAdmin(ctx);
  const request = parseInput(setConsoleTlsStrategyInput, input, 'console TLS setting');

  let next: ConsoleTlsSetting = { strategy: 'internal' };
  if (request.strategy === 'uploaded') {
    let validated;
    try {
      validated = validateUploadedChain({ chainPem: request.certificateChain, keyPem: request.privateKey, publicUrl: server.publicUrl });
    } catch (error) {
      if (error instanceof UploadedChainError) {
        throw new ValidationError(`${error.field}: ${error.message}`, { field: error.field, cause: error });
      }
      throw error;
    }

    const paths = uploadedTlsPaths(server.configDir);
    await ensurePrivateDirectory(path.dirname(paths.key));
    await replaceFile(paths.key, validated.keyPem, PRIVATE_KEY_MODE);
    await replaceFile(paths.chain, validated.fullChainPem, CERTIFICATE_MODE);
    next = {
      strategy: 'uploaded',
      subject: validated.subject,
      fingerprint: validated.fingerprint,
      notAfter: validated.notAfter.toISOString(),
    };
  }

  await ctx.db.transaction(async (tx) => {
    const [previous] = await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, CONSOLE_TLS_SETTING)).for('update');
    await tx
      .insert(settings)
      .values({ key: CONSOLE_TLS_SETTING, value: next })
      .onConflictDoUpdate({ target: settings.key, set: { value: next, updatedAt: sql`now()` } });

    await notifyPkiEvent(tx, { kind: 'tls-strategy' });
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'settings.tls_strategy',
      target: { kind: 'settings', id: CONSOLE_TLS_SETTING },
      details: { old: previous?.value ?? { strategy: 'internal' }, new: next },
    });
  });
  return next;
}
