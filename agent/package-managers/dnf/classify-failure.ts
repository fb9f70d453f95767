import type { FailureClassification } from '../types';

/** Exit status and output of one dnf or yum run. */
export interface DnfRun {
  /** Exit status, or null when a signal ended the process. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when the agent stopped the run because it exceeded its timeout. */
  timedOut: boolean;
}

/** dnf4 waits for the rpm lock and prints this once; yum prints `State  : Sleeping, pid: 1234`. */
const LOCK_WAIT = /Waiting for process with pid (\d+) to finish|Another app is currently holding the yum lock|Failed to obtain rpm transaction lock/;
const LOCK_PID = /(?:with pid|, pid:) (\d+)/;
const LOCK_HOLDER = /The other application is: (\S+)/;
const NO_SPACE = /No space left on device|At least \d+\s*[KMG]?B? more space needed|Disk Requirements:/;
const REPOSITORY_UNREACHABLE =
  /Failed to download metadata for repo '([^']+)'|Cannot find a valid baseurl for repo: (\S+)|Cannot download repomd\.xml|Curl error \(\d+\)|Could not resolve host|Errors during downloading metadata for repository '([^']+)'/;

/**
 * Reads why a dnf or yum run failed from its exit status and both output streams.
 * Returns null for exit status 0; callers map `check-update`'s 100 (updates
 * available) to success before calling, because 100 is no error there.
 *
 * The checks run in a fixed order: lock held, timeout, no space, unreachable
 * repository, then `unknown` with the last `Error:` line. The lock check comes first
 * also after a timeout, because dnf4 waits for the lock without limit and only the
 * agent's timeout ends the wait. `retriable` is true for a lock, a timeout and a network fault.
 */
export function classifyDnfFailure(run: DnfRun): FailureClassification | null {
  if (run.exitCode === 0 && !run.timedOut) return null;

  const output = `${run.stderr}\n${run.stdout}`;

  if (LOCK_WAIT.test(output)) {
    const holderPid = LOCK_PID.exec(output);
    const pid = holderPid === null ? null : Number(holderPid[1]);
    const holder = LOCK_HOLDER.exec(output)?.[1] ?? null;
    const message = pid === null ? 'the rpm database lock is held by another process' : `the rpm database lock is held by process ${pid}${holder === null ? '' : ` (${holder})`}`;
    return { cause: 'lock-held', message, retriable: true, holderPid: pid, holder };
  }

  if (run.timedOut) {
    return { cause: 'timeout', message: 'the package manager run exceeded its timeout and was stopped', retriable: true };
  }

  if (NO_SPACE.test(output)) {
    return { cause: 'no-space', message: lineMatching(output, NO_SPACE) ?? 'no space left on device', retriable: false };
  }

  if (REPOSITORY_UNREACHABLE.test(output)) {
    return { cause: 'repository-unreachable', message: lineMatching(output, REPOSITORY_UNREACHABLE) ?? 'a repository is unreachable', retriable: true };
  }

  return { cause: 'unknown', message: lastErrorLine(run), retriable: false };
}

/** Returns the repository id that an unreachable-repository message names, or null. */
export function unreachableRepository(output: string): string | null {
  const match = REPOSITORY_UNREACHABLE.exec(output);
  return match?.[1] ?? match?.[2] ?? match?.[3] ?? null;
}

function lineMatching(text: string, pattern: RegExp): string | null {
  return text.split('\n').find((line) => pattern.test(line))?.trim() ?? null;
}

function lastErrorLine(run: DnfRun): string {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').map((line) => line.trim());
  const last = lines.filter((line) => line.startsWith('Error')).at(-1) ?? lines.filter((line) => line !== '').at(-1);
  const status = run.exitCode === null ? 'ended by a signal' : `exited with status ${run.exitCode}`;
  return last === undefined ? `the package manager ${status}` : `the package manager ${status}: ${last}`;
}
