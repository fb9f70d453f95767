import { X509Certificate } from 'node:crypto';
import type { Sql } from '@/lib/db/client';
import { issueTestClient } from '@/lib/pki/issue-test-client';

/** Identity of one simulated agent: its host row and its client certificate from the server's CA. */
export interface SimAgentIdentity {
  index: number;
  hostId: string;
  hostname: string;
  certPem: string;
  keyPem: string;
}

const INSERT_BATCH = 2000;

/**
 * Creates `count` enrolled hosts without the enrollment endpoint. One INSERT adds the
 * host rows. Each host gets a P-256 key, a CSR and a certificate signed with
 * `signAgentCsr`, as enrollment signs them. One INSERT per 2,000 certificate rows then
 * stores them, so the agent listener finds each serial as the host's active certificate.
 */
export async function issueAgents(
  sql: Sql,
  options: { count: number; caCertPem: string; caKeyPem: string; concurrency?: number },
): Promise<SimAgentIdentity[]> {
  const rows = await sql<{ id: string; hostname: string }[]>`
    insert into hosts (hostname)
    select 'sim-' || lpad(g::text, 5, '0') from generate_series(1, ${options.count}) g
    returning id, hostname`;
  rows.sort((a, b) => (a.hostname < b.hostname ? -1 : 1));

  const agents: SimAgentIdentity[] = new Array(rows.length);
  const issued: { host_id: string; serial: string; fingerprint: string; not_before: string; not_after: string; pem: string }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index]!;
      const client = await issueTestClient({ caCertPem: options.caCertPem, caKeyPem: options.caKeyPem, hostId: row.id, validityDays: 30 });
      agents[index] = { index, hostId: row.id, hostname: row.hostname, certPem: client.certPem, keyPem: client.keyPem };
      const certificate = new X509Certificate(client.certPem);
      const notBefore = new Date(certificate.validFrom).toISOString();
      const notAfter = new Date(certificate.validTo).toISOString();
      issued.push({ host_id: row.id, serial: client.serial, fingerprint: client.fingerprint, not_before: notBefore, not_after: notAfter, pem: client.certPem });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));

  for (let start = 0; start < issued.length; start += INSERT_BATCH) {
    const batch = JSON.stringify(issued.slice(start, start + INSERT_BATCH));
    await sql`
      insert into certificates (host_id, serial, fingerprint, not_before, not_after, pem)
      select host_id, serial, fingerprint, not_before, not_after, pem
      from jsonb_to_recordset(${batch}::jsonb)
        as x(host_id uuid, serial text, fingerprint text, not_before timestamptz, not_after timestamptz, pem text)`;
  }
  return agents;
}
