import type { FailureClassification } from '../types';
import { readNameBlocks } from './name-blocks';

/** Exit status and output of one apt-get or dpkg run. */
export interface AptRun {
  /** Exit status, or null when a signal ended the process. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when the agent stopped the run because it exceeded its timeout. */
  timedOut: boolean;
}

/**
 * apt-get and apt print `Could not get lock <path>. It is held by process <pid> (<comm>)`
 * (apt 1.9 and later) or `Could not get lock <path> - open (11: ...)` (older apt).
 * The holder name is the kernel's command name, cut to 15 characters.
 */
const LOCK_LINE = /Could not get lock (\/\S+?)\.?(?:\s|$)/;
const LOCK_HOLDER = /(?:held by process|locked by another process with pid) (\d+)(?: \(([^)]*)\))?/;
/** dpkg's own message when a front end holds the lock, and apt's follow-up lines. */
const LOCK_FALLBACK = /(?:Unable to acquire the dpkg frontend lock \((\/[^)]+)\)|Unable to lock the administration directory \((\/[^)]+)\)|dpkg frontend lock (?:is|was) locked by another process)/;

const DPKG_INTERRUPTED = /dpkg was interrupted, you must manually run '(?:sudo )?dpkg --configure -a'/;
const HELD_CHANGED = /E: Held packages were changed/;
const NO_SPACE = /No space left on device/;
/** apt-get without `-y` reads EOF at its question; dpkg reads EOF at a changed-conffile question. */
const INTERACTIVE = /(?:\[Y\/n\] Abort\.|end of file on stdin at conffile prompt|Media change: please insert the disc)/;
const REPOSITORY_UNREACHABLE = /(?:Failed to fetch|Temporary failure resolving|Could not connect to|Could not resolve ')/;

/**
 * Reads why an apt-get or dpkg run failed from its exit status and both output
 * streams, which the agent captures with `LC_ALL=C`. Returns null when the run
 * exited with 0 and did not time out.
 *
 * The checks run in a fixed order, so the most specific cause wins when one
 * run prints several errors. The order is timeout, lock held, interrupted
 * dpkg, no space (a full disk also breaks downloads), held packages,
 * interactive prompt, unreachable repository. Anything else is `unknown`,
 * with apt's last `E:` line as the message.
 * `retriable` is true only for causes that can clear without a change on the
 * host: a lock that its holder releases, a network fault, a timeout.
 */
export function classifyAptFailure(run: AptRun): FailureClassification | null {
  if (run.exitCode === 0 && !run.timedOut) return null;

  const output = `${run.stderr}\n${run.stdout}`;

  if (run.timedOut) {
    return { cause: 'timeout', message: 'the package manager run exceeded its timeout and was stopped', retriable: true };
  }

  const lock = readLock(output);
  if (lock !== null) return lock;

  if (DPKG_INTERRUPTED.test(output)) {
    return {
      cause: 'dpkg-interrupted',
      message: "an earlier dpkg run was interrupted; run 'dpkg --configure -a' on the host",
      retriable: false,
    };
  }

  if (NO_SPACE.test(output)) {
    return { cause: 'no-space', message: 'no space left on device', retriable: false };
  }

  if (HELD_CHANGED.test(output)) {
    const packages = readNameBlocks(run.stdout.split('\n'), ['The following held packages will be changed:']);
    const names = packages.length > 0 ? `: ${packages.join(', ')}` : '';
    return {
      cause: 'held-packages',
      message: `the run would change held packages${names}; release the hold or leave the packages out`,
      retriable: false,
      packages,
    };
  }

  if (INTERACTIVE.test(output)) {
    return { cause: 'interactive-prompt', message: 'the package manager asked a question and read no answer', retriable: false };
  }

  const unreachable = REPOSITORY_UNREACHABLE.exec(output);
  if (unreachable !== null) {
    return { cause: 'repository-unreachable', message: lineContaining(output, unreachable.index), retriable: true };
  }

  return { cause: 'unknown', message: lastErrorLine(run), retriable: false };
}

function readLock(output: string): FailureClassification | null {
  const lockLine = LOCK_LINE.exec(output);
  const fallback = LOCK_FALLBACK.exec(output);
  if (lockLine === null && fallback === null) return null;

  const lock = lockLine?.[1] ?? fallback?.[1] ?? fallback?.[2] ?? '/var/lib/dpkg/lock-frontend';
  const holder = LOCK_HOLDER.exec(output);
  const holderPid = holder === null ? null : Number(holder[1]);
  const holderName = holder?.[2] ?? null;

  let message = `lock ${lock} is held by another process`;
  if (holderPid !== null) message = `lock ${lock} is held by process ${holderPid}${holderName === null ? '' : ` (${holderName})`}`;

  return { cause: 'lock-held', message, retriable: true, lock, holderPid, holder: holderName };
}

function lineContaining(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

function lastErrorLine(run: AptRun): string {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').map((line) => line.trim());
  const errors = lines.filter((line) => line.startsWith('E: ') || line.startsWith('dpkg: error'));
  const last = errors.at(-1) ?? lines.filter((line) => line !== '').at(-1);
  const status = run.exitCode === null ? 'ended by a signal' : `exited with status ${run.exitCode}`;
  return last === undefined ? `the package manager ${status}` : `the package manager ${status}: ${last}`;
}
