import type { FailureClassification } from '../types';

/** zypper's exit statuses (zypper(8), EXIT CODES); 100 and up report success with information. */
export const ZYPPER_EXIT = {
  ok: 0,
  bug: 1,
  syntax: 2,
  invalidArguments: 3,
  zyppError: 4,
  privileges: 5,
  noRepositories: 6,
  zyppLocked: 7,
  commitError: 8,
  infUpdateNeeded: 100,
  infSecurityUpdateNeeded: 101,
  infRebootNeeded: 102,
  infRestartNeeded: 103,
  infCapNotFound: 104,
  onSignal: 105,
  infReposSkipped: 106,
  infRpmScriptFailed: 107,
} as const;

/** Exit status and output of one zypper run. */
export interface ZypperRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ZypperRunReading {
  exitCode: number | null;
  /** The run did what it was asked (also for 100-103, 106 and 107). */
  success: boolean;
  /** 103: zypper updated itself, so the same command must run again. */
  rerun: boolean;
  /** 102: the installed updates need a reboot. */
  rebootRequired: boolean;
  failure: FailureClassification | null;
}

const LOCK_HOLDER = /locked by the application with pid (\d+) \(([^)]*)\)/;
const NO_SPACE = /No space left on device|not enough disk space|Disk space limit exceeded/i;
const REPOSITORY_UNREACHABLE = /Download \(curl\) error|Could not resolve host|Valid metadata not found at specified URL|Failed to (?:retrieve|download) new repository metadata|Repository '([^']+)' is invalid|Problem retrieving files from '([^']+)'/;

/**
 * Interprets one zypper run with zypper's own exit table, never apt's or dnf's: 0 and
 * the informational 100 (updates needed), 101 (security updates needed), 102 (reboot
 * needed), 103 (zypper updated itself, run again), 106 (some repositories skipped)
 * and 107 (an rpm scriptlet failed but the packages are installed) all count as
 * success. Status 7 is a held ZYpp lock, whose holder's pid and program the message
 * names; it and a timeout are retriable. 104 (package not found) and everything else
 * are failures.
 */
export function interpretZypperRun(run: ZypperRun): ZypperRunReading {
  const output = `${run.stderr}\n${run.stdout}`;
  const base = { exitCode: run.exitCode, rerun: false, rebootRequired: false };

  if (run.timedOut) {
    return { ...base, success: false, failure: { cause: 'timeout', message: 'the package manager run exceeded its timeout and was stopped', retriable: true } };
  }

  const exitCode = run.exitCode;
  if (exitCode === ZYPPER_EXIT.ok || exitCode === ZYPPER_EXIT.infUpdateNeeded || exitCode === ZYPPER_EXIT.infSecurityUpdateNeeded
    || exitCode === ZYPPER_EXIT.infReposSkipped || exitCode === ZYPPER_EXIT.infRpmScriptFailed) {
    return { ...base, success: true, failure: null };
  }
  if (exitCode === ZYPPER_EXIT.infRebootNeeded) return { ...base, success: true, rebootRequired: true, failure: null };
  if (exitCode === ZYPPER_EXIT.infRestartNeeded) return { ...base, success: true, rerun: true, failure: null };

  return { ...base, success: false, failure: classifyZypperFailure(exitCode, output) };
}

function classifyZypperFailure(exitCode: number | null, output: string): FailureClassification {
  if (exitCode === ZYPPER_EXIT.zyppLocked || LOCK_HOLDER.test(output)) {
    const holder = LOCK_HOLDER.exec(output);
    const holderPid = holder === null ? null : Number(holder[1]);
    const holderName = holder?.[2] ?? null;
    const message = holderPid === null
      ? 'the ZYpp lock is held by another process'
      : `the ZYpp lock is held by process ${holderPid}${holderName === null ? '' : ` (${holderName})`}`;
    return { cause: 'lock-held', message, retriable: true, lock: '/run/zypp.pid', holderPid, holder: holderName };
  }

  if (NO_SPACE.test(output)) {
    return { cause: 'no-space', message: lineMatching(output, NO_SPACE) ?? 'no space left on device', retriable: false };
  }

  if (REPOSITORY_UNREACHABLE.test(output)) {
    return { cause: 'repository-unreachable', message: lineMatching(output, REPOSITORY_UNREACHABLE) ?? 'a repository is unreachable', retriable: true };
  }

  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const last = lines.at(-1);
  const status = exitCode === null ? 'ended by a signal' : `exited with status ${exitCode}`;
  return { cause: 'unknown', message: last === undefined ? `zypper ${status}` : `zypper ${status}: ${last}`, retriable: false };
}

function lineMatching(text: string, pattern: RegExp): string | null {
  return text.split('\n').find((line) => pattern.test(line))?.trim() ?? null;
}
