import { describe, expect, it } from 'vitest';
import { mergePendingUpdates } from '@/agent/package-managers/apt/list-pending-updates';
import { diffInstalledPackages } from '@/agent/package-managers/apt/package-changes';
import { isValidAptPackageName } from '@/agent/package-managers/apt/package-name';
import type { InstalledPackage, PendingUpdate } from '@/agent/package-managers/types';

function update(fields: Partial<PendingUpdate> & Pick<PendingUpdate, 'name'>): PendingUpdate {
  return {
    arch: 'amd64',
    installed: '1.0',
    candidate: '2.0',
    repository: '',
    security: false,
    held: false,
    phased: false,
    advisories: [],
    ...fields,
  };
}

function installed(name: string, version: string, arch = 'amd64'): InstalledPackage {
  return { name, version, arch, source: name, state: 'installed', held: false, broken: false };
}

describe('isValidAptPackageName', () => {
  it.each(['libc6', 'g++', 'libstdc++6', 'python3.11', 'linux-image-6.1.0-18-amd64', 'libc6:i386', '0ad'])(
    'accepts %s',
    (name) => {
      expect(isValidAptPackageName(name)).toBe(true);
    },
  );

  it.each(['', 'a', '-y', '--allow-downgrades', 'Foo', 'foo_bar', 'foo bar', 'foo=1.0', 'foo/bookworm', 'foo:', '.foo', 'x'.repeat(201), 'jq-', 'jq:amd64-'])(
    'rejects %j',
    (name) => {
      expect(isValidAptPackageName(name)).toBe(false);
    },
  );
});

describe('mergePendingUpdates', () => {
  it('keeps one entry per package', () => {
    const merged = mergePendingUpdates({
      simulated: [update({ name: 'openssl', repository: 'Debian-Security:12/stable-security', security: true })],
      listed: [update({ name: 'openssl', repository: 'bookworm-security' }), update({ name: 'vim', held: true })],
      deferredByPhasing: [],
    });

    expect(merged).toEqual([
      update({ name: 'openssl', repository: 'bookworm-security', security: true }),
      update({ name: 'vim', held: true }),
    ]);
  });

  it('marks deferred updates as phased', () => {
    const merged = mergePendingUpdates({
      simulated: [],
      listed: [update({ name: 'snapd' }), update({ name: 'curl' })],
      deferredByPhasing: ['snapd'],
    });

    expect(merged.map((item) => [item.name, item.phased])).toEqual([
      ['snapd', true],
      ['curl', false],
    ]);
  });

  it('matches a differing architecture by name', () => {
    const merged = mergePendingUpdates({
      simulated: [update({ name: 'tzdata', arch: 'all', security: true })],
      listed: [update({ name: 'tzdata', arch: '', repository: 'bookworm-updates' })],
      deferredByPhasing: [],
    });

    expect(merged).toEqual([update({ name: 'tzdata', arch: 'all', security: true, repository: 'bookworm-updates' })]);
  });

  it('keeps both architectures of a listed package', () => {
    const merged = mergePendingUpdates({
      simulated: [],
      listed: [update({ name: 'libc6' }), update({ name: 'libc6', arch: 'i386' })],
      deferredByPhasing: [],
    });

    expect(merged.map((item) => `${item.name}:${item.arch}`)).toEqual(['libc6:amd64', 'libc6:i386']);
  });
});

describe('diffInstalledPackages', () => {
  it('reports upgrades, installs and removals', () => {
    const changes = diffInstalledPackages(
      [installed('bash', '5.2-1'), installed('old', '1.0'), installed('libc6', '2.36-9', 'i386'), installed('same', '1')],
      [installed('bash', '5.2-2'), installed('new', '3.0'), installed('libc6', '2.36-10', 'i386'), installed('same', '1')],
    );

    expect(changes).toEqual([
      { name: 'bash', arch: 'amd64', before: '5.2-1', after: '5.2-2' },
      { name: 'libc6', arch: 'i386', before: '2.36-9', after: '2.36-10' },
      { name: 'new', arch: 'amd64', before: null, after: '3.0' },
      { name: 'old', arch: 'amd64', before: '1.0', after: null },
    ]);
  });
});
