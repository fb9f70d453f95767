import { sql } from 'drizzle-orm';
import type { Transaction } from '@/lib/audit/write-audit';

/**
 * Locks a job row until the transaction ends. Writers that change a job's hosts and
 * then the job (results, reboots, cancel, the sweep) take this lock before any
 * job_hosts row, so they cannot wait on each other in opposite orders. Dispatch
 * changes host rows only and takes no job lock. Returns false when the job does not
 * exist.
 */
export async function lockJob(tx: Transaction, jobId: string): Promise<boolean> {
  const rows = await tx.execute(sql`select id from jobs where id = ${jobId}::uuid for update`);
  return rows.length > 0;
}
