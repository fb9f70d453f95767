import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAptFailure } from '@/agent/package-managers/apt/classify-failure';
import { DPKG_QUERY_FORMAT, parseDpkgQuery } from '@/agent/package-managers/apt/parse-dpkg-query';
import { parseAptListUpgradable } from '@/agent/package-managers/apt/parse-list-upgradable';
import { parseAptMarkShowhold } from '@/agent/package-managers/apt/parse-showhold';
import { parseAptSimulation } from '@/agent/package-managers/apt/parse-simulation';

/*
 * Runs the real apt-get, apt, apt-mark and dpkg-query against an isolated root
 * under a temporary directory: its own dpkg status file and two flat file:
 * repositories (one labelled Debian-Security). The machine's own package
 * database is never read or written, and Dir::Bin::dpkg is /bin/false, so no
 * run can reach dpkg even if apt got past its checks.
 */

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

let root = '';
let env: NodeJS.ProcessEnv = process.env;

function stanza(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n`;
}

function repositoryPackage(name: string, version: string, arch: string, extra: Record<string, string> = {}): string {
  return stanza({ Package: name, Version: version, Architecture: arch, Maintainer: 'Test <test@example.org>', Filename: `pool/${name}.deb`, Size: '100', Description: 'test package', ...extra });
}

function installedPackage(name: string, status: string, version: string, arch: string, extra: Record<string, string> = {}): string {
  return stanza({ Package: name, Status: status, Architecture: arch, Version: version, Maintainer: 'Test <test@example.org>', Description: 'test package', ...extra });
}

function write(relativePath: string, text: string): void {
  const file = path.join(root, relativePath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function run(command: string, args: string[]): Run {
  const result = spawnSync(command, args, { env, input: '', encoding: 'utf8', timeout: 60_000 });
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

function createAptRoot(): void {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-apt-root-'));
  for (const dir of ['etc/apt/apt.conf.d', 'etc/apt/preferences.d', 'etc/apt/sources.list.d', 'etc/apt/trusted.gpg.d', 'var/lib/dpkg/updates', 'var/lib/dpkg/info', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/log/apt']) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
  }
  write('var/lib/dpkg/available', '');

  write(
    'repo/main/Packages',
    [
      repositoryPackage('alpha', '1.1-1', 'amd64'),
      repositoryPackage('held-tool', '2.0-1', 'amd64'),
      repositoryPackage('meta', '2.0', 'all', { Depends: 'newdep' }),
      repositoryPackage('newdep', '1.0', 'amd64'),
    ].join('\n'),
  );
  write('repo/main/Release', stanza({ Origin: 'Debian', Label: 'Debian', Suite: 'stable', Codename: 'bookworm', Version: '12.5', Architectures: 'amd64 all', Components: 'main' }));
  write('repo/security/Packages', repositoryPackage('libsec', '1.0-1+deb12u1', 'amd64'));
  write('repo/security/Release', stanza({ Origin: 'Debian', Label: 'Debian-Security', Suite: 'stable-security', Codename: 'bookworm-security', Version: '12', Architectures: 'amd64 all', Components: 'main' }));

  write(
    'var/lib/dpkg/status',
    [
      installedPackage('alpha', 'install ok installed', '1.0-1', 'amd64'),
      installedPackage('held-tool', 'hold ok installed', '1.0-1', 'amd64', { Source: 'tool-src (1.0-1)' }),
      installedPackage('meta', 'install ok installed', '1.0', 'all'),
      installedPackage('libsec', 'install ok installed', '1.0-1', 'amd64'),
      installedPackage('gone', 'install ok installed', '0.5', 'amd64', { Depends: 'alpha (<< 1.1)' }),
      installedPackage('old-kernel', 'deinstall ok config-files', '6.1.0-1', 'amd64'),
      installedPackage('stuck', 'install ok half-configured', '1:3.0-2', 'amd64'),
    ].join('\n'),
  );

  write('etc/apt/sources.list', `deb [trusted=yes] file:${root}/repo/main ./\ndeb [trusted=yes] file:${root}/repo/security ./\n`);
  write(
    'apt.conf',
    [
      `Dir "${root}/";`,
      `Dir::State::status "${root}/var/lib/dpkg/status";`,
      'Dir::Bin::dpkg "/bin/false";',
      'APT::Architecture "amd64";',
      'APT::Architectures { "amd64"; };',
      'APT::Sandbox::User "root";',
      'Acquire::Retries "0";',
      '',
    ].join('\n'),
  );

  env = { ...process.env, APT_CONFIG: path.join(root, 'apt.conf'), LC_ALL: 'C' };
}

async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(() => {
  createAptRoot();
  const update = run('apt-get', ['update']);
  if (update.exitCode !== 0) throw new Error(`apt-get update in ${root} failed: ${update.stderr}`);
});

afterAll(() => {
  if (root !== '') fs.rmSync(root, { recursive: true, force: true });
});

describe('apt parsers on real apt output', () => {
  it('reads apt list --upgradable', () => {
    const held = new Set(parseAptMarkShowhold(run('apt-mark', ['showhold']).stdout));
    const updates = parseAptListUpgradable(run('apt', ['list', '--upgradable']).stdout, held);

    expect(held).toEqual(new Set(['held-tool']));
    expect(updates.map((update) => update.name)).toEqual(['alpha', 'held-tool', 'libsec', 'meta']);
    expect(updates.find((update) => update.name === 'libsec')).toMatchObject({ security: true, repository: 'stable-security', installed: '1.0-1', candidate: '1.0-1+deb12u1' });
    expect(updates.find((update) => update.name === 'alpha')).toMatchObject({ security: false, held: false });
    expect(updates.find((update) => update.name === 'held-tool')).toMatchObject({ held: true });
  });

  it('counts apt list -a rows once', () => {
    const listing = run('apt', ['list', '--upgradable', '-a']).stdout;
    const updates = parseAptListUpgradable(listing);

    expect(listing).toContain('alpha/now 1.0-1 amd64');
    expect(updates).toHaveLength(4);
    expect(updates.find((update) => update.name === 'alpha')).toMatchObject({ installed: '1.0-1', candidate: '1.1-1' });
  });

  it('reads apt-get -s upgrade', () => {
    const simulation = parseAptSimulation(run('apt-get', ['-s', 'upgrade']).stdout, new Set(['held-tool']));

    expect(simulation.updates).toHaveLength(1);
    expect(simulation.updates[0]).toMatchObject({ name: 'libsec', repository: 'Debian-Security:12/stable-security', security: true, arch: 'amd64' });
    expect(simulation.keptBack).toContainEqual({ name: 'held-tool', reason: 'held' });
    expect(simulation.keptBack).toContainEqual({ name: 'meta', reason: 'requires new packages' });
    expect(simulation.summary).toEqual({ upgraded: 1, newlyInstalled: 0, toRemove: 0, notUpgraded: 3 });
  });

  it('reads apt-get -s dist-upgrade', () => {
    const simulation = parseAptSimulation(run('apt-get', ['-s', 'dist-upgrade']).stdout, new Set(['held-tool']));

    expect(simulation.updates.map((update) => update.name)).toEqual(['alpha', 'libsec', 'newdep', 'meta']);
    expect(simulation.updates.find((update) => update.name === 'newdep')).toMatchObject({ installed: null, repository: 'Debian:12.5/stable' });
    expect(simulation.removals).toEqual([{ name: 'gone', installed: '0.5' }]);
    expect(simulation.keptBack).toEqual([{ name: 'held-tool', reason: 'held' }]);
    expect(simulation.summary).toEqual({ upgraded: 3, newlyInstalled: 1, toRemove: 1, notUpgraded: 1 });
  });

  it('reads dpkg-query in the agent format', () => {
    const result = run('dpkg-query', [`--admindir=${root}/var/lib/dpkg`, '-W', `-f=${DPKG_QUERY_FORMAT}`]);
    const inventory = parseDpkgQuery(result.stdout);

    expect(result.exitCode).toBe(0);
    expect(inventory.installed.map((item) => item.name)).not.toContain('old-kernel');
    expect(inventory.excluded).toEqual([{ name: 'old-kernel', version: '6.1.0-1', state: 'config-files' }]);
    expect(inventory.installed.find((item) => item.name === 'held-tool')).toEqual({
      name: 'held-tool',
      version: '1.0-1',
      arch: 'amd64',
      source: 'tool-src',
      state: 'installed',
      held: true,
      broken: false,
    });
    expect(inventory.installed.find((item) => item.name === 'stuck')).toMatchObject({ version: '1:3.0-2', state: 'half-configured', broken: true });
  });

  it('reads dpkg-query with qualified names', () => {
    const result = run('dpkg-query', [`--admindir=${root}/var/lib/dpkg`, '-W', '-f=${db:Status-Abbrev}\t${binary:Package}\t${Version}\n', 'libsec']);

    expect(parseDpkgQuery(result.stdout).installed).toEqual([
      { name: 'libsec', version: '1.0-1', arch: '', source: '', state: 'installed', held: false, broken: false },
    ]);
  });
});

describe('classifyAptFailure on real apt-get failures', () => {
  it('reads changed held packages', () => {
    const result = run('apt-get', ['-y', 'install', 'held-tool']);
    const failure = classifyAptFailure({ ...result, timedOut: false });

    expect(result.exitCode).toBe(100);
    expect(failure).toMatchObject({ cause: 'held-packages', packages: ['held-tool'], retriable: false });
  });

  it('reads a prompt without an answer', () => {
    const result = run('apt-get', ['install', 'alpha']);
    const failure = classifyAptFailure({ ...result, timedOut: false });

    expect(result.exitCode).toBe(1);
    expect(failure).toMatchObject({ cause: 'interactive-prompt', retriable: false });
  });

  it('reads an interrupted dpkg run', () => {
    write('var/lib/dpkg/updates/0001', '');
    try {
      const result = run('apt-get', ['-y', 'install', 'alpha']);
      expect(classifyAptFailure({ ...result, timedOut: false })).toMatchObject({ cause: 'dpkg-interrupted', retriable: false });
    } finally {
      fs.rmSync(path.join(root, 'var/lib/dpkg/updates/0001'));
    }
  });

  it('reads a lock held by another apt-get', async () => {
    // The first apt-get takes the lock and waits at its question while stdin stays open.
    const holder = spawn('apt-get', ['install', 'alpha'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        holder.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Do you want to continue?')) resolve();
        });
        holder.on('exit', (code) => reject(new Error(`the lock-holding apt-get exited early with ${code}: ${output}`)));
      });

      const result = run('apt-get', ['-y', 'install', 'alpha']);
      const failure = classifyAptFailure({ ...result, timedOut: false });

      expect(result.exitCode).toBe(100);
      expect(failure).toMatchObject({
        cause: 'lock-held',
        lock: `${root}/var/lib/dpkg/lock-frontend`,
        holderPid: holder.pid,
        holder: 'apt-get',
        retriable: true,
      });
    } finally {
      holder.stdin.end();
      if (holder.exitCode === null) holder.kill();
    }
  });

  it('reads an unreachable repository', async () => {
    const port = await closedLoopbackPort();
    write('etc/apt/sources.list.d/unreachable.list', `deb [trusted=yes] http://127.0.0.1:${port}/ ./\n`);
    try {
      const result = run('apt-get', ['-o', 'APT::Update::Error-Mode=any', 'update']);
      const failure = classifyAptFailure({ ...result, timedOut: false });

      expect(result.exitCode).toBe(100);
      expect(failure).toMatchObject({ cause: 'repository-unreachable', retriable: true });
      expect(failure?.message).toContain(`127.0.0.1:${port}`);
    } finally {
      fs.rmSync(path.join(root, 'etc/apt/sources.list.d/unreachable.list'));
    }
  });
});
