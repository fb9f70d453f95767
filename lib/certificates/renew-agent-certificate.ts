import { createPublicKey, X509Certificate } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { certificates, hosts } from '@/lib/db/schema';
import { UnauthorizedError, ValidationError } from '@/lib/errors';
import type { RevocationUrls } from '@/lib/pki/revocation-urls';
import { CsrRejectedError, MAX_CSR_PEM_LENGTH, signAgentCsr } from '@/lib/pki/sign-agent-csr';
import { parseInput } from '@/lib/validation';
import { notifyRevocation } from './certificate-events';

export const renewCertificateInput = z
  .object({
    csr: z
      .string({ error: 'csr: missing; send a PEM certificate signing request' })
      .max(MAX_CSR_PEM_LENGTH, { error: `csr: larger than ${MAX_CSR_PEM_LENGTH} characters` }),
  })
  .strict();

/** The agent's identity as the mTLS handshake and the database check established it. */
export interface RenewingAgent {
  hostId: string;
  /** Canonical serial of the certificate the request came with. */
  serial: string;
  /** DER of that certificate; its public key is compared with the CSR's to insist on a new key pair. */
  certificateDer: Buffer;
}

/**
 * Issues a new certificate to an agent from a CSR with a new key pair, authenticated
 * by the agent's current certificate, which must still be active and belong to a host
 * that is not removed. One transaction locks it, signs the new certificate for the
 * same host id and stores it as active. It marks the old one `superseded`, which puts
 * it in the CRL with reason superseded and refuses it from the commit on. It also
 * writes `certificate.renew` and notifies every server process.
 *
 * Raises UnauthorizedError when the current certificate is no longer active (a
 * concurrent renewal or revocation) and ValidationError for a bad CSR or one that
 * reuses the current key.
 *
 * NOTE: when the response is lost after the commit, the agent keeps only the
 * superseded certificate and must be enrolled again.
 */
export async function renewAgentCertificate(
  ctx: Context,
  agent: RenewingAgent,
  input: unknown,
  ca: { caCertPem: string; readCaKey: () => Promise<string>; validityDays: number; revocationUrls: RevocationUrls },
): Promise<{ certificatePem: string; serial: string; fingerprint: string; notAfter: Date }> {
  const { csr } = parseInput(renewCertificateInput, input, 'renewal request');

  return ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ id: certificates.id })
      .from(certificates)
      .innerJoin(hosts, eq(hosts.id, certificates.hostId))
      .where(
        and(
          eq(certificates.serial, agent.serial),
          eq(certificates.hostId, agent.hostId),
          eq(certificates.status, 'active'),
          isNull(hosts.removedAt),
        ),
      )
      .for('update', { of: certificates });
    if (!current) {
      throw new UnauthorizedError('the client certificate is no longer active; enroll the host again');
    }

    let issued;
    try {
      issued = await signAgentCsr({
        caCertPem: ca.caCertPem,
        caKeyPem: await ca.readCaKey(),
        csrPem: csr,
        hostId: agent.hostId,
        validityDays: ca.validityDays,
        revocationUrls: ca.revocationUrls,
      });
    } catch (error) {
      if (error instanceof CsrRejectedError) {
        throw new ValidationError(`csr: ${error.message}`, { field: 'csr', cause: error });
      }
      throw error;
    }

    const newKey = createPublicKey(issued.certPem).export({ type: 'spki', format: 'der' });
    const currentKey = new X509Certificate(agent.certificateDer).publicKey.export({ type: 'spki', format: 'der' });
    if (newKey.equals(currentKey)) {
      throw new ValidationError('csr: renewal requires a new key pair, but the CSR carries the current key', { field: 'csr' });
    }

    await tx
      .update(certificates)
      .set({ status: 'superseded', revokedAt: sql`now()`, revocationReason: 'superseded' })
      .where(eq(certificates.id, current.id));
    const [created] = await tx
      .insert(certificates)
      .values({
        hostId: agent.hostId,
        serial: issued.serial,
        fingerprint: issued.fingerprint,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        pem: issued.certPem,
      })
      .returning({ id: certificates.id });

    await notifyRevocation(tx, { kind: 'revoked', serials: [agent.serial], reason: 'superseded' });
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'certificate.renew',
      target: { kind: 'certificate', id: created!.id },
      details: {
        hostId: agent.hostId,
        previousSerial: agent.serial,
        serial: issued.serial,
        fingerprint: issued.fingerprint,
        notAfter: issued.notAfter.toISOString(),
      },
    });

    return { certificatePem: issued.certPem, serial: issued.serial, fingerprint: issued.fingerprint, notAfter: issued.notAfter };
  });
}
