'use server';

import { revalidatePath } from 'next/cache';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { createReenrollToken } from '@/lib/certificates/create-reenroll-token';
import { requestCertificateRenewal } from '@/lib/certificates/request-certificate-renewal';
import { revokeCertificate } from '@/lib/certificates/revoke-certificate';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { removeHost } from '@/lib/hosts/remove-host';
import { getRuntime } from '@/lib/runtime';
import { formatDateTime } from '@/components/format';

/** Result of one certificate action, shown beside the row that started it. */
export interface CertificateActionState {
  message?: string;
  error?: string;
  /** The re-enroll command, present only in the response that created its token. */
  enrollCommand?: string;
}

async function run(work: () => Promise<CertificateActionState>): Promise<CertificateActionState> {
  try {
    const state = await work();
    revalidatePath('/certificates');
    return state;
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}

/** Revokes a certificate with the reason chosen in the form. */
export async function revokeCertificateAction(_previous: CertificateActionState, formData: FormData): Promise<CertificateActionState> {
  return run(async () => {
    const ctx = await consoleContext();
    assertAdmin(ctx);
    const revoked = await revokeCertificate(ctx, {
      certificateId: String(formData.get('certificateId') ?? ''),
      reason: String(formData.get('reason') ?? '') as never,
    });
    return { message: `Revoked serial ${revoked.serial} (${revoked.reason}).` };
  });
}

/** Asks the host's agent to renew its certificate now. */
export async function renewCertificateAction(_previous: CertificateActionState, formData: FormData): Promise<CertificateActionState> {
  return run(async () => {
    const ctx = await consoleContext();
    assertAdmin(ctx);
    await requestCertificateRenewal(ctx, { hostId: String(formData.get('hostId') ?? '') });
    return { message: 'Renewal requested; a connected agent renews within seconds and the new certificate appears here.' };
  });
}

/** Creates a one-use enrollment token for the host and returns the command to run there. */
export async function reenrollAction(_previous: CertificateActionState, formData: FormData): Promise<CertificateActionState> {
  return run(async () => {
    const ctx = await consoleContext();
    assertAdmin(ctx);
    const runtime = getRuntime();
    const created = await createReenrollToken(ctx, { hostId: String(formData.get('hostId') ?? '') }, {
      enrollUrl: runtime.enrollUrl,
      caFingerprint: runtime.caFingerprint,
    });
    return { message: `Run this as root on the host before ${formatDateTime(created.expiresAt)}; the host keeps its id, groups and history:`, enrollCommand: created.enrollCommand };
  });
}

/** Removes the host and revokes its certificate. */
export async function removeHostAction(_previous: CertificateActionState, formData: FormData): Promise<CertificateActionState> {
  return run(async () => {
    const ctx = await consoleContext();
    assertAdmin(ctx);
    const removed = await removeHost(ctx, { hostId: String(formData.get('hostId') ?? '') });
    return { message: `Host removed; revoked ${removed.revokedSerials.length} certificate(s).` };
  });
}
