import { createHash } from 'node:crypto';

import type { InventorySection } from '../lib/agent-protocol/schema';
import type { HostFacts, InstalledPackage, PendingUpdate, RebootState } from './package-managers/types';

/** The four inventory sections as the agent sends them. */
export interface InventorySections {
  facts: HostFacts;
  packages: InstalledPackage[];
  updates: PendingUpdate[];
  reboot: RebootState;
}

export type SectionHashes = Record<InventorySection, string>;

/**
 * Serialises JSON data with object keys sorted at every level and no whitespace,
 * so equal data always gives equal text. Properties whose value is undefined are
 * left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }

  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  }

  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => compareKeys([a], [b]));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/**
 * Returns the sections in a fixed order: packages and updates sorted by name, then
 * architecture, then version, and the host's IP addresses sorted. The package
 * manager may list them in any order, and that order must change neither the
 * hash nor the body.
 */
export function normalizeSections(sections: InventorySections): InventorySections {
  return {
    facts: { ...sections.facts, ipAddresses: [...sections.facts.ipAddresses].sort() },
    packages: [...sections.packages].sort((a, b) => compareKeys([a.name, a.arch, a.version], [b.name, b.arch, b.version])),
    updates: [...sections.updates].sort((a, b) => compareKeys([a.name, a.arch, a.candidate], [b.name, b.arch, b.candidate])),
    reboot: sections.reboot,
  };
}

/**
 * Hashes each section as the SHA-256 hex of its canonical JSON after
 * `normalizeSections`.
 *
 * The facts hash covers the boot time in whole minutes (`now` minus the uptime)
 * in place of `uptimeSeconds`, which grows between any two check-ins and would
 * otherwise resend the facts every time. A reboot still changes the hash, and the
 * facts body always carries the current uptime.
 */
export function hashSections(sections: InventorySections, now: number = Date.now()): SectionHashes {
  const normalized = normalizeSections(sections);
  const { uptimeSeconds, ...stableFacts } = normalized.facts;
  const bootMinute = Math.round((now / 1000 - uptimeSeconds) / 60);

  return {
    facts: sha256(canonicalJson({ ...stableFacts, bootMinute })),
    packages: sha256(canonicalJson(normalized.packages)),
    updates: sha256(canonicalJson(normalized.updates)),
    reboot: sha256(canonicalJson(normalized.reboot)),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares string tuples by code unit, so the order does not depend on the locale. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < a.length; index += 1) {
    const left = a[index] ?? '';
    const right = b[index] ?? '';
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}
