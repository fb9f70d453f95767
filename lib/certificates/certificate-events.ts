import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';

/** NOTIFY channel for revocations and new CRLs; payloads are RevocationEvent JSON. */
export const REVOCATIONS_CHANNEL = 'pm_revocations';
/** NOTIFY channel for certificate requests to agents and console TLS changes; payloads are PkiEvent JSON. */
export const PKI_EVENTS_CHANNEL = 'pm_pki_events';

/**
 * `revoked`: certificates were revoked or superseded; their channels must close and the
 * CRL must be rebuilt. `crl`: a new CRL was stored, to be loaded by every listener.
 */
export type RevocationEvent =
  | { kind: 'revoked'; serials: string[]; reason: string }
  | { kind: 'crl'; number: number };

/**
 * `renew-request`: ask the host's agent, wherever its channel is open, to renew now.
 * `tls-strategy`: the console certificate changed and the web listener must reload it.
 */
export type PkiEvent = { kind: 'renew-request'; hostId: string } | { kind: 'tls-strategy' };

type Executor = Pick<Database, 'execute'>;

/** Queues a revocation event; inside a transaction PostgreSQL delivers it at commit. */
export async function notifyRevocation(db: Executor, event: RevocationEvent): Promise<void> {
  await db.execute(sql`select pg_notify(${REVOCATIONS_CHANNEL}, ${JSON.stringify(event)})`);
}

/** Queues a PKI event; inside a transaction PostgreSQL delivers it at commit. */
export async function notifyPkiEvent(db: Executor, event: PkiEvent): Promise<void> {
  await db.execute(sql`select pg_notify(${PKI_EVENTS_CHANNEL}, ${JSON.stringify(event)})`);
}
