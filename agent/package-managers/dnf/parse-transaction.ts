import { splitNameArch } from '../rpm/nevra';

/** One row of the transaction table that dnf and yum print before they run. */
export interface DnfTransactionItem {
  action: 'install' | 'upgrade' | 'downgrade' | 'reinstall' | 'remove';
  name: string;
  arch: string;
  /** Version to install, or the installed version for a removal. */
  version: string;
}

const SECTIONS: readonly [RegExp, DnfTransactionItem['action']][] = [
  [/^(?:Installing|Installing dependencies|Installing weak dependencies|Installing for dependencies|Updating for dependencies):$/, 'install'],
  [/^(?:Upgrading|Updating):$/, 'upgrade'],
  [/^Downgrading:$/, 'downgrade'],
  [/^Reinstalling:$/, 'reinstall'],
  [/^(?:Removing|Removing dependent packages|Removing unused dependencies|Erasing):$/, 'remove'],
];

/**
 * Reads the transaction table of a dnf4 or yum run (`Upgrading:` and the other section
 * headers, then ` name arch version repository size` rows). A row wrapped over two
 * lines is joined. An indented `replacing name.arch version` line below a row is the
 * installed package the row obsoletes, and becomes a removal. The table ends at
 * `Transaction Summary`.
 */
export function parseDnfTransaction(stdout: string): DnfTransactionItem[] {
  const items: DnfTransactionItem[] = [];
  let action: DnfTransactionItem['action'] | null = null;
  let pending: string[] = [];

  const flush = (): void => {
    const fields = pending;
    pending = [];
    if (action === null || fields.length < 4) return;
    const [name = '', arch = '', version = ''] = fields;
    items.push({ action, name, arch, version });
  };

  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const trimmed = line.trim();

    if (/^Transaction Summary$/.test(trimmed)) {
      flush();
      break;
    }

    const section = SECTIONS.find(([pattern]) => pattern.test(trimmed));
    if (section !== undefined && !/^\s/.test(line)) {
      flush();
      action = section[1];
      continue;
    }

    if (action === null || trimmed === '' || /^=+$/.test(trimmed)) continue;

    const replacing = /^replacing\s+(\S+)\s+(\S+)$/.exec(trimmed);
    if (replacing !== null) {
      flush();
      const nameArch = splitNameArch(replacing[1] ?? '');
      if (nameArch !== null) items.push({ action: 'remove', ...nameArch, version: replacing[2] ?? '' });
      continue;
    }

    const fields = trimmed.split(/\s+/);
    // A row has at least name, arch, version, repository and size; a shorter one is wrapped.
    if (pending.length > 0 && pending.length < 5) {
      pending.push(...fields);
      continue;
    }
    flush();
    pending = fields;
  }
  flush();

  return items;
}
