import { standardPath } from '../run-query';

/** Settings that every dnf or yum backend operation shares. */
export interface DnfContext {
  /** `dnf`, or `yum` on hosts without dnf (EL7 and older). */
  tool: 'dnf' | 'yum';
  /** Alternative root for dnf (`--installroot`) and rpm (`--root`), or undefined for `/`. */
  installRoot: string | undefined;
  /** `--releasever` value, needed in a root without a release package. */
  releasever: string | undefined;
  /** Milliseconds allowed for each read-only query. */
  commandTimeoutMs: number;
  /** Kernel release (`uname -r`) the installed kernels are compared with. */
  runningKernel: string;
  env: Record<string, string>;
}

/** Environment for dnf, yum and rpm: no pager, the standard PATH. */
export function dnfEnvironment(): Record<string, string> {
  return { LC_ALL: 'C', PAGER: 'cat', PATH: standardPath() };
}

/**
 * Options every dnf or yum call gets. With an install root, dnf reads the repository
 * files of that root (`reposdir`) instead of the host's, and keeps its cache, history
 * and logs inside it.
 */
export function dnfGlobalArguments(context: DnfContext): string[] {
  const args: string[] = [];
  if (context.installRoot !== undefined) {
    args.push(`--installroot=${context.installRoot}`, `--setopt=reposdir=${context.installRoot}/etc/yum.repos.d`);
  }
  if (context.releasever !== undefined) args.push(`--releasever=${context.releasever}`);
  return args;
}

/** Options for rpm queries: `--root` when the backend works on an install root. */
export function rpmRootArguments(context: DnfContext): string[] {
  return context.installRoot === undefined ? [] : ['--root', context.installRoot];
}
