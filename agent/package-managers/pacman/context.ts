import path from 'node:path';
import { standardPath } from '../run-query';

/** Settings that every pacman backend operation shares. */
export interface PacmanContext {
  /** Alternative root; its database, configuration, cache, log and keyring are used too. Undefined for `/`. */
  root: string | undefined;
  commandTimeoutMs: number;
  runningKernel: string;
  env: Record<string, string>;
}

export function pacmanEnvironment(): Record<string, string> {
  return { LC_ALL: 'C', PAGER: 'cat', PATH: standardPath() };
}

/**
 * Options every pacman call gets: no colours, and for an isolated root
 * `--root` plus every path pacman would otherwise take from the host (`--dbpath`,
 * `--config`, `--cachedir`, `--logfile`, `--gpgdir`, `--hookdir`), all inside the root.
 */
export function pacmanGlobalArguments(context: PacmanContext): string[] {
  const args = ['--color', 'never'];
  const root = context.root;
  if (root === undefined) return args;

  return [
    ...args,
    '--root', root,
    '--dbpath', path.join(root, 'var/lib/pacman'),
    '--config', path.join(root, 'etc/pacman.conf'),
    '--cachedir', path.join(root, 'var/cache/pacman/pkg'),
    '--logfile', path.join(root, 'var/log/pacman.log'),
    '--gpgdir', path.join(root, 'etc/pacman.d/gnupg'),
    '--hookdir', path.join(root, 'etc/pacman.d/hooks'),
  ];
}
