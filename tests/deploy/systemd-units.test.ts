import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const unitDir = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'systemd');
const units = ['patch-manager-web.service', 'patch-manager-worker.service'];
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/** Returns the values of one directive in a unit file, in order. */
function directive(unit: string, name: string): string[] {
  const text = fs.readFileSync(path.join(unitDir, unit), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}=`))
    .map((line) => line.slice(name.length + 1));
}

describe('systemd units', () => {
  it.each(units)('%s sets the required hardening', (unit) => {
    const required: Record<string, string> = {
      User: 'patch-manager',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectControlGroups: 'yes',
      RestrictNamespaces: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      MemoryDenyWriteExecute: 'no',
      UMask: '0077',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
    };
    for (const [name, value] of Object.entries(required)) {
      expect(directive(unit, name), name).toEqual([value]);
    }
    expect(directive(unit, 'SystemCallFilter')).toContain('@system-service');
  });

  it('gives the web unit only CAP_NET_BIND_SERVICE', () => {
    expect(directive('patch-manager-web.service', 'CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(directive('patch-manager-web.service', 'AmbientCapabilities')).toEqual(['CAP_NET_BIND_SERVICE']);
  });

  it('gives the worker unit no capabilities', () => {
    expect(directive('patch-manager-worker.service', 'CapabilityBoundingSet')).toEqual(['']);
    expect(directive('patch-manager-worker.service', 'AmbientCapabilities')).toEqual(['']);
  });

  it('limits writes to state, log and key directories', () => {
    const allowed = new Set([
      '/var/lib/patch-manager',
      '/var/log/patch-manager',
      '/etc/patch-manager/ca',
      '/etc/patch-manager/jwt',
      '/etc/patch-manager/tls',
      '/etc/patch-manager/ocsp',
      '/etc/patch-manager/audit',
    ]);
    for (const unit of units) {
      const paths = directive(unit, 'ReadWritePaths').flatMap((value) => value.split(' '));
      expect(paths.filter((entry) => !allowed.has(entry)), unit).toEqual([]);
      expect(paths, unit).not.toContain('/etc/patch-manager');
    }
    expect(directive('patch-manager-worker.service', 'ReadWritePaths').join(' ')).not.toContain('/etc/patch-manager/ca');
  });

  it.skipIf(!hasSystemdAnalyze).each(units)('%s passes systemd-analyze verify', (unit) => {
    const result = spawnSync('systemd-analyze', ['verify', path.join(unitDir, unit)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasSystemdAnalyze).each(units)('%s scores at most 2.0 in systemd-analyze security', (unit) => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=yes', path.join(unitDir, unit)], { encoding: 'utf8' });
    const score = /Overall exposure level for \S+: (\d+\.\d)/.exec(result.stdout)?.[1];
    expect(score, result.stdout).toBeDefined();
    expect(Number(score)).toBeLessThanOrEqual(2.0);
  });
});
