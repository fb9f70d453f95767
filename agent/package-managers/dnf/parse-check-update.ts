import { isRpmEvr, splitNameArch } from '../rpm/nevra';
import type { PendingUpdate, RebootState } from '../types';

/** An installed package that an update replaces, from the obsoleting section. */
export interface DnfObsolete {
  name: string;
  arch: string;
  installed: string;
  /** `name.arch` of the package that replaces it. */
  replacedBy: string;
}

export interface DnfCheckUpdate {
  updates: PendingUpdate[];
  obsoletes: DnfObsolete[];
  /** Set when dnf printed its `Security:` lines about a newer installed kernel; null otherwise. */
  reboot: RebootState | null;
}

interface Row {
  fields: string[];
  indented: boolean;
}

const INSTALLED_SECURITY = /^Security: (\S+) is an installed security update/;
const RUNNING_VERSION = /^Security: (\S+) is the currently running version/;

/**
 * Reads `dnf check-update`, `yum check-update` or `dnf5 check-upgrade` output.
 *
 * A row counts only when, after indented continuation lines are joined to it, it has
 * exactly the shape `name.arch [epoch:]version-release repository` with a known
 * architecture, so banners, metadata-age lines, advisory warnings and translated
 * notices produce nothing. After an `Obsoleting Packages` header (any case), an
 * unindented row repeats the replacing package and each indented row below it is
 * an installed package it replaces. check-update prints neither installed versions
 * nor security status, so `installed` is null and `security` false.
 */
export function parseDnfCheckUpdate(stdout: string): DnfCheckUpdate {
  const updates: PendingUpdate[] = [];
  const obsoletes: DnfObsolete[] = [];
  let obsoleting = false;
  let replacing: string | null = null;
  let pending: Row | null = null;
  let installedSecurityKernel: string | null = null;
  let runningKernel: string | null = null;

  const flush = (): void => {
    const row = pending;
    pending = null;
    if (row === null || row.fields.length !== 3) return;

    const [nameArchText = '', version = '', repository = ''] = row.fields;
    const nameArch = splitNameArch(nameArchText);
    if (nameArch === null || !isRpmEvr(version)) return;

    if (!obsoleting) {
      updates.push({ ...nameArch, installed: null, candidate: version, repository, security: false, held: false, phased: false, advisories: [] });
    } else if (!row.indented) {
      replacing = nameArchText;
    } else if (replacing !== null) {
      obsoletes.push({ ...nameArch, installed: version, replacedBy: replacing });
    }
  };

  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const trimmed = line.trim();
    const indented = /^\s/.test(line);

    if (trimmed === '') {
      flush();
      continue;
    }

    installedSecurityKernel = INSTALLED_SECURITY.exec(trimmed)?.[1] ?? installedSecurityKernel;
    runningKernel = RUNNING_VERSION.exec(trimmed)?.[1] ?? runningKernel;

    if (/^Obsoleting packages$/i.test(trimmed)) {
      flush();
      obsoleting = true;
      continue;
    }

    const fields = trimmed.split(/\s+/);
    const current: Row | null = pending;
    if (indented && current !== null && current.fields.length < 3) {
      current.fields.push(...fields);
      continue;
    }

    flush();
    pending = { fields, indented };
  }
  flush();

  return { updates, obsoletes, reboot: securityKernelReboot(installedSecurityKernel, runningKernel) };
}

function securityKernelReboot(installed: string | null, running: string | null): RebootState | null {
  if (installed === null) return null;

  const reason =
    running === null
      ? `a newer security kernel ${installed} is installed`
      : `a newer security kernel is installed but the running kernel is ${running}`;
  return { required: 'yes', reason, packages: [installed] };
}
