import { and, count, desc, eq, ilike, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { certificates, hosts } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { escapeLike, isStorableText } from '@/lib/text';

/** One host certificate as the Certificates page lists it. */
export interface CertificateListItem {
  id: string;
  hostId: string;
  hostname: string;
  hostRemoved: boolean;
  serial: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  status: 'active' | 'revoked' | 'superseded';
  revokedAt: Date | null;
  revocationReason: string | null;
  createdAt: Date;
}

/** Largest page one call returns. */
export const MAX_LISTED_CERTIFICATES = 1000;

export const listCertificatesInput = z
  .object({
    search: z.string().trim().max(200, { error: 'search: at most 200 characters' }).refine(isStorableText, { error: 'search: contains a NUL character or invalid UTF-16; remove it' }).optional(),
    status: z.enum(['active', 'revoked', 'superseded'], { error: 'status: expected active, revoked or superseded' }).optional(),
    hostId: z.uuid({ error: 'hostId: expected a UUID' }).optional(),
    page: z.number({ error: 'page: expected a whole number' }).int({ error: 'page: expected a whole number' }).min(1, { error: 'page: expected 1 or more' }).default(1),
    pageSize: z
      .number({ error: `pageSize: expected 1 to ${MAX_LISTED_CERTIFICATES}` })
      .int({ error: `pageSize: expected 1 to ${MAX_LISTED_CERTIFICATES}` })
      .min(1, { error: `pageSize: expected 1 to ${MAX_LISTED_CERTIFICATES}` })
      .max(MAX_LISTED_CERTIFICATES, { error: `pageSize: expected 1 to ${MAX_LISTED_CERTIFICATES}` })
      .default(100),
  })
  .strict();

export type ListCertificatesInput = z.input<typeof listCertificatesInput>;


/**
 * Lists host certificates, newest first, one page at a time, with their host's
 * name and the number of certificates that match. `search` matches part of the
 * hostname, or the start of the serial or fingerprint (hex, colons ignored).
 * Superseded and revoked certificates stay listed because their serials appear in
 * the CRL. Admin only.
 */
export async function listCertificates(ctx: Context, input: ListCertificatesInput = {}): Promise<{ total: number; items: CertificateListItem[] }> {
  assertAdmin(ctx);
  const { search, status, hostId, page, pageSize } = parseInput(listCertificatesInput, input, 'certificate list request');

  const filters: SQL[] = [];
  if (search) {
    const hex = search.replaceAll(':', '').toLowerCase();
    const byHost = ilike(hosts.hostname, `%${escapeLike(search)}%`);
    filters.push(/^[0-9a-f]+$/.test(hex) ? or(byHost, ilike(certificates.serial, `${hex}%`), ilike(certificates.fingerprint, `${hex}%`))! : byHost);
  }
  if (status) {
    filters.push(eq(certificates.status, status));
  }
  if (hostId) {
    filters.push(eq(certificates.hostId, hostId));
  }
  const where = filters.length > 0 ? and(...filters) : undefined;

  const [totalRow] = await ctx.db.select({ total: count() }).from(certificates).innerJoin(hosts, eq(hosts.id, certificates.hostId)).where(where);
  const rows = await ctx.db
    .select({
      id: certificates.id,
      hostId: certificates.hostId,
      hostname: hosts.hostname,
      removedAt: hosts.removedAt,
      serial: certificates.serial,
      fingerprint: certificates.fingerprint,
      notBefore: certificates.notBefore,
      notAfter: certificates.notAfter,
      status: certificates.status,
      revokedAt: certificates.revokedAt,
      revocationReason: certificates.revocationReason,
      createdAt: certificates.createdAt,
    })
    .from(certificates)
    .innerJoin(hosts, eq(hosts.id, certificates.hostId))
    .where(where)
    .orderBy(desc(certificates.createdAt), desc(certificates.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);

  return {
    total: totalRow?.total ?? 0,
    items: rows.map(({ removedAt, status: rowStatus, ...row }) => ({
      ...row,
      hostRemoved: removedAt !== null,
      status: rowStatus as CertificateListItem['status'],
    })),
  };
}
