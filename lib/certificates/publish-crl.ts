import { createHash } from 'node:crypto';
import { and, desc, gt, inArray, sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { certificateRevocationLists, certificates } from '@/lib/db/schema';
import { buildCrl, type CrlEntry } from '@/lib/pki/build-crl';
import { revocationReasonCode } from '@/lib/pki/revocation-reasons';
import { CLOCK_SKEW_MS } from '@/lib/pki/validity';

/** Time from thisUpdate to nextUpdate of every CRL. */
export const CRL_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;
/** A CRL whose nextUpdate is closer than this is replaced even when nothing was revoked. */
export const CRL_REFRESH_BEFORE_MS = 4 * 24 * 60 * 60 * 1000;

/** Advisory lock key that serialises CRL signing across every process. */
const CRL_LOCK = 7_301_301;

/** A stored CRL. */
export interface StoredCrl {
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Buffer;
}

/**
 * Signs and stores a new CRL with the next CRL number unless the newest stored one is
 * current. Current means it lists exactly the revoked or superseded certificates that
 * have not expired, and its nextUpdate is more than four days away. Processes take an
 * advisory lock, so concurrent callers after one revocation sign one CRL between them.
 * `readCaKey` is called only when a CRL must be signed.
 *
 * @returns the newest CRL and whether this call created it.
 */
export async function publishCrl(options: {
  db: Database;
  caCertPem: string;
  readCaKey: () => Promise<string>;
  now?: Date;
}): Promise<{ crl: StoredCrl; created: boolean }> {
  return options.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CRL_LOCK})`);
    const now = options.now ?? new Date();

    const rows = await tx
      .select({ serial: certificates.serial, revokedAt: certificates.revokedAt, reason: certificates.revocationReason })
      .from(certificates)
      .where(and(inArray(certificates.status, ['revoked', 'superseded']), gt(certificates.notAfter, now)))
      .orderBy(certificates.serial);
    const entries: CrlEntry[] = rows.map((row) => ({
      serial: row.serial,
      revokedAt: row.revokedAt ?? now,
      reasonCode: revocationReasonCode(row.reason),
    }));
    const digest = createHash('sha256')
      .update(entries.map((entry) => `${entry.serial}:${entry.reasonCode}`).join('\n'))
      .digest('hex');

    const [latest] = await tx
      .select()
      .from(certificateRevocationLists)
      .orderBy(desc(certificateRevocationLists.number))
      .limit(1);
    if (latest && latest.revokedDigest === digest && latest.nextUpdate.getTime() - now.getTime() > CRL_REFRESH_BEFORE_MS) {
      return { crl: toStoredCrl(latest), created: false };
    }

    // thisUpdate is backdated like notBefore, so a relying party whose clock is a little behind accepts the list.
    const thisUpdate = new Date(Math.floor((now.getTime() - CLOCK_SKEW_MS) / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + CRL_VALIDITY_MS);
    const number = (latest?.number ?? 0) + 1;
    const { der } = await buildCrl({
      caCertPem: options.caCertPem,
      caKeyPem: await options.readCaKey(),
      number,
      thisUpdate,
      nextUpdate,
      entries,
    });

    await tx.insert(certificateRevocationLists).values({
      number,
      thisUpdate,
      nextUpdate,
      revokedDigest: digest,
      derBase64: der.toString('base64'),
    });
    return { crl: { number, thisUpdate, nextUpdate, der }, created: true };
  });
}

/** Returns the newest stored CRL, or null before the first one was published. */
export async function latestCrl(db: Database): Promise<StoredCrl | null> {
  const [row] = await db.select().from(certificateRevocationLists).orderBy(desc(certificateRevocationLists.number)).limit(1);
  return row ? toStoredCrl(row) : null;
}

/** Converts a CRL's DER to PEM. */
export function crlPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN X509 CRL-----\n${lines.join('\n')}\n-----END X509 CRL-----\n`;
}

function toStoredCrl(row: typeof certificateRevocationLists.$inferSelect): StoredCrl {
  return { number: row.number, thisUpdate: row.thisUpdate, nextUpdate: row.nextUpdate, der: Buffer.from(row.derBase64, 'base64') };
}
