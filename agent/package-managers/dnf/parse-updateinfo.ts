import { parseNevra } from '../rpm/nevra';

/** One advisory row of `dnf updateinfo list`: the advisory and one package it fixes. */
export interface DnfAdvisory {
  id: string;
  /** `security`, `bugfix`, `enhancement`, `newpackage` or `unspecified`. */
  type: string;
  /** Severity as the tool prints it (`Important`), or null when it prints none. */
  severity: string | null;
  name: string;
  /** `[epoch:]version-release` of the fixed package. */
  version: string;
  arch: string;
}

const TYPES = new Set(['security', 'bugfix', 'enhancement', 'newpackage', 'unspecified', 'unknown']);

/**
 * Reads `dnf updateinfo list` (dnf4 and yum: `ID TYPE NEVRA`, where a security
 * type reads `Important/Sec.`) and `dnf5 advisory list` (`ID TYPE SEVERITY NEVRA
 * ISSUED`). A row counts only with an advisory id, a known type and a package in
 * `name-[epoch:]version-release.arch` form, so headers and metadata lines produce
 * nothing.
 */
export function parseDnfUpdateinfoList(stdout: string): DnfAdvisory[] {
  const advisories: DnfAdvisory[] = [];

  for (const rawLine of stdout.split('\n')) {
    const fields = rawLine.trim().split(/\s+/);
    const [id = '', typeText = ''] = fields;
    if (fields.length < 3 || !/^[A-Za-z0-9][A-Za-z0-9:._-]*$/.test(id)) continue;

    const nevra = fields.slice(2).map(parseNevra).find((item) => item !== null);
    if (nevra === undefined || nevra === null) continue;

    const security = /^(\w+)\/Sec\.$/.exec(typeText);
    if (security !== null) {
      advisories.push({ id, type: 'security', severity: security[1] ?? null, ...nevra });
      continue;
    }

    const type = typeText.toLowerCase();
    if (!TYPES.has(type)) continue;
    // dnf5 prints the severity in its own column before the package.
    const severityText = fields.length >= 4 && parseNevra(fields[2] ?? '') === null ? (fields[2] ?? null) : null;
    const severity = severityText === null || severityText === '' || severityText === 'None' ? null : severityText;
    advisories.push({ id, type, severity, ...nevra });
  }

  return advisories;
}
