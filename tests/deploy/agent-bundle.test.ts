import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '@/agent/version';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixtureDir = path.join(root, 'tests', 'fixtures', 'package-managers', 'apt-list-upgradable-multi-suite');

let work: string;

/** Runs the bundle from a directory with no node_modules on any path above it. */
function runBundle(args: string[]) {
  const result = spawnSync(process.execPath, [path.join(work, 'pm-agent.mjs'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { NODE_ENV: 'production', PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-agent-bundle-'));
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-agent.mjs'), '--outfile', path.join(work, 'pm-agent.mjs')], { stdio: 'pipe' });
  fs.copyFileSync(path.join(fixtureDir, 'debian-stretch-backports.stdout.txt'), path.join(work, 'upgradable.txt'));
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('agent bundle', () => {
  it('runs alone, with no node_modules in reach', () => {
    const ancestors: string[] = [];
    for (let dir = work; ; dir = path.dirname(dir)) {
      ancestors.push(dir);
      if (path.dirname(dir) === dir) break;
    }
    expect(ancestors.filter((dir) => fs.existsSync(path.join(dir, 'node_modules')))).toEqual([]);
    expect(fs.readdirSync(work).sort()).toEqual(['pm-agent.mjs', 'upgradable.txt']);
  });

  it('prints its version', () => {
    const result = runBundle(['version']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`pm-agent ${AGENT_VERSION}\n`);
  });

  it('parses apt upgradable output like the source', () => {
    const result = runBundle(['parse', 'apt', 'upgradable', 'upgradable.txt']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const expected = JSON.parse(fs.readFileSync(path.join(fixtureDir, 'expected.json'), 'utf8')) as Record<string, { updates: unknown[] }>;
    const parsed = JSON.parse(result.stdout) as unknown[];
    expect(parsed).toMatchObject(expected['debian-stretch-backports.stdout.txt']!.updates);
    expect(parsed).toHaveLength(expected['debian-stretch-backports.stdout.txt']!.updates.length);
  });

  it('rejects an unknown command with status 2', () => {
    const result = runBundle(['frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});
