import { runPackageQuery } from '../run-query';
import type { InstalledPackage } from '../types';
import { parseRpmQuery, RPM_QUERY_FORMAT } from './parse-rpm-query';

/**
 * Lists the installed packages from the rpm database with `rpm -qa --qf`, with
 * `--root` when `root` is set. Signing keys (`gpg-pubkey`) are left out.
 */
export async function listRpmInstalled(options: {
  root: string | undefined;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<InstalledPackage[]> {
  const rootArgs = options.root === undefined ? [] : ['--root', options.root];
  const result = await runPackageQuery({
    command: 'rpm',
    args: [...rootArgs, '-qa', '--qf', RPM_QUERY_FORMAT.replaceAll('\\t', '\t').replaceAll('\\n', '\n')],
    env: options.env,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });

  return parseRpmQuery(result.stdout).installed;
}
