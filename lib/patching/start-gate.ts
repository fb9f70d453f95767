import type { Transaction } from '@/lib/audit/write-audit';
import { listHostStartPermissions } from '@/lib/maintenance/list-host-start-permissions';

/** A held host of a job that the orchestrator would release now. */
export interface StartCandidate {
  hostId: string;
  wave: number;
}

export interface StartGateInput {
  db: Transaction;
  job: { id: string; createdAt: Date; deadlineAt: Date };
  /** Candidates in release order; the orchestrator takes allowed hosts from the front up to its free capacity. */
  candidates: StartCandidate[];
  now: Date;
}

/**
 * Decides which hosts may start now, and is the one place that decision is made. It
 * runs inside the orchestrator's transaction while the job row is locked, and returns
 * the allowed host ids in the candidates' order. A host it leaves out stays held and is
 * asked again on the next advance (after a host result or the worker sweep, once a
 * minute).
 *
 * Maintenance windows: a host in a group with windows starts only while one of its
 * groups' windows is open. After the window closes the job starts no further host of
 * that group. Those hosts wait for the next window, and the worker's sweep times them
 * out at the job's deadline. Hosts in no group with windows start at any time.
 */
export async function selectHostsAllowedToStart(input: StartGateInput): Promise<string[]> {
  if (input.candidates.length === 0) return [];
  const permissions = await listHostStartPermissions(input.db, {
    hostIds: input.candidates.map((candidate) => candidate.hostId),
    now: input.now,
  });
  const allowed = new Set(permissions.filter((permission) => permission.mayStart).map((permission) => permission.hostId));
  return input.candidates.map((candidate) => candidate.hostId).filter((hostId) => allowed.has(hostId.toLowerCase()));
}
