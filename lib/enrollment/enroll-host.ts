import { parseInput } from '@/lib/validation';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { notifyRevocation } from '@/lib/certificates/certificate-events';
import { certificates, enrollmentTokens, hostGroupMembers, hosts } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { UnauthorizedError, ValidationError } from '@/lib/errors';
import type { RevocationUrls } from '@/lib/pki/revocation-urls';
import { CsrRejectedError, signAgentCsr } from '@/lib/pki/sign-agent-csr';
import { writeAudit } from '@/lib/audit/write-audit';
import { hashEnrollmentToken } from './token';

export const enrollHostInput = z
  .object({
    token: z
      .string({ error: 'token: missing; pass the enrollment token from the console' })
      .min(10, { error: 'token: too short to be an enrollment token; copy the whole token' })
      .max(200, { error: 'token: too long to be an enrollment token; copy the token alone' }),
    csr: z
      .string({ error: 'csr: missing; send a PEM certificate signing request' })
      .max(16_384, { error: 'csr: larger than 16 KiB' })
      .refine((value) => value.includes('-----BEGIN CERTIFICATE REQUEST-----'), {
        error: 'csr: expected a PEM certificate signing request',
      }),
    hostname: z
      .string({ error: 'hostname: missing' })
      .min(1, { error: 'hostname: empty' })
      .max(253, { error: 'hostname: longer than 253 characters' })
      .regex(/^[A-Za-z0-9._-]+$/, { error: 'hostname: only letters, digits, dot, hyphen and underscore are allowed' }),
  })
  .strict();

export type EnrollHostInput = z.infer<typeof enrollHostInput>;

export interface EnrollmentResult {
  hostId: string;
  certificatePem: string;
  caCertificatePem: string;
  serial: string;
  fingerprint: string;
  notAfter: Date;
}

/**
 * Consumes one use of an enrollment token and issues the host's client
 * certificate in one transaction, so a rejected CSR leaves the token unused.
 * Invalid, expired, revoked and used-up tokens get the same answer, so the
 * endpoint does not tell an attacker which tokens exist.
 *
 * A token of the Re-enroll action names its host: the host keeps its id, groups
 * and history, takes the reported hostname, and its active certificates are
 * superseded (listed in the CRL, their channels closed). A token bound to a group
 * adds a new host to that group.
 */
export async function enrollHost(
  ctx: Context,
  input: unknown,
  ca: { caCertPem: string; caKeyPem: string; validityDays: number; revocationUrls?: RevocationUrls },
): Promise<EnrollmentResult> {
  const { token, csr, hostname } = parseInput(enrollHostInput, input, 'enrollment request');

  return ctx.db.transaction(async (tx) => {
    const [used] = await tx
      .update(enrollmentTokens)
      .set({ uses: sql`${enrollmentTokens.uses} + 1`, lastUsedAt: new Date() })
      .where(
        and(
          eq(enrollmentTokens.tokenHash, hashEnrollmentToken(token)),
          isNull(enrollmentTokens.revokedAt),
          gt(enrollmentTokens.expiresAt, new Date()),
          lt(enrollmentTokens.uses, enrollmentTokens.maxUses),
        ),
      )
      .returning({ id: enrollmentTokens.id, hostId: enrollmentTokens.hostId, groupId: enrollmentTokens.groupId });

    const invalidToken = () =>
      new UnauthorizedError('enrollment token is invalid, expired or used up; create a new one in the console or with `patch-manager token create`', {
        field: 'token',
      });
    if (!used) {
      throw invalidToken();
    }

    let hostId: string;
    let supersededSerials: string[] = [];
    let previousHostname: string | null = null;
    if (used.hostId !== null) {
      // The host may have been removed since the token was created; the token is then rejected like a revoked one.
      const [host] = await tx
        .select({ id: hosts.id, hostname: hosts.hostname })
        .from(hosts)
        .where(and(eq(hosts.id, used.hostId), isNull(hosts.removedAt)))
        .for('update');
      if (!host) {
        throw invalidToken();
      }
      await tx.update(hosts).set({ hostname }).where(eq(hosts.id, host.id));
      hostId = host.id;
      previousHostname = host.hostname;
      const superseded = await tx
        .update(certificates)
        .set({ status: 'superseded', revokedAt: sql`now()`, revocationReason: 'superseded' })
        .where(and(eq(certificates.hostId, hostId), eq(certificates.status, 'active')))
        .returning({ serial: certificates.serial });
      supersededSerials = superseded.map((row) => row.serial);
    } else {
      const [host] = await tx.insert(hosts).values({ hostname }).returning({ id: hosts.id });
      hostId = host!.id;
      if (used.groupId !== null) {
        await tx.insert(hostGroupMembers).values({ groupId: used.groupId, hostId });
      }
    }

    let issued;
    try {
      issued = await signAgentCsr({
        caCertPem: ca.caCertPem,
        caKeyPem: ca.caKeyPem,
        csrPem: csr,
        hostId,
        validityDays: ca.validityDays,
        revocationUrls: ca.revocationUrls,
      });
    } catch (error) {
      if (error instanceof CsrRejectedError) {
        throw new ValidationError(`csr: ${error.message}`, { field: 'csr', cause: error });
      }
      throw error;
    }

    const [certificate] = await tx
      .insert(certificates)
      .values({
        hostId,
        serial: issued.serial,
        fingerprint: issued.fingerprint,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        pem: issued.certPem,
      })
      .returning({ id: certificates.id });

    const reenrolled = used.hostId !== null;
    // The audit rows name the token that admitted the host, with the caller's address.
    const actor = { kind: 'enrollment' as const, tokenId: used.id, address: 'address' in ctx.actor ? ctx.actor.address : 'unknown' };
    if (reenrolled) {
      if (supersededSerials.length > 0) {
        await notifyRevocation(tx, { kind: 'revoked', serials: supersededSerials, reason: 'superseded' });
      }
    } else {
      await writeAudit(tx, {
        actor,
        action: 'host.enroll',
        target: { kind: 'host', id: hostId },
        details: {
          hostname,
          enrollmentTokenId: used.id,
          groupId: used.groupId,
          certificateSerial: issued.serial,
          certificateFingerprint: issued.fingerprint,
          notAfter: issued.notAfter.toISOString(),
        },
      });
    }
    // Auditors filter certificate operations by action, so the issue gets its own row.
    await writeAudit(tx, {
      actor,
      action: 'certificate.issue',
      target: { kind: 'certificate', id: certificate!.id },
      details: {
        hostId,
        hostname,
        method: reenrolled ? 're-enroll' : 'enrollment',
        enrollmentTokenId: used.id,
        ...(reenrolled ? { previousHostname, supersededSerials } : {}),
        serial: issued.serial,
        fingerprint: issued.fingerprint,
        notAfter: issued.notAfter.toISOString(),
      },
    });

    return {
      hostId,
      certificatePem: issued.certPem,
      caCertificatePem: ca.caCertPem,
      serial: issued.serial,
      fingerprint: issued.fingerprint,
      notAfter: issued.notAfter,
    };
  });
}
