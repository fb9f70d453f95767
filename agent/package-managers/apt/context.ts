import path from 'node:path';
import { runCommand, type RunCommandResult } from '@/agent/exec';

/** Settings and helpers that every apt backend operation shares. */
export interface AptContext {
  /** Value for `APT_CONFIG`, or undefined for the system configuration. */
  aptConfig: string | undefined;
  /** Path of the flag file that Debian and Ubuntu packages create to ask for a reboot. */
  rebootRequiredPath: string;
  /** Seconds apt-get waits for the dpkg lock (`DPkg::Lock::Timeout`). */
  lockTimeoutSeconds: number;
  /** Milliseconds allowed for each read-only query (dpkg-query, apt list, simulations). */
  commandTimeoutMs: number;
  /** Kernel release to compare installed kernels against; `os.release()` unless a test overrides it. */
  runningKernel: string;
  /** Environment added to every command. */
  env: Record<string, string>;
  /** dpkg database directory for dpkg-query, or null for dpkg's default. */
  dpkgAdmindir(): Promise<string | null>;
}

/** Directories a root shell on Debian has in PATH; dpkg needs the sbin ones for ldconfig. */
const STANDARD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Builds the environment for apt, apt-get, apt-mark and dpkg-query: no prompts from
 * debconf, apt-listchanges, needrestart or ucf, and PATH extended with the standard
 * directories because a service manager may start the agent with a short PATH.
 */
export function aptEnvironment(aptConfig: string | undefined): Record<string, string> {
  const inherited = (process.env.PATH ?? '').split(':').filter((entry) => entry !== '');
  const missing = STANDARD_PATH.filter((entry) => !inherited.includes(entry));

  const env: Record<string, string> = {
    LC_ALL: 'C',
    DEBIAN_FRONTEND: 'noninteractive',
    DEBCONF_NONINTERACTIVE_SEEN: 'true',
    APT_LISTCHANGES_FRONTEND: 'none',
    APT_LISTBUGS_FRONTEND: 'none',
    NEEDRESTART_MODE: 'l',
    UCF_FORCE_CONFFOLD: '1',
    PATH: [...inherited, ...missing].join(':'),
  };

  if (aptConfig !== undefined) {
    env.APT_CONFIG = aptConfig;
  }

  return env;
}

/** A read-only query that exited with an unexpected status, timed out or was stopped. */
export class AptQueryError extends Error {
  constructor(
    message: string,
    readonly result: RunCommandResult,
  ) {
    super(message);
    this.name = 'AptQueryError';
  }
}

/**
 * Runs a read-only query and returns its stdout. Throws AptQueryError when the exit
 * status is not in `okExitCodes` (default only 0), on timeout and on abort.
 */
export async function runAptQuery(
  context: AptContext,
  command: string,
  args: string[],
  options: { signal?: AbortSignal; okExitCodes?: number[] } = {},
): Promise<string> {
  const result = await runCommand({
    command,
    args,
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal: options.signal,
  });

  if (result.timedOut) {
    throw new AptQueryError(`${command} timed out after ${context.commandTimeoutMs} ms`, result);
  }

  if (result.aborted) {
    throw new AptQueryError(`${command} was cancelled`, result);
  }

  const okExitCodes = options.okExitCodes ?? [0];
  if (result.exitCode === null || !okExitCodes.includes(result.exitCode)) {
    const detail = lastErrorLine(result.stderr) ?? `exit status ${result.exitCode ?? result.signal}`;
    throw new AptQueryError(`${command} ${args.join(' ')} failed: ${detail}`, result);
  }

  return result.stdout;
}

/** Returns the last `E:` line of apt's stderr, or the last non-empty line when there is none. */
export function lastErrorLine(stderr: string): string | null {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

  return lines.findLast((line) => line.startsWith('E: ')) ?? lines.at(-1) ?? null;
}

/**
 * Reads the dpkg database directory from the apt configuration: the directory of
 * `Dir::State::status`, which apt itself uses to find dpkg's lock files.
 */
export async function dpkgAdmindirFromAptConfig(context: AptContext): Promise<string> {
  const stdout = await runAptQuery(context, 'apt-config', ['shell', 'STATUS', 'Dir::State::status/f']);
  const match = /^STATUS='(.*)'$/m.exec(stdout.trim());
  if (!match?.[1]) {
    throw new Error(`apt-config did not print Dir::State::status (output: ${JSON.stringify(stdout.trim())})`);
  }

  // apt-config writes a single quote inside the value as '\''.
  const statusFile = match[1].replaceAll("'\\''", "'");
  return path.dirname(statusFile);
}
