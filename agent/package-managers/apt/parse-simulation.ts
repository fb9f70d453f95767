import type { PendingUpdate } from '../types';
import { isHeld, splitArchQualifier } from './held';
import { readNameBlocks } from './name-blocks';

/** Changes that an apt simulation (`apt-get -s`, `apt --dry-run`) reports for the run. */
export interface AptSimulation {
  /** One entry per `Inst` line, in output order. */
  updates: PendingUpdate[];
  /** One entry per `Remv` or `Purg` line. */
  removals: { name: string; installed: string }[];
  /** Packages the run leaves at their installed version, with the cause. */
  keptBack: { name: string; reason: 'held' | 'requires new packages' }[];
  /** Packages that phased rollout defers; upgradable, but not installed by this run. */
  deferredByPhasing: string[];
  /** apt's count line, or null when the output has none. */
  summary: { upgraded: number; newlyInstalled: number; toRemove: number; notUpgraded: number } | null;
}

/**
 * `Inst name [installed] (candidate origins [arch])`, optionally followed by a
 * bracket that lists packages the step breaks for a moment. A new package has
 * no `[installed]` part.
 */
const INST_LINE = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+)(.*) \[([^\]\s]+)\]\)(?: \[[^\]]*\])*\s*$/;
const REMOVAL_LINE = /^(?:Remv|Purg) (\S+)(?: \[([^\]]*)\])?/;
const APT2_SUMMARY =
  /^(\d+) upgraded, (\d+) newly installed, (?:\d+ reinstalled, )?(?:\d+ downgraded, )?(\d+) to remove and (\d+) not upgraded\.$/;

const KEPT_BACK_HEADERS = ['The following packages have been kept back:', 'Not upgrading:'];
const PHASING_HEADERS = ['The following upgrades have been deferred due to phasing:', 'Not upgrading yet due to phasing:'];

/**
 * Reads the output of `LC_ALL=C apt-get -s upgrade|dist-upgrade|install` or
 * `LC_ALL=C apt upgrade --dry-run` (apt 1.0 to 3.x).
 *
 * Only `Inst` lines become updates; `Conf` lines repeat them and are skipped.
 * An update is a security fix when one of its origins carries the
 * `Debian-Security` label or an archive ending in `-security`, which includes
 * the Ubuntu ESM archive `-infra-security`. The package name never counts.
 * `repository` contains the origins as apt prints them, such as
 * `Debian:9.3/stable, Debian:stable-updates`.
 *
 * A kept-back package is `held` when `held` (the `apt-mark showhold` names)
 * contains it. apt does not print why it keeps the others back. Plain
 * `upgrade` keeps back every upgrade that would install a new package or
 * remove one, and both are reported as `requires new packages`, since
 * `dist-upgrade` applies either.
 */
export function parseAptSimulation(stdout: string, held?: ReadonlySet<string>): AptSimulation {
  const lines = stdout.split('\n').map((line) => line.replace(/\r$/, ''));
  const updates: PendingUpdate[] = [];
  const removals: AptSimulation['removals'] = [];

  for (const line of lines) {
    const inst = INST_LINE.exec(line);
    if (inst !== null) {
      updates.push(readInstLine(inst, held));
      continue;
    }

    const removal = REMOVAL_LINE.exec(line);
    if (removal !== null) {
      removals.push({ name: removal[1] ?? '', installed: removal[2] ?? '' });
    }
  }

  const keptBack = readNameBlocks(lines, KEPT_BACK_HEADERS).map((qualifiedName) => {
    const { name, qualifier } = splitArchQualifier(qualifiedName);
    const reason = isHeld(held, name, qualifier) ? 'held' : 'requires new packages';
    return { name: qualifiedName, reason } as const;
  });

  return {
    updates,
    removals,
    keptBack,
    deferredByPhasing: readNameBlocks(lines, PHASING_HEADERS),
    summary: readSummary(lines),
  };
}

function readInstLine(match: RegExpExecArray, held: ReadonlySet<string> | undefined): PendingUpdate {
  const [, qualifiedName = '', installed, candidate = '', originsText = '', arch = ''] = match;
  const { name } = splitArchQualifier(qualifiedName);
  const repository = originsText.trim();

  return {
    name,
    arch,
    installed: installed ?? null,
    candidate,
    repository,
    security: repository.split(', ').some(isSecurityOrigin),
    held: isHeld(held, name, arch),
    phased: false,
    advisories: [],
  };
}

/** True for `Debian-Security:10/oldstable` or `Ubuntu:14.04/trusty-security`. */
function isSecurityOrigin(origin: string): boolean {
  const colon = origin.indexOf(':');
  const label = colon === -1 ? '' : origin.slice(0, colon);
  const slash = origin.lastIndexOf('/');
  const archive = slash === -1 ? origin.slice(colon + 1) : origin.slice(slash + 1);
  return label === 'Debian-Security' || archive.endsWith('-security');
}

/**
 * Reads apt 2's `N upgraded, N newly installed, N to remove and N not upgraded.`
 * line, or apt 3's `Summary:` block with `Upgrading: N, Installing: N,
 * Removing: N, Not Upgrading: N`.
 */
function readSummary(lines: readonly string[]): AptSimulation['summary'] {
  for (const line of lines) {
    const match = APT2_SUMMARY.exec(line.trim());
    if (match !== null) {
      return {
        upgraded: Number(match[1]),
        newlyInstalled: Number(match[2]),
        toRemove: Number(match[3]),
        notUpgraded: Number(match[4]),
      };
    }
  }

  const header = lines.findIndex((line) => line.trim() === 'Summary:');
  if (header === -1) return null;

  const counts = new Map<string, number>();
  for (let index = header + 1; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (!/^\s/.test(line) || line.trim() === '') break;
    for (const pair of line.matchAll(/([A-Za-z][A-Za-z ]*): (\d+)(?=,|$)/g)) {
      counts.set((pair[1] ?? '').trim(), Number(pair[2]));
    }
  }

  const upgraded = counts.get('Upgrading');
  if (upgraded === undefined) return null;

  return {
    upgraded,
    newlyInstalled: counts.get('Installing') ?? 0,
    toRemove: counts.get('Removing') ?? 0,
    notUpgraded: counts.get('Not Upgrading') ?? 0,
  };
}
