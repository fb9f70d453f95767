import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Certificate revocation lists signed by the internal CA, newest by `number`. Every
 * server process serves and loads the newest row, so only the process that signs a
 * new CRL needs the CA key. `revokedDigest` is the SHA-256 over the sorted revoked
 * serials the list contains, so a process can tell whether the newest list is current
 * without signing again.
 */
export const certificateRevocationLists = pgTable('certificate_revocation_lists', {
  number: bigint('number', { mode: 'number' }).primaryKey(),
  thisUpdate: timestamp('this_update', { withTimezone: true }).notNull(),
  nextUpdate: timestamp('next_update', { withTimezone: true }).notNull(),
  revokedDigest: text('revoked_digest').notNull(),
  derBase64: text('der_base64').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
