import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { HostFacts } from '@/agent/package-managers/types';

export interface CollectHostFactsOptions {
  agentVersion: string;
  packageManager: HostFacts['packageManager'];
  /** Defaults to /etc/os-release, then /usr/lib/os-release as os-release(5) prescribes. */
  osReleasePath?: string;
}

const DEFAULT_OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'];

/** Node's `os.arch()` names mapped to dpkg architecture names. */
const DPKG_ARCHITECTURES: Record<string, string> = {
  x64: 'amd64',
  ia32: 'i386',
  arm64: 'arm64',
  arm: 'armhf',
  ppc64: 'ppc64el',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips64el: 'mips64el',
};

/** Node's `os.arch()` names mapped to the `uname -m` names that rpm and pacman use. */
const MACHINE_ARCHITECTURES: Record<string, string> = {
  x64: 'x86_64',
  ia32: 'i686',
  arm64: 'aarch64',
  arm: 'armv7l',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
};

/**
 * Collects the host facts that the agent sends with every full inventory.
 *
 * The architecture uses the package manager's own names (dpkg's `amd64` for apt,
 * `x86_64` for the rpm-based tools and pacman), so the server can compare it with
 * package architectures. IP addresses leave out loopback and IPv6 link-local addresses,
 * which name no host outside its own link. `kernelNewest` is null because only the
 * package-manager backend can read the installed kernels. Throws when no os-release
 * file can be read.
 */
export async function collectHostFacts(options: CollectHostFactsOptions): Promise<HostFacts> {
  const osRelease = parseOsRelease(await readOsRelease(options.osReleasePath));

  return {
    hostname: os.hostname(),
    osId: osRelease.get('ID') ?? 'linux',
    osName: osRelease.get('NAME') ?? 'Linux',
    osVersion: osRelease.get('VERSION_ID') ?? '',
    osCodename: osRelease.get('VERSION_CODENAME') ?? osRelease.get('UBUNTU_CODENAME') ?? '',
    kernelRunning: os.release(),
    kernelNewest: null,
    architecture: packageArchitecture(os.arch(), options.packageManager),
    uptimeSeconds: Math.floor(os.uptime()),
    ipAddresses: externalAddresses(),
    agentVersion: options.agentVersion,
    packageManager: options.packageManager,
  };
}

async function readOsRelease(explicitPath: string | undefined): Promise<string> {
  const paths = explicitPath === undefined ? DEFAULT_OS_RELEASE_PATHS : [explicitPath];
  let lastError: unknown;

  for (const path of paths) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      lastError = error;
    }
  }

  throw new Error(`Reading the OS release file failed (tried ${paths.join(', ')})`, { cause: lastError });
}

/**
 * Parses os-release(5) text: `KEY=value` lines, values optionally in single or double
 * quotes, with backslash escapes inside double quotes, and `#` comment lines.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();

  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }

    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) {
      continue;
    }

    values.set(match[1], unquote(match[2]));
  }

  return values;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\`$])/g, '$1');
  }

  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    return value.slice(1, -1);
  }

  return value;
}

function packageArchitecture(nodeArch: string, packageManager: HostFacts['packageManager']): string {
  // Node reports `ppc64` for both byte orders; the tables hold the little-endian names.
  if (nodeArch === 'ppc64' && os.endianness() === 'BE') {
    return 'ppc64';
  }

  // NOTE: Node reports `arm` for both armel and armhf, and the table assumes armhf.
  const table = packageManager === 'apt' ? DPKG_ARCHITECTURES : MACHINE_ARCHITECTURES;
  return table[nodeArch] ?? nodeArch;
}

function externalAddresses(): string[] {
  const addresses = new Set<string>();

  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) {
        continue;
      }

      if (entry.family === 'IPv6' && /^fe[89ab]/i.test(entry.address)) {
        continue;
      }

      addresses.add(entry.address);
    }
  }

  return [...addresses];
}
