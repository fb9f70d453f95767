import { runCommand, type RunCommandResult } from '../exec';

/** A read-only query that exited with an unexpected status, timed out or was stopped. */
export class PackageQueryError extends Error {
  constructor(
    message: string,
    readonly result: RunCommandResult,
  ) {
    super(message);
    this.name = 'PackageQueryError';
  }
}

/**
 * Runs a read-only package-manager query and returns the whole result. Throws
 * PackageQueryError when the exit status is not in `okExitCodes` (default only 0),
 * on timeout and on abort, with the last stderr line in the message.
 */
export async function runPackageQuery(options: {
  command: string;
  args: string[];
  env?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  okExitCodes?: number[];
}): Promise<RunCommandResult> {
  const { command, args, timeoutMs } = options;
  const result = await runCommand({ command, args, env: options.env, timeoutMs, signal: options.signal });

  if (result.timedOut) throw new PackageQueryError(`${command} timed out after ${timeoutMs} ms`, result);
  if (result.aborted) throw new PackageQueryError(`${command} was cancelled`, result);

  const okExitCodes = options.okExitCodes ?? [0];
  if (result.exitCode === null || !okExitCodes.includes(result.exitCode)) {
    const lines = result.stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const detail = lines.at(-1) ?? `exit status ${result.exitCode ?? result.signal}`;
    throw new PackageQueryError(`${command} ${args.join(' ')} failed (exit status ${result.exitCode ?? result.signal}): ${detail}`, result);
  }

  return result;
}

/** Directories a root shell has in PATH; a service manager may start the agent with a shorter one. */
const STANDARD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Returns PATH extended with the standard sbin and bin directories. */
export function standardPath(): string {
  const inherited = (process.env.PATH ?? '').split(':').filter((entry) => entry !== '');
  return [...inherited, ...STANDARD_PATH.filter((entry) => !inherited.includes(entry))].join(':');
}

/** Returns the first invalid package name message, or null when every name is valid. */
export function checkPackageNames(packages: string[], pattern: RegExp, rule: string): string | null {
  if (packages.length === 0) return 'The packages action needs at least one package name.';

  const invalid = packages.filter((name) => !pattern.test(name));
  if (invalid.length === 0) return null;
  return `Invalid package name ${invalid.map((name) => JSON.stringify(name)).join(', ')}: ${rule}`;
}
