import path from 'node:path';
import { standardPath } from '../run-query';

/** Settings that every zypper backend operation shares. */
export interface ZypperContext {
  /** Root for `zypper --root` and `rpm --root`, or undefined for `/`. */
  root: string | undefined;
  commandTimeoutMs: number;
  runningKernel: string;
  env: Record<string, string>;
}

/**
 * Builds the environment for zypper and rpm: the standard PATH, no pager, and a lock
 * wait of `lockTimeoutSeconds`. zypper 1.14 writes its log to the host's
 * /var/log/zypper.log even with `--root`, so for a root `ZYPP_LOGFILE` moves the log
 * inside it.
 */
export function zypperEnvironment(lockTimeoutSeconds: number, root: string | undefined): Record<string, string> {
  const env: Record<string, string> = { LC_ALL: 'C', PAGER: 'cat', ZYPP_LOCK_TIMEOUT: String(lockTimeoutSeconds), PATH: standardPath() };
  if (root !== undefined) env.ZYPP_LOGFILE = path.join(root, 'var/log/zypper.log');
  return env;
}

/** Options every zypper call gets: never prompt, and `--root` for an isolated root. */
export function zypperGlobalArguments(context: ZypperContext): string[] {
  return ['--non-interactive', ...(context.root === undefined ? [] : ['--root', context.root])];
}
