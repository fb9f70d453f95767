import { execFileSync } from 'node:child_process';
import type { InventoryReport } from '@/lib/agent-protocol/schema';
import { buildReport } from '@/agent/inventory';
import { hashSections, normalizeSections, type InventorySections, type SectionHashes } from '@/agent/inventory-hash';
import type { HostFacts, InstalledPackage, PendingUpdate } from '@/agent/package-managers/types';

/** One inventory as every simulated agent reports it, only the facts differ per host. */
export interface FleetInventory {
  packages: InstalledPackage[];
  updates: PendingUpdate[];
  /** Full report of one host: every section body and its hashes. */
  full(hostname: string): InventoryReport;
  /** Hash-only report of one host; once the server has stored the full report, it writes nothing for this one. */
  unchanged(hostname: string): InventoryReport;
}

/** Reads this machine's dpkg database: name, architecture, version and source package of each installed package. */
function readDpkgPackages(): InstalledPackage[] {
  let text: string;
  try {
    text = execFileSync('dpkg-query', ['-W', '-f', '${Package}\\t${Architecture}\\t${Version}\\t${source:Package}\\n'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(`dpkg-query failed, so there is no package list to shape the inventory on: ${String(error)}`);
  }
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [name = '', arch = '', version = '', source = ''] = line.split('\t');
      return { name, arch, version, source, state: 'installed' as const, held: false, broken: false };
    });
}

/**
 * Builds a `packageCount`-package inventory shaped on this machine's dpkg database. When
 * the machine has fewer packages, the list repeats with a numbered suffix on each name
 * (`libc6-r2`), so names, versions and sources keep their real lengths and variety.
 * About one package in 75 has a pending update and one in five of those is a security update.
 */
export function buildFleetInventory(packageCount: number): FleetInventory {
  const real = readDpkgPackages();
  if (real.length === 0) throw new Error('dpkg-query listed no installed packages');

  const packages: InstalledPackage[] = [];
  for (let index = 0; index < packageCount; index++) {
    const base = real[index % real.length]!;
    const round = Math.floor(index / real.length);
    packages.push(round === 0 ? base : { ...base, name: `${base.name}-r${round + 1}` });
  }
  const updates: PendingUpdate[] = packages
    .filter((_, index) => index % 75 === 0)
    .map((item, index) => ({
      name: item.name,
      arch: item.arch,
      installed: item.version,
      candidate: `${item.version}+deb12u1`,
      repository: index % 5 === 0 ? 'Debian-Security:12/stable-security' : 'Debian:12/stable',
      security: index % 5 === 0,
      held: false,
      phased: false,
      advisories: index % 5 === 0 ? [`DSA-${5000 + index}-1`] : [],
    }));
  const reboot = { required: 'no' as const, reason: '', packages: [] };

  const shared = normalizeSections({ facts: factsFor('placeholder'), packages, updates, reboot });
  const sharedHashes = hashSections(shared);
  const cache = new Map<string, { sections: InventorySections; hashes: SectionHashes }>();

  const sectionsFor = (hostname: string): { sections: InventorySections; hashes: SectionHashes } => {
    let entry = cache.get(hostname);
    if (!entry) {
      const facts = factsFor(hostname);
      const factsHash = hashSections({ ...shared, facts, packages: [], updates: [] }).facts;
      entry = { sections: { ...shared, facts }, hashes: { ...sharedHashes, facts: factsHash } };
      cache.set(hostname, entry);
    }
    return entry;
  };

  return {
    packages: shared.packages,
    updates: shared.updates,
    full(hostname) {
      const { sections, hashes } = sectionsFor(hostname);
      return buildReport(hashes, sections, ['facts', 'packages', 'updates', 'reboot']);
    },
    unchanged(hostname) {
      const { sections, hashes } = sectionsFor(hostname);
      return buildReport(hashes, sections, []);
    },
  };
}

// A fixed boot time keeps the facts hash the same across check-ins, as on a host that did not reboot.
const BOOT_TIME_MS = Date.now() - 86_400_000;

function factsFor(hostname: string): HostFacts {
  return {
    hostname,
    osId: 'debian',
    osName: 'Debian GNU/Linux',
    osVersion: '12',
    osCodename: 'bookworm',
    kernelRunning: '6.1.0-28-amd64',
    kernelNewest: '6.1.0-28-amd64',
    architecture: 'x86_64',
    uptimeSeconds: Math.round((Date.now() - BOOT_TIME_MS) / 1000),
    ipAddresses: ['10.0.0.1'],
    agentVersion: 'bench',
    packageManager: 'apt',
  };
}
