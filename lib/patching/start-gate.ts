import type { Transaction } from '@/lib/audit/write-audit';

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
 * minute). Today every candidate may start.
 */
export async function selectHostsAllowedToStart(input: StartGateInput): Promise<string[]> {
  return input.candidates.map((candidate) => candidate.hostId);
}
