import { describe, expect, it } from 'vitest';
import { canonicalJson, hashSections, normalizeSections, type InventorySections } from '@/agent/inventory-hash';
import type { InstalledPackage, PendingUpdate } from '@/agent/package-managers/types';

const NOW = Date.parse('2025-03-01T12:00:00Z');

function installed(name: string, version: string, arch = 'amd64'): InstalledPackage {
  return { name, version, arch, source: name, state: 'installed', held: false, broken: false };
}

function update(name: string, installedVersion: string, candidate: string, arch = 'amd64'): PendingUpdate {
  return {
    name,
    arch,
    installed: installedVersion,
    candidate,
    repository: 'bookworm-security',
    security: true,
    held: false,
    phased: false,
    advisories: [],
  };
}

function sections(): InventorySections {
  return {
    facts: {
      hostname: 'web-1',
      osId: 'debian',
      osName: 'Debian GNU/Linux',
      osVersion: '12',
      osCodename: 'bookworm',
      kernelRunning: '6.1.0-18-amd64',
      kernelNewest: '6.1.0-21-amd64',
      architecture: 'amd64',
      uptimeSeconds: 3600,
      ipAddresses: ['192.0.2.10', '2001:db8::10'],
      agentVersion: '0.1.0',
      packageManager: 'apt',
    },
    packages: [installed('bash', '5.2.15-2+b2'), installed('libc6', '2.36-9', 'i386'), installed('libc6', '2.36-9'), installed('openssl', '3.0.11-1~deb12u2')],
    updates: [update('openssl', '3.0.11-1~deb12u2', '3.0.13-1~deb12u1'), update('libc6', '2.36-9', '2.36-9+deb12u4')],
    reboot: { required: 'yes', reason: '/var/run/reboot-required exists', packages: ['linux-image-6.1.0-21-amd64'] },
  };
}

describe('hashSections', () => {
  it('returns lowercase SHA-256 hex for every section', () => {
    const hashes = hashSections(sections(), NOW);

    for (const hash of Object.values(hashes)) {
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('ignores the order of packages and updates', () => {
    const original = sections();
    const reordered = sections();
    reordered.packages.reverse();
    reordered.updates.reverse();
    reordered.facts.ipAddresses.reverse();

    expect(hashSections(reordered, NOW)).toEqual(hashSections(original, NOW));
  });

  it('ignores the key order of entries', () => {
    const original = sections();
    const reordered = sections();
    reordered.packages = reordered.packages.map(({ broken, held, state, source, arch, version, name }) => ({ broken, held, state, source, arch, version, name }));

    expect(hashSections(reordered, NOW)).toEqual(hashSections(original, NOW));
  });

  it('changes when an installed version changes', () => {
    const before = hashSections(sections(), NOW);
    const changed = sections();
    changed.packages[0] = installed('bash', '5.2.15-2+b3');

    const after = hashSections(changed, NOW);

    expect(after.packages).not.toBe(before.packages);
    expect(after.updates).toBe(before.updates);
    expect(after.facts).toBe(before.facts);
    expect(after.reboot).toBe(before.reboot);
  });

  it('changes when a candidate version changes', () => {
    const before = hashSections(sections(), NOW);
    const changed = sections();
    changed.updates[0] = update('openssl', '3.0.11-1~deb12u2', '3.0.14-1~deb12u1');

    expect(hashSections(changed, NOW).updates).not.toBe(before.updates);
  });

  it('keeps the facts hash while uptime grows', () => {
    const later = sections();
    later.facts.uptimeSeconds += 600;

    expect(hashSections(later, NOW + 600_000).facts).toBe(hashSections(sections(), NOW).facts);
  });

  it('changes the facts hash after a reboot', () => {
    const rebooted = sections();
    rebooted.facts.uptimeSeconds = 120;

    expect(hashSections(rebooted, NOW + 600_000).facts).not.toBe(hashSections(sections(), NOW).facts);
  });

  it('changes the reboot hash when the state changes', () => {
    const cleared = sections();
    cleared.reboot = { required: 'no', reason: 'no reboot-required file', packages: [] };

    expect(hashSections(cleared, NOW).reboot).not.toBe(hashSections(sections(), NOW).reboot);
  });
});

describe('normalizeSections', () => {
  it('sorts packages by name then architecture', () => {
    const normalized = normalizeSections(sections());

    expect(normalized.packages.map((entry) => `${entry.name}:${entry.arch}`)).toEqual(['bash:amd64', 'libc6:amd64', 'libc6:i386', 'openssl:amd64']);
  });

  it('leaves its input unchanged', () => {
    const input = sections();
    normalizeSections(input);

    expect(input).toEqual(sections());
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('leaves out undefined properties', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });
});
