import type { PendingUpdate } from '../types';

/** One `<update kind="patch">` element of `zypper --xmlout list-patches`. */
export interface ZypperPatch {
  name: string;
  category: string;
  severity: string;
  /** `needed`, `applied`, `not-needed` and so on. */
  status: string;
  /** The `restart` attribute: installing the patch needs a reboot. */
  rebootRequired: boolean;
  /** The `pkgmanager` attribute: the patch updates zypper itself, so zypper must run again. */
  affectsPackageManager: boolean;
  interactive: boolean;
  cves: string[];
}

interface Element {
  attributes: Record<string, string>;
  /** Text between the start and end tag, empty for a self-closing element. */
  body: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity] ?? whole;
  });
}

function readAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes[match[1] ?? ''] = decodeEntities(match[2] ?? match[3] ?? '');
  }
  return attributes;
}

/**
 * Finds every element with the given tag name. zypper's XML has no CDATA and never
 * nests an element inside one of the same name, which this reader relies on.
 */
function findElements(xml: string, tag: string): Element[] {
  const elements: Element[] = [];
  const pattern = new RegExp(`<${tag}(\\s[^>]*?)?(/?)>`, 'g');

  for (const match of xml.matchAll(pattern)) {
    const attributes = readAttributes(match[1] ?? '');
    if (match[2] === '/') {
      elements.push({ attributes, body: '' });
      continue;
    }

    const start = (match.index ?? 0) + match[0].length;
    const end = xml.indexOf(`</${tag}>`, start);
    elements.push({ attributes, body: end === -1 ? xml.slice(start) : xml.slice(start, end) });
  }

  return elements;
}

function checkStream(xml: string): void {
  if (!/<stream[\s>]/.test(xml)) {
    throw new Error('invalid zypper XML output: no <stream> element; run zypper with --xmlout');
  }
}

/**
 * Reads the package updates of `zypper --xmlout list-updates`: `edition-old` is the
 * installed version, `edition` the candidate and the `<source alias>` the repository.
 * This listing never shows whether an update is a security fix, so `security` is false
 * until the security patches are matched to it. `<message>` elements are progress
 * text and are skipped. Throws when the text is not zypper XML.
 */
export function parseZypperListUpdates(xml: string): PendingUpdate[] {
  checkStream(xml);

  return findElements(xml, 'update')
    .filter((element) => (element.attributes.kind ?? 'package') === 'package')
    .map((element) => {
      const source = findElements(element.body, 'source')[0];
      const installed = element.attributes['edition-old'];
      return {
        name: element.attributes.name ?? '',
        arch: element.attributes.arch ?? '',
        installed: installed === undefined || installed === '' ? null : installed,
        candidate: element.attributes.edition ?? '',
        repository: source?.attributes.alias ?? source?.attributes.url ?? '',
        security: false,
        held: false,
        phased: false,
        advisories: [],
      };
    });
}

/** Reads the patches of `zypper --xmlout list-patches` with their flags and CVE ids. Throws when the text is not zypper XML. */
export function parseZypperListPatches(xml: string): ZypperPatch[] {
  checkStream(xml);

  return findElements(xml, 'update')
    .filter((element) => element.attributes.kind === 'patch')
    .map((element) => ({
      name: element.attributes.name ?? '',
      category: element.attributes.category ?? '',
      severity: element.attributes.severity ?? '',
      status: element.attributes.status ?? '',
      rebootRequired: element.attributes.restart === 'true',
      affectsPackageManager: element.attributes.pkgmanager === 'true',
      interactive: element.attributes.interactive === 'true',
      cves: findElements(element.body, 'issue')
        .filter((issue) => issue.attributes.type === 'cve')
        .map((issue) => issue.attributes.id ?? '')
        .filter((id) => id !== ''),
    }));
}

/** One package that a patch would install, from `zypper --xmlout patch --dry-run`. */
export interface ZypperSolvable {
  name: string;
  arch: string;
  /** New version, or the removed version for a removal. */
  edition: string;
  /** Previous version for upgrades and downgrades, else null. */
  editionOld: string | null;
  kind: string;
}

/**
 * Reads the `<install-summary>` of a `zypper --xmlout` install, update or patch run
 * (also with `--dry-run`): the packages to upgrade, install, downgrade and remove.
 */
export function parseZypperInstallSummary(xml: string): { upgrades: ZypperSolvable[]; installs: ZypperSolvable[]; removals: ZypperSolvable[] } {
  const summary = findElements(xml, 'install-summary')[0]?.body ?? '';
  const read = (tag: string): ZypperSolvable[] =>
    findElements(findElements(summary, tag)[0]?.body ?? '', 'solvable').map((element) => ({
      name: element.attributes.name ?? '',
      arch: element.attributes.arch ?? '',
      edition: element.attributes.edition ?? '',
      editionOld: element.attributes['edition-old'] ?? null,
      kind: element.attributes.type ?? 'package',
    }));

  return {
    upgrades: [...read('to-upgrade'), ...read('to-downgrade')],
    installs: read('to-install'),
    removals: read('to-remove'),
  };
}
