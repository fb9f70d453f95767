#!/usr/bin/env node
// Checks that the Debian packages in scripts/test-packages.txt are installed.
// As root it installs the missing ones with apt-get; otherwise it prints the
// command to run and exits with status 1.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wanted = fs
  .readFileSync(path.join(root, 'scripts', 'test-packages.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

function installed(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.startsWith('ii');
}

const missing = wanted.filter((name) => !installed(name));
if (missing.length === 0) process.exit(0);

if (process.getuid?.() !== 0) {
  console.error(`Missing Debian packages for the tests: ${missing.join(' ')}`);
  console.error(`Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}

console.log(`Installing Debian packages for the tests: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`apt-get ${args[0]} failed with status ${result.status}`);
    process.exit(1);
  }
}
