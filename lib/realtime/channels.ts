import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';

/** PostgreSQL NOTIFY channel for job events; payloads are JobEvent JSON. */
export const JOB_EVENTS_CHANNEL = 'pm_job_events';

export type JobEvent =
  // Hosts of the job were released (at creation or later); connected agents of those hosts get them now.
  | { kind: 'dispatch'; jobId: string }
  | { kind: 'output'; jobId: string }
  | { kind: 'host'; jobId: string; hostId: string }
  | { kind: 'job'; jobId: string }
  | { kind: 'cancel'; jobId: string };

type Executor = Pick<Database, 'execute'>;

/** Queues a job event; inside a transaction PostgreSQL delivers it at commit. */
export async function notifyJobEvent(db: Executor, event: JobEvent): Promise<void> {
  await db.execute(sql`select pg_notify(${JOB_EVENTS_CHANNEL}, ${JSON.stringify(event)})`);
}
