import type { FailureClassification } from '../types';

/** Exit status and output of one pacman run; pacman exits with 0 on success and 1 on any error. */
export interface PacmanRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const LOCK = /unable to lock database|you can remove (\S+db\.lck)/;
const LOCK_FILE = /you can remove (\S+db\.lck)/;
const NO_SPACE = /not enough free disk space|No space left on device|Partition \S+ too full/;
const REPOSITORY_UNREACHABLE = /failed retrieving file|failed to synchronize all databases|failed to retrieve some files|Could not resolve host|Failed to connect to/;

/**
 * Reads why a pacman run failed. Returns null for exit status 0 without a timeout.
 * The checks run in a fixed order: timeout, lock held (pacman does not name the
 * holder; a stale `db.lck` looks the same), no space, unreachable mirror, then
 * `unknown` with the last `error:` line.
 */
export function classifyPacmanFailure(run: PacmanRun): FailureClassification | null {
  if (run.exitCode === 0 && !run.timedOut) return null;

  const output = `${run.stderr}\n${run.stdout}`;
  if (run.timedOut) {
    return { cause: 'timeout', message: 'the package manager run exceeded its timeout and was stopped', retriable: true };
  }

  if (LOCK.test(output)) {
    const lock = LOCK_FILE.exec(output)?.[1] ?? '/var/lib/pacman/db.lck';
    return { cause: 'lock-held', message: `pacman database lock ${lock} exists; another pacman runs or a crashed one left it`, retriable: true, lock, holderPid: null, holder: null };
  }

  if (NO_SPACE.test(output)) {
    return { cause: 'no-space', message: lineMatching(output, NO_SPACE) ?? 'no space left on device', retriable: false };
  }

  if (REPOSITORY_UNREACHABLE.test(output)) {
    return { cause: 'repository-unreachable', message: lineMatching(output, REPOSITORY_UNREACHABLE) ?? 'a mirror is unreachable', retriable: true };
  }

  const lines = output.split('\n').map((line) => line.trim());
  const last = lines.filter((line) => line.startsWith('error:')).at(-1) ?? lines.filter((line) => line !== '').at(-1);
  const status = run.exitCode === null ? 'ended by a signal' : `exited with status ${run.exitCode}`;
  return { cause: 'unknown', message: last === undefined ? `pacman ${status}` : `pacman ${status}: ${last}`, retriable: false };
}

function lineMatching(text: string, pattern: RegExp): string | null {
  return text.split('\n').find((line) => pattern.test(line))?.trim() ?? null;
}
