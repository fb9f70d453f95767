/**
 * Labels for the package changes of a job host. A dry run only simulates the action, so
 * its changes are the ones the real run would make, and its labels read "would change".
 */

/** Returns the heading of the package changes column of one job's hosts. */
export function packageChangesHeading(dryRun: boolean): string {
  return dryRun ? 'Packages that would change' : 'Packages changed';
}

/** Returns the summary line of a folded list of `count` package changes. */
export function packageChangesSummary(count: number, dryRun: boolean): string {
  const packages = count === 1 ? '1 package' : `${count} packages`;
  return dryRun ? `${packages} would change` : `${packages} changed`;
}

/** Returns the count shown in a "Packages changed" column that lists dry runs beside real runs. */
export function packageChangeCount(count: number, dryRun: boolean): string {
  return dryRun ? `${count} would change` : String(count);
}
