import type { FailureClassification } from '../types';
import { classifyDnfFailure, unreachableRepository, type DnfRun } from './classify-failure';
import { parseDnfCheckUpdate, type DnfCheckUpdate } from './parse-check-update';

/** check-update's exit status when it lists updates; 0 means none, 1 an error. */
export const CHECK_UPDATE_UPDATES_AVAILABLE = 100;

export interface DnfCheckUpdateRun extends Partial<Omit<DnfCheckUpdate, 'updates'>> {
  exitCode: number | null;
  /** The listed updates, or null when the run failed (a partial list is never used). */
  updates: DnfCheckUpdate['updates'] | null;
  failure: FailureClassification | null;
  /** Repository id of an unreachable-repository failure, else null. */
  repository: string | null;
}

/**
 * Interprets one `dnf check-update` or `yum check-update` run with its own exit
 * table: 100 means updates are listed and 0 means none, so both are parsed. Any
 * other status is a failure, and the output is not read as a list even when part
 * of one was printed. A status of 0 with rows (tdnf does that) still yields them.
 */
export function interpretDnfCheckUpdate(run: DnfRun): DnfCheckUpdateRun {
  const succeeded = !run.timedOut && (run.exitCode === 0 || run.exitCode === CHECK_UPDATE_UPDATES_AVAILABLE);
  if (succeeded) {
    return { exitCode: run.exitCode, ...parseDnfCheckUpdate(run.stdout), failure: null, repository: null };
  }

  const failure = classifyDnfFailure(run);
  const repository = failure?.cause === 'repository-unreachable' ? unreachableRepository(`${run.stderr}\n${run.stdout}`) : null;
  return { exitCode: run.exitCode, updates: null, failure, repository };
}
