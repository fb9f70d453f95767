import type { InstalledPackage } from '../types';
import { runAptQuery, type AptContext } from './context';
import { DPKG_QUERY_FORMAT, parseDpkgQuery } from './parse-dpkg-query';

/**
 * Lists the packages whose files are on disk, read with `dpkg-query -W` from the dpkg
 * database the context names. Packages that are only known, removed, or left with
 * their configuration files are left out by the parser.
 */
export async function listAptInstalled(context: AptContext, signal?: AbortSignal): Promise<InstalledPackage[]> {
  const stdout = await runAptQuery(context, 'dpkg-query', [...(await admindirArgs(context)), '-W', '-f', DPKG_QUERY_FORMAT], {
    signal,
  });

  return parseDpkgQuery(stdout).installed;
}

/** Returns `--admindir=<dir>` when the context names a dpkg database other than dpkg's default. */
export async function admindirArgs(context: AptContext): Promise<string[]> {
  const admindir = await context.dpkgAdmindir();
  return admindir === null ? [] : [`--admindir=${admindir}`];
}
