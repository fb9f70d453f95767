import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config/load-config';

const root = path.resolve(import.meta.dirname, '..', '..');
const installScript = path.join(root, 'deploy', 'install.sh');
const uninstallScript = path.join(root, 'deploy', 'uninstall.sh');

let work: string;
let sourceDir: string;
let prefix: string;
let hostPasswdDigest: string;

function run(script: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('sh', [script, ...args], { encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function install(...extra: string[]) {
  return run(installScript, ['--root', prefix, '--source', sourceDir, '--no-prune', '--node', process.execPath, ...extra]);
}

/** Lists every path under a directory with its type, mode, numeric owner, size and modification time. */
function treeListing(dir: string): string {
  return execFileSync('find', [dir, '-printf', '%P %y %m %U:%G %s %T@ %l\n'], { encoding: 'utf8' }).split('\n').sort().join('\n');
}

function stat(file: string): string {
  const info = fs.statSync(path.join(prefix, file));
  return `${(info.mode & 0o777).toString(8)} ${info.uid}:${info.gid}`;
}

function digest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Creates a built checkout in miniature: the files install.sh requires, with a one-package node_modules. */
function makeSource(dir: string): void {
  for (const entry of ['deploy', 'drizzle', 'workers', 'server.ts', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  fs.mkdirSync(path.join(dir, '.next', 'cache'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.next', 'BUILD_ID'), 'test-build\n');
  fs.writeFileSync(path.join(dir, '.next', 'cache', 'entry'), 'not installed\n');
  fs.mkdirSync(path.join(dir, 'node_modules', 'example-package'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'example-package', 'package.json'), '{"name":"example-package"}\n');
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.writeFileSync(path.join(dir, 'dist', 'pm-agent.mjs'), 'console.log("agent")\n');
}

/** Creates a target system with only root in its user database. */
function makePrefix(dir: string): void {
  fs.mkdirSync(path.join(dir, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\n');
  fs.writeFileSync(path.join(dir, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
  fs.writeFileSync(path.join(dir, 'etc', 'gshadow'), 'root:*::\n', { mode: 0o640 });
}

beforeAll(() => {
  hostPasswdDigest = digest('/etc/passwd');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-install-'));
  sourceDir = path.join(work, 'source');
  prefix = path.join(work, 'root');
  makeSource(sourceDir);
  makePrefix(prefix);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('install.sh', () => {
  it('refuses --skip-user when the user is missing', () => {
    const result = install('--skip-user');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('user patch-manager does not exist');
    expect(fs.existsSync(path.join(prefix, 'opt'))).toBe(false);
  });

  it('installs user, directories, app, config and units', () => {
    const result = install();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('created system user patch-manager');

    const passwd = fs.readFileSync(path.join(prefix, 'etc', 'passwd'), 'utf8');
    const entry = passwd.split('\n').find((line) => line.startsWith('patch-manager:'))?.split(':') ?? [];
    expect(entry[6]).toBe('/usr/sbin/nologin');
    expect(Number(entry[2])).toBeLessThan(1000);
    const ids = `${entry[2]}:${entry[3]}`;
    const group = entry[3];

    expect(stat('etc/patch-manager')).toBe(`750 0:${group}`);
    for (const subdir of ['ca', 'jwt', 'tls', 'ocsp', 'audit']) {
      expect(stat(`etc/patch-manager/${subdir}`)).toBe(`700 ${ids}`);
    }
    expect(stat('var/lib/patch-manager')).toBe(`700 ${ids}`);
    expect(stat('var/log/patch-manager')).toBe(`750 ${ids}`);
    expect(stat('etc/patch-manager/config.toml')).toBe(`640 0:${group}`);

    expect(stat('opt/patch-manager/server.ts')).toBe('644 0:0');
    expect(fs.existsSync(path.join(prefix, 'opt/patch-manager/node_modules/example-package/package.json'))).toBe(true);
    expect(fs.existsSync(path.join(prefix, 'opt/patch-manager/dist/pm-agent.mjs'))).toBe(true);
    expect(fs.existsSync(path.join(prefix, 'opt/patch-manager/.next/cache'))).toBe(false);

    for (const unit of ['patch-manager-web.service', 'patch-manager-worker.service']) {
      const text = fs.readFileSync(path.join(prefix, 'etc/systemd/system', unit), 'utf8');
      expect(text).toContain(`ExecStart=${process.execPath} --import tsx`);
      expect(fs.readlinkSync(path.join(prefix, 'etc/systemd/system/multi-user.target.wants', unit))).toBe(`/etc/systemd/system/${unit}`);
    }
    expect(digest('/etc/passwd')).toBe(hostPasswdDigest);
  });

  it('writes a config the server accepts', () => {
    const config = loadConfig({ env: { PM_CONFIG: path.join(prefix, 'etc/patch-manager/config.toml') }, cwd: '/' });
    expect(config.dataDir).toBe('/var/lib/patch-manager');
    expect(config.configDir).toBe('/etc/patch-manager');
  });

  it('changes nothing on a second run', () => {
    const before = treeListing(prefix);
    const result = install();
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('install.sh: no changes');
    expect(treeListing(prefix)).toBe(before);
  });

  it('repairs modes and keeps an edited config', () => {
    const configFile = path.join(prefix, 'etc/patch-manager/config.toml');
    fs.appendFileSync(configFile, '\n# edited by the operator\n');
    fs.chmodSync(configFile, 0o644);
    fs.chmodSync(path.join(prefix, 'etc/patch-manager/ca'), 0o755);

    const result = install();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/set \S+\/etc\/patch-manager\/ca to mode 700/);
    expect(result.stdout).toMatch(/set \S+\/config\.toml to mode 640/);
    expect(stat('etc/patch-manager/ca').split(' ')[0]).toBe('700');
    expect(fs.readFileSync(configFile, 'utf8')).toContain('# edited by the operator');
  });

  it('installs a changed build as a new release', () => {
    fs.appendFileSync(path.join(sourceDir, 'server.ts'), '\n// next release\n');
    const result = install();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/installed release [0-9a-f]{64} to \S+ \(previous: [0-9a-f]{64}\)/);
    expect(fs.readFileSync(path.join(prefix, 'opt/patch-manager/server.ts'), 'utf8')).toContain('// next release');
    expect(fs.existsSync(path.join(prefix, 'opt/patch-manager.previous'))).toBe(false);
  });
});

describe('uninstall.sh', () => {
  it('keeps configuration and state without --purge', () => {
    fs.writeFileSync(path.join(prefix, 'etc/patch-manager/ca/ca.key'), 'key\n', { mode: 0o600 });
    const result = run(uninstallScript, ['--root', prefix]);
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(prefix, 'opt/patch-manager'))).toBe(false);
    expect(fs.existsSync(path.join(prefix, 'etc/systemd/system/patch-manager-web.service'))).toBe(false);
    expect(fs.existsSync(path.join(prefix, 'etc/systemd/system/multi-user.target.wants/patch-manager-web.service'))).toBe(false);
    expect(fs.existsSync(path.join(prefix, 'etc/patch-manager/ca/ca.key'))).toBe(true);
    expect(fs.existsSync(path.join(prefix, 'var/lib/patch-manager'))).toBe(true);
    expect(fs.readFileSync(path.join(prefix, 'etc/passwd'), 'utf8')).toContain('patch-manager:');
  });

  it('removes data and the user with --purge', () => {
    const result = run(uninstallScript, ['--root', prefix, '--purge']);
    expect(result.status).toBe(0);
    for (const dir of ['etc/patch-manager', 'var/lib/patch-manager', 'var/log/patch-manager']) {
      expect(fs.existsSync(path.join(prefix, dir))).toBe(false);
    }
    expect(fs.readFileSync(path.join(prefix, 'etc/passwd'), 'utf8')).not.toContain('patch-manager:');
    expect(fs.readFileSync(path.join(prefix, 'etc/group'), 'utf8')).not.toContain('patch-manager:');
    expect(digest('/etc/passwd')).toBe(hostPasswdDigest);
  });
});
